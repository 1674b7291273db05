/* The one decimal-number syntax (util/numtext.h) that YAML floats and CSV
 * number cells share. */
#include <criterion/criterion.h>

#include "util/numtext.h"

Test(numtext, decimals_and_not)
{
    const char *yes[] = { "0", "-1", "+2.5", "5.", ".5", "1e3", "1.5E-7", "-.5e+2" };
    const char *no[] = { "", "+", ".", "e3", "1e", "1e+", "1.2.3", "=1+2", "-1-2", "1 ", "0x10", ".inf" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_expect(numtext_is_decimal(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_expect(!numtext_is_decimal(no[i]), "%s", no[i]);
}
