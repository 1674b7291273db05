/* Messages a new user meets when an argument names nothing: they must say
 * every place benchai looked and what would have worked. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "run/defaults.h"

static char *read_stderr(void)
{
    fflush(stderr);
    FILE *f = cr_get_redirected_stderr();
    static char all[8192];
    size_t n = fread(all, 1, sizeof all - 1, f);
    all[n] = 0;
    return all;
}

Test(cli_messages, unknown_suite_names_every_place_and_the_available_ones,
     .init = cr_redirect_stderr)
{
    char *argv[] = { "run", "--suite", "nosuch", "--backend", "openai",
                     "--url", "http://127.0.0.1:9", "--model", "m", NULL };
    cr_assert_eq(cmd_run(9, argv), 2);
    const char *all = read_stderr();
    cr_assert(strstr(all, "suite nosuch: not found"), "%s", all);
    cr_assert(strstr(all, "suites/v1/nosuch.yaml"), "%s", all);
    cr_assert(strstr(all, "suites/imported/nosuch.yaml"), "%s", all);
    /* the shipped suites are offered by name */
    cr_assert(strstr(all, "available suites: "), "%s", all);
    cr_assert(strstr(all, "smoke") && strstr(all, "coder") && strstr(all, "thinking"), "%s", all);
    cr_assert(!strstr(all, "smoke.yaml,"), "names, not files: %s", all);
}

Test(cli_messages, a_known_suite_name_resolves_to_its_file)
{
    char *p = defaults_suite_path("smoke");
    cr_assert_str_eq(p, "suites/v1/smoke.yaml");
    free(p);
    /* a path is taken as given, found or not */
    p = defaults_suite_path("some/where/else.yaml");
    cr_assert_str_eq(p, "some/where/else.yaml");
    free(p);
}
