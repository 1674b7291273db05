/* test_util.c - util/ helpers without a module test of their own: the one
 * comma-list rule every command's list flags use. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/strlist.h"

Test(util_strlist, comma_lists_are_trimmed_and_empty_parts_dropped)
{
    char **v = NULL;
    size_t n = 0, cap = 0;
    strlist_add_csv(&v, &n, &cap, "a, b,,c ");
    strlist_add_csv(&v, &n, &cap, " ,");
    strlist_add_csv(&v, &n, &cap, NULL);
    strlist_push(&v, &n, &cap, "d,e");        /* a pushed value is kept whole */
    strlist_add_csv(&v, &n, &cap, "x y");     /* inner spaces stay */
    cr_assert_eq(n, 5);
    const char *want[] = { "a", "b", "c", "d,e", "x y" };
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(v[i], want[i]);
    cr_assert_geq(cap, n);
    strlist_free(v, n);
}
