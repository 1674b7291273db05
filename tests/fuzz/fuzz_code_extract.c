/* libFuzzer target: the code scorer's text side (score/code_extract.c):
 * finding code in a response in every mode, building the test programs
 * around it, parsing the harness's verdict lines and a suite's C asserts
 * (code_cexpr.c), comparing outputs. No
 * program is run. Input: response \x1e second-text (expected output /
 * report / harness). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "score/code.h"
#include "score/code_cexpr.h"
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
        free(code_humaneval_program("def f(x):\n", c, "f"));
        free(code_python_asserts_program(c, other));
        free(code_c_program(other, c));
        free(code_c_program(NULL, c));
        free(code);
    }
    int ok[4] = {0}, first_fail = -1;
    char *fail_json = NULL;
    size_t passed = code_parse_verdicts(other, 4, ok, &first_fail, &fail_json);
    if (passed > 4)
        abort();
    free(fail_json);
    size_t line = 0;
    code_outputs_match(in, other, -1, &line);
    code_outputs_match(in, other, 1e-6, &line);
    code_stderr_is_oom(other);
    code_extract_mode_parse(other);
    /* a suite's C asserts, parsed by benchai (code_cexpr.c): any text */
    const char *as[] = { other };
    for (int cpp = 0; cpp < 2; cpp++) {
        struct bai_error e = {0};
        struct code_casserts *ca = code_casserts_parse(as, 1, cpp, &e);
        if (ca) {
            free(code_casserts_driver(ca, "0123456789abcdef"));
            code_casserts_free(ca);
        }
    }
    free(in);
    return 0;
}
