/* libFuzzer target: the YAML suite loader (tree, item schema, scorer checks,
 * defaults, choice shuffling, hashing) on arbitrary text. Must never crash,
 * leak, or take more than its bounded memory and time: alias bombs and deep
 * nesting are refused by util/yaml_bounds.h. source: and generator: paths
 * resolve inside the current folder only (not allowed outside). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suite/suite.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    struct suite_diags d = {0};
    struct bai_error err = {0};
    struct suite *s = suite_load_text("fuzz/suite.yaml", text, size, NULL, &d, &err);
    if (s) {
        for (size_t i = 0; i < s->n_items; i++)
            if (suite_find_item(s, s->items[i].id) != &s->items[i])
                abort();    /* ids are unique once loaded: the index finds each */
        free(suite_scorers_summary(s));
        free(suite_tiers_summary(s));
    }
    free(suite_diags_format(&d));
    suite_free(s);
    suite_diags_free(&d);
    free(text);
    return 0;
}
