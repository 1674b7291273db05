/* numtext.c - the decimal-number syntax (numtext.h). */
#include "util/numtext.h"

static const char *skip_digits(const char *p, int *n)
{
    while (*p >= '0' && *p <= '9') {
        p++;
        (*n)++;
    }
    return p;
}

int numtext_is_decimal(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0;
    p = skip_digits(p, &digits);
    if (*p == '.')
        p = skip_digits(p + 1, &digits);
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        int exp_digits = 0;
        p = skip_digits(p, &exp_digits);
        if (!exp_digits)
            return 0;
    }
    return *p == '\0';
}
