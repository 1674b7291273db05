/* unicode_py.c - see unicode_py.h (the table is unicode_py_table.c). */
#include "score/unicode_py.h"

size_t unicode_py_extra_cases_of(uint32_t lo, const uint32_t **out)
{
    /* the list is short (about 40 entries) and sorted by code point */
    for (size_t i = 0; i < unicode_py_extra_cases_len;) {
        uint32_t cp = unicode_py_extra_cases[i];
        size_t n = unicode_py_extra_cases[i + 1];
        if (cp == lo) {
            *out = &unicode_py_extra_cases[i + 2];
            return n;
        }
        if (cp > lo)
            break;
        i += 2 + n;
    }
    *out = NULL;
    return 0;
}
