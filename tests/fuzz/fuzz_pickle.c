/* libFuzzer target: the pickle-string reader and base64 decoder that read
 * LiveCodeBench's encoded private tests (data files benchai does not
 * control). Must never crash, leak or hang, whatever the opcodes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "suite/pickle.h"
#include "util/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = NULL, why[256];
    size_t n = 0;
    if (suite_pickle_string(data, size, &s, &n, why, sizeof why) == 0)
        free(s);
    unsigned char *b = base64_decode((const char *)data, size, &n, NULL);
    free(b);
    return 0;
}
