/* test_util.c - util/ helpers without a module test of their own: the one
 * list of strings and the comma-list rule every command's list flags use,
 * the tail of a log. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/strv.h"

Test(util_strv, comma_lists_are_trimmed_and_empty_parts_dropped)
{
    struct strv l = { 0 };
    strv_add_csv(&l, "a, b,,c ");
    strv_add_csv(&l, " ,");
    strv_add_csv(&l, NULL);
    strv_push(&l, "d,e");                    /* a pushed value is kept whole */
    strv_add_csv(&l, "x y");                 /* inner spaces stay */
    cr_assert_eq(l.n, 5);
    const char *want[] = { "a", "b", "c", "d,e", "x y" };
    for (size_t i = 0; i < l.n; i++)
        cr_assert_str_eq(l.v[i], want[i]);
    cr_assert_null(l.v[l.n], "ends in NULL, as execve wants");
    strv_pushf(&l, "--port=%d", 8080);
    char *j = strv_join(&l, "|");
    cr_assert_str_eq(j, "a|b|c|d,e|x y|--port=8080");
    free(j);
    strv_free(&l);
    cr_assert_eq(l.n, 0);
    j = strv_join(&l, "|");
    cr_assert_str_eq(j, "");
    free(j);
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
