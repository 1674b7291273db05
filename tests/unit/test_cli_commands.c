/* Flag errors and help of real commands, parsed from their tables: the
 * message names the command and the flag, suggests the closest flag, and
 * exits 2; --help goes to stdout and exits 0. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/error.h"

static char *captured(FILE *f)
{
    static char all[16384];
    fflush(stdout);
    fflush(stderr);
    size_t n = fread(all, 1, sizeof all - 1, f);
    all[n] = '\0';
    return all;
}

#define RUN(fn, ...)                                                         \
    ({                                                                       \
        char *argv_[] = { __VA_ARGS__, NULL };                               \
        fn((int)(sizeof argv_ / sizeof argv_[0]) - 1, argv_);                \
    })

Test(cli_commands, unknown_flag_suggests, .init = cr_redirect_stderr)
{
    cr_assert_eq(RUN(cmd_show, "show", "--faild", "latest"), BAI_EXIT_USAGE);
    cr_assert_str_eq(captured(cr_get_redirected_stderr()),
                     "benchai show: unknown option '--faild'; did you mean '--failed'?\n");
}

Test(cli_commands, bad_values_name_the_flag, .init = cr_redirect_stderr)
{
    cr_assert_eq(RUN(cmd_runs, "runs", "--limit", "lots"), BAI_EXIT_USAGE);
    cr_assert_eq(RUN(cmd_runs, "runs", "--status", "finished"), BAI_EXIT_USAGE);
    cr_assert_eq(RUN(cmd_table, "table", "-o", "xml"), BAI_EXIT_USAGE);
    cr_assert_eq(RUN(cmd_pareto, "pareto", "--x", "tps"), BAI_EXIT_USAGE);
    cr_assert_str_eq(captured(cr_get_redirected_stderr()),
                     "benchai runs: --limit wants an integer from 1 to 1000000, got 'lots'\n"
                     "benchai runs: --status wants one of running, done, interrupted, failed, got 'finished'\n"
                     "benchai table: -o wants one of md, csv, json, got 'xml'\n"
                     "benchai pareto: --x wants one of gen_tps, ttft_p95, e2e_p50, memory_gb, gpu_gb, got 'tps'\n");
}

Test(cli_commands, arguments_are_counted, .init = cr_redirect_stderr)
{
    cr_assert_eq(RUN(cmd_export, "export", "-o", "csv"), BAI_EXIT_USAGE);
    cr_assert_eq(RUN(cmd_rm, "rm", "a", "b"), BAI_EXIT_USAGE);
    cr_assert_eq(RUN(cmd_select, "select", "coder"), BAI_EXIT_USAGE);
    cr_assert_eq(RUN(cmd_store, "store"), BAI_EXIT_USAGE);
    cr_assert_str_eq(captured(cr_get_redirected_stderr()),
                     "benchai export: missing RUN (see benchai export --help)\n"
                     "benchai rm: unexpected argument 'b' (expected RUN)\n"
                     "benchai select: unexpected argument 'coder' (see benchai select --help)\n"
                     "benchai store: missing ACTION (see benchai store --help)\n");
}

Test(cli_commands, help_is_the_table, .init = cr_redirect_stdout)
{
    cr_assert_eq(RUN(cmd_rm, "rm", "--help"), BAI_EXIT_OK);
    const char *out = captured(cr_get_redirected_stdout());
    cr_assert(!strncmp(out, "usage: benchai rm RUN [--yes] [--store PATH]\n", 45), "%s", out);
    cr_assert(strstr(out, "\n  -y, --yes                 do not ask\n"), "%s", out);
    cr_assert(strstr(out, "\n  -q, --quiet "), "common options are listed: %s", out);
}

Test(cli_commands, old_spelling_of_out_still_works, .init = cr_redirect_stderr)
{
    /* the import itself fails (no such file) after the flag was accepted */
    cr_assert_eq(RUN(cmd_import, "import", "jsonl", "/nonexistent/x.jsonl", "-o", "/tmp/x.yaml"),
                 BAI_EXIT_USAGE);
    const char *err = captured(cr_get_redirected_stderr());
    cr_assert(strstr(err, "'benchai import -o' is deprecated; use --out"), "%s", err);
    cr_assert(strstr(err, "/nonexistent/x.jsonl"), "%s", err);
}
