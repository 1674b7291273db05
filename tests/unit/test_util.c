/* test_util.c - util/ helpers without a module test of their own: the one
 * comma-list rule every command's list flags use, the tail of a log. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
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

/* What a start-up error and a hang verdict quote of a server's log. */
Test(util_fs, tail_lines_of_a_log)
{
    char path[] = "/tmp/benchai-tail-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *text = "one\ntwo\r\nthree\nfour\n\n";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *t = fs_tail_lines(path, 1, "(none)");
    cr_assert_str_eq(t, "four");            /* trailing line ends dropped */
    free(t);
    t = fs_tail_lines(path, 2, "(none)");
    cr_assert_str_eq(t, "three\nfour");
    free(t);
    t = fs_tail_lines(path, 9, "(none)");   /* more than there are: the whole file */
    cr_assert_str_eq(t, "one\ntwo\r\nthree\nfour");
    free(t);
    unlink(path);
    t = fs_tail_lines(path, 1, "(none)");
    cr_assert_str_eq(t, "(none)");
    free(t);
}
