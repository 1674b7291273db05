/* libFuzzer target: the code scorer's text side (score/code_extract.c):
 * finding code in a response in every mode, building the test programs
 * around it, parsing the harness's report lines, comparing outputs. No
 * program is run. Input: response \x1e second-text (expected output /
 * report / harness). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "score/code.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xstrndup((const char *)data, size);
    char *sep = strchr(in, '\x1e');
    const char *other = "";
    if (sep) {
        *sep = '\0';
        other = sep + 1;
    }
    for (int mode = CODE_EXTRACT_LAST; mode <= CODE_EXTRACT_RAW; mode++) {
        char *code = code_extract(in, (enum code_extract_mode)mode);
        if (code && strlen(code) > strlen(in) + 1)
            abort();    /* extraction never makes code out of nothing */
        const char *c = code ? code : "";
        free(code_humaneval_program("def f(x):\n", c, other, "f"));
        const char *asserts[] = { other, "f(1) == 2" };
        free(code_python_asserts_program(other, c, asserts, 2, "n0nce"));
        free(code_c_program(other, c, asserts, 2, "n0nce"));
        free(code_c_program(NULL, c, NULL, 0, "n0nce"));
        free(code);
    }
    int ok[4] = {0}, first_fail = -1;
    char *fail_json = NULL;
    size_t passed = code_parse_report(other, "n0nce", 4, ok, &first_fail, &fail_json);
    if (passed > 4)
        abort();
    free(fail_json);
    size_t line = 0;
    code_outputs_match(in, other, -1, &line);
    code_outputs_match(in, other, 1e-6, &line);
    code_stderr_is_oom(other);
    code_extract_mode_parse(other);
    free(in);
    return 0;
}
