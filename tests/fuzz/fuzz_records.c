/* libFuzzer target: data files as suites read them (source: and the
 * importers): CSV, JSON Lines and JSON arrays, and the UTF-8 check. The
 * first byte picks the format. Every record reported must have a line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "suite/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const formats[] = { "csv", "jsonl", "json" };
    if (size < 1)
        return 0;
    const char *fmt = formats[data[0] % 3];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct bai_error err = {0};
    suite_utf8_check("fuzz", text, len, &err);
    struct suite_records r = {0};
    if (suite_records_parse("fuzz", fmt, text, len, &r, &err) == 0) {
        if ((size_t)cJSON_GetArraySize(r.rows) != r.n)
            abort();
        for (size_t i = 0; i < r.n; i++)
            if (r.lines[i] < 1)
                abort();
        static const char *const want[] = { "id", "question", NULL };
        if (r.columns)
            suite_records_require(&r, "fuzz", want, &err);
    }
    suite_records_free(&r);
    return 0;
}
