/* Safe outputs (issue 22, items 12-14): what a hostile model, server or
 * file puts into the store must not become a formula in a spreadsheet, an
 * escape sequence on a terminal, HTML in a Markdown file, broken XML in a
 * plot, a write through someone's symlink, or a command a pasted --dry-run
 * line runs; and a store on a read-only file system stays readable. The
 * real binary against the loopback stand-in server; no llama-server. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "fake_openai.h"
#include "harness.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/utf8.h"

static struct fake_openai *fake;
static char *dir, *db, *suite;

/* A model whose name would set the terminal title, and look like a formula
 * and HTML; an answer with a screen clear, a formula, HTML and a pipe. */
#define EVIL_MODEL "=1+2 evil\x1b]0;pwned\x07 <img src=x onerror=alert(1)> & co\x01"
static const char ANSWER_JSON[] =
    "{\"choices\":[{\"message\":{\"content\":\"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\")"
    "\\u001b[2J<script>alert(1)</script> a|b\"},\"finish_reason\":\"stop\"}],"
    "\"timings\":{\"predicted_n\":5,\"predicted_ms\":100,\"predicted_per_second\":50}}";

static void setup(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake);
    dir = harness_tempdir();
    db = xasprintf("%s/bench.db", dir);
    suite = xasprintf("%s/hostile.yaml", dir);
    /* (item ids and suite names are checked on load: letters, digits, _ . : / -) */
    const char *yaml = "suite: hostile\nversion: 1\ndefaults:\n  scorer: exact\nitems:\n"
                       "  - {id: a, prompt: \"say a\", answer: a}\n"
                       "  - {id: minus, prompt: \"say b\", answer: \"-3.5\"}\n";
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(suite, yaml, strlen(yaml), &err), 0, "%s", err.msg);
}

static void teardown(void)
{
    fake_openai_stop(fake);
    free(db);
    free(suite);
    free(dir);
}

TestSuite(hostile_outputs, .init = setup, .fini = teardown, .timeout = 180);

/* Nothing a terminal acts on: no C0 control but newline and tab. */
static void assert_terminal_safe(const char *what, const char *out)
{
    for (const char *p = out; *p; p++)
        cr_assert(!((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t'),
                  "%s: raw control byte 0x%02x at offset %ld", what, (unsigned char)*p, (long)(p - out));
    cr_assert(utf8_is_clean(out, strlen(out)), "%s: not valid UTF-8", what);
}

static void run_evil(const char *tag)
{
    fake_openai_set_raw(fake, ANSWER_JSON, sizeof ANSWER_JSON - 1, 0);
    const char *args[] = { "run", "--suite", suite, "--backend", "openai", "--url", fake_openai_url(fake),
                           "--model", EVIL_MODEL, "--store", db, "--warmup", "0", "--tag", tag, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(args, NULL, &err), 0, "%s", err);
    free(err);
}

Test(hostile_outputs, a_run_prints_names_safely)
{
    fake_openai_set_raw(fake, ANSWER_JSON, sizeof ANSWER_JSON - 1, 0);
    const char *args[] = { "run", "--suite", suite, "--backend", "openai", "--url", fake_openai_url(fake),
                           "--model", EVIL_MODEL, "--store", db, "--warmup", "0", NULL };
    char *out = NULL, *err = NULL;
    cr_assert_eq(harness_run(args, &out, &err), 0, "%s", err);
    assert_terminal_safe("run stdout (the closing table)", out);
    assert_terminal_safe("run stderr (progress)", err);
    free(out);
    free(err);
}

static char *bench(const char *const *args, int want_code)
{
    char *out = NULL, *err = NULL;
    int code = harness_run(args, &out, &err);
    cr_assert_eq(code, want_code, "benchai %s exit %d; stderr:\n%s", args[0], code, err);
    cr_assert_null(strchr(err, '\x1b'), "benchai %s: raw ESC on stderr", args[0]);
    cr_assert_null(memchr(err, '\x07', strlen(err)), "benchai %s: raw BEL on stderr", args[0]);
    free(err);
    return out;
}

Test(hostile_outputs, answers_names_and_ids_are_shown_with_escapes_visible)
{
    run_evil("a");
    const char *show[] = { "show", "latest", "--items", "--store", db, NULL };
    char *out = bench(show, 0);
    assert_terminal_safe("show --items", out);
    cr_assert_not_null(strstr(out, "\\x1b\\[2J"), "the escape is visible, not dropped:\n%s", out);
    cr_assert_not_null(strstr(out, "evil\\x1b]0;pwned\\x07"), "the name's OSC is visible:\n%s", out);
    free(out);
    const char *runs[] = { "runs", "--store", db, NULL };
    out = bench(runs, 0);
    assert_terminal_safe("runs", out);
    free(out);
    const char *table[] = { "table", "--store", db, NULL };
    out = bench(table, 0);
    assert_terminal_safe("table", out);
    free(out);
    const char *json[] = { "show", "latest", "--items", "-o", "json", "--store", db, NULL };
    out = bench(json, 0);
    assert_terminal_safe("show -o json", out);
    cr_assert_not_null(strstr(out, "\\u001b[2J"), "JSON keeps the character as an escape");
    free(out);
}

Test(hostile_outputs, compare_and_gate_show_names_safely)
{
    run_evil("a");
    run_evil("b");
    const char *cmp[] = { "compare", "tag:a", "tag:b", "--store", db, NULL };
    char *out = bench(cmp, 0);
    assert_terminal_safe("compare", out);
    free(out);
    const char *gate[] = { "gate", "--baseline", "tag:a", "--candidate", "tag:b", "--store", db, NULL };
    char *err = NULL;
    int code = harness_run(gate, &out, &err);
    cr_assert(code == 0 || code == 1, "gate exit %d: %s", code, err);
    assert_terminal_safe("gate", out);
    assert_terminal_safe("gate stderr", err);
    free(out);
    free(err);
}

Test(hostile_outputs, a_server_error_body_is_an_incident_shown_safely)
{
    static const char body[] = "{\"error\":{\"message\":\"\x1b[2J\x1b]0;owned\x07 overloaded\"}}";
    fake_openai_set_raw_status(fake, 503, body, sizeof body - 1);
    const char *args[] = { "run", "--suite", suite, "--backend", "openai", "--url", fake_openai_url(fake),
                           "--model", "m", "--store", db, "--warmup", "0", "--retries", "1", NULL };
    char *err = NULL;
    harness_run(args, NULL, &err);
    assert_terminal_safe("run stderr", err);
    free(err);
    const char *show[] = { "show", "latest", "--store", db, NULL };
    char *out = bench(show, 0);
    assert_terminal_safe("show", out);
    cr_assert_not_null(strstr(out, "\\x1b[2J"), "the incident is shown:\n%s", out);
    free(out);
    const char *failed[] = { "show", "latest", "--failed", "--store", db, NULL };
    out = bench(failed, 0);
    assert_terminal_safe("show --failed", out);
    free(out);
}

Test(hostile_outputs, csv_cells_are_not_formulas_and_numbers_stay_numbers)
{
    run_evil("a");
    const char *exp[] = { "export", "latest", "-o", "csv", "--store", db, NULL };
    char *out = bench(exp, 0);
    assert_terminal_safe("export -o csv", out);
    cr_assert_not_null(strstr(out, "\"'=HYPERLINK("), "the answer is text:\n%s", out);
    cr_assert_not_null(strstr(out, ",'=1+2 evil\\x1b]0;pwned\\x07 "), "the config name:\n%s", out);
    cr_assert_null(strstr(out, ",=HYPERLINK"), "%s", out);
    cr_assert_null(strstr(out, ",\"=HYPERLINK"), "%s", out);
    /* t_start_s with milliseconds, not 1.79652e+09 (issue 21 item 8) */
    cr_assert_null(strstr(out, "e+09"), "%s", out);
    free(out);

    /* a number is not prefixed: the 'minus' item's expected answer */
    const char *tbl[] = { "table", "-o", "csv", "--store", db, NULL };
    out = bench(tbl, 0);
    cr_assert_not_null(strstr(out, "'=1+2 evil"), "table -o csv guards the name:\n%s", out);
    cr_assert_null(strstr(out, ",=1+2"), "%s", out);
    free(out);
    const char *raw[] = { "export", "latest", "-o", "csv", "--csv-raw", "--store", db, NULL };
    out = bench(raw, 0);
    cr_assert_not_null(strstr(out, ",\"=HYPERLINK("), "--csv-raw keeps the cell:\n%s", out);
    free(out);
}

Test(hostile_outputs, export_times_keep_milliseconds)
{
    run_evil("a");
    const char *exp[] = { "export", "latest", "-o", "csv", "--store", db, NULL };
    char *out = bench(exp, 0);
    /* t_start_s is the field before finish_reason ("stop") */
    int rows = 0;
    for (const char *p = strstr(out, ",stop,"); p; p = strstr(p + 1, ",stop,")) {
        const char *start = p;
        while (start > out && start[-1] != ',')
            start--;
        char *end = NULL;
        double t = strtod(start, &end);
        cr_assert_gt(t, 1.7e9, "t_start_s %.20s", start);
        cr_assert_eq(end, p, "t_start_s is one plain number: %.20s", start);
        const char *dot = memchr(start, '.', (size_t)(p - start));
        cr_assert_not_null(dot, "t_start_s has a fraction: %.20s", start);
        cr_assert_eq(p - dot - 1, 3, "three decimals (milliseconds): %.20s", start);
        rows++;
    }
    cr_assert_eq(rows, 2);
    free(out);
    const char *md[] = { "export", "latest", "-o", "md", "--store", db, NULL };
    out = bench(md, 0);
    cr_assert_null(strstr(out, "e+09"), "md too:\n%s", out);
    free(out);
}

Test(hostile_outputs, markdown_export_has_no_raw_html)
{
    run_evil("a");
    const char *exp[] = { "export", "latest", "-o", "md", "--store", db, NULL };
    char *out = bench(exp, 0);
    assert_terminal_safe("export -o md", out);
    cr_assert_null(strstr(out, "<script>"), "%s", out);
    cr_assert_null(strstr(out, "<img"), "%s", out);
    cr_assert_not_null(strstr(out, "&lt;script>"), "%s", out);
    cr_assert_not_null(strstr(out, "a\\|b"), "a pipe does not split the cell:\n%s", out);
    /* every row has the header's number of cells */
    int header_pipes = 0, row_pipes = 0;
    const char *p = out;
    for (; *p && *p != '\n'; p++)
        header_pipes += *p == '|' && (p == out || p[-1] != '\\');
    for (p = strchr(strchr(p + 1, '\n') + 1, '|'); p && *p && *p != '\n'; p++)
        row_pipes += *p == '|' && p[-1] != '\\';
    cr_assert_eq(row_pipes, header_pipes);
    free(out);
}

/* XML 1.0 cannot hold C0 controls other than tab, CR, LF at all. */
static void assert_xml_chars(const char *path)
{
    char *svg = fs_read_file(path, NULL, NULL);
    cr_assert_not_null(svg, "%s was not written", path);
    for (const char *p = svg; *p; p++)
        cr_assert(!((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r'),
                  "%s: control byte 0x%02x: not well-formed XML", path, (unsigned char)*p);
    const char *evil = strstr(svg, "evil");
    cr_assert_not_null(strstr(svg, "evil\\x1b]0;pwned"), "%s: the name is drawn, its escape visible: %.60s",
                       path, evil ? evil : "(no name)");
    cr_assert(utf8_is_clean(svg, strlen(svg)));
    cr_assert_null(strstr(svg, "<img"), "the name's < is escaped");
    free(svg);
}

Test(hostile_outputs, svg_plots_are_well_formed_for_any_name)
{
    if (access("/usr/bin/gnuplot", X_OK) != 0)
        cr_skip_test("gnuplot is not installed");
    run_evil("a");
    run_evil("b");
    char *svg = xasprintf("%s/pareto.svg", dir);
    const char *args[] = { "pareto", "--plot", svg, "--store", db, NULL };
    char *out = bench(args, 0);
    free(out);
    assert_xml_chars(svg);
    free(svg);
    char *rep = xasprintf("%s/report", dir);
    const char *report[] = { "report", "tag:a", "tag:b", "--out", rep, "--store", db, NULL };
    out = bench(report, 0);
    free(out);
    char *scores = xasprintf("%s/plots/scores.svg", rep);
    assert_xml_chars(scores);
    free(scores);
    free(rep);
}

Test(hostile_outputs, outputs_are_not_written_through_a_planted_symlink)
{
    run_evil("a");
    char *target = xasprintf("%s/victim", dir);
    struct bai_error e = {0};
    cr_assert_eq(fs_write_atomic(target, "precious\n", 9, &e), 0);
    struct { const char *flag, *name; } cases[] = {
        { "--plot", "plot.svg" }, { "--out", "out.csv" }, { "--junit", "gate.xml" }, { "--out", "rep" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *link = xasprintf("%s/%s", dir, cases[i].name);
        cr_assert_eq(symlink(target, link), 0);
        const char *plot[] = { "pareto", "--plot", link, "--store", db, NULL };
        const char *exp[] = { "export", "latest", "-o", "csv", "--out", link, "--store", db, NULL };
        const char *gate[] = { "gate", "--baseline", "latest", "--candidate", "latest", "--junit", link,
                               "--store", db, NULL };
        const char *report[] = { "report", "latest", "--out", link, "--store", db, NULL };
        const char *const *args = i == 0 ? plot : i == 1 ? exp : i == 2 ? gate : report;
        char *err = NULL;
        int code = harness_run(args, NULL, &err);
        cr_assert_eq(code, 2, "%s %s through a link: exit %d, %s", args[0], cases[i].flag, code, err);
        cr_assert_not_null(strstr(err, "symbolic link"), "%s", err);
        free(err);
        char *now = fs_read_file(target, NULL, NULL);
        cr_assert_str_eq(now, "precious\n", "%s %s wrote through the link", args[0], cases[i].flag);
        free(now);
        struct stat sb;
        cr_assert_eq(lstat(link, &sb), 0);
        cr_assert(S_ISLNK(sb.st_mode), "the link is left as it was");
        free(link);
    }
    free(target);
}

Test(hostile_outputs, dry_run_lines_are_shell_quoted)
{
    if (!harness_have_llama())
        cr_skip_test("no llama-server build (make models)");
    char *flag = xasprintf("%s/pwned", dir);
    char *arg = xasprintf("--alias=$(touch %s)`touch %s`", flag, flag);
    char *model = harness_model("tiny-dense");
    const char *args[] = { "run", "--suite", suite, "--model", model, "--server-arg", arg, "--server-arg",
                           "it's", "--dry-run", "--store", db, NULL };
    char *out = bench(args, 0);
    char *line = strstr(out, "llama-server");
    cr_assert_not_null(line, "%s", out);
    while (line > out && line[-1] != '\n')
        line--;
    char *eol = strchr(line, '\n');
    *eol = '\0';
    /* run the pasted line with the server replaced by printf, in a shell */
    const char *server_end = strstr(line, "llama-server") + strlen("llama-server");
    char *cmd = xasprintf("printf '%%s\\n' %s", server_end);
    char *sh_out = NULL;
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    pclose(p);
    sh_out = buf_detach(&b);
    cr_assert_not(fs_exists(flag), "pasting the --dry-run line ran $(...): %s", line);
    cr_assert_not_null(strstr(sh_out, arg), "the argument arrives as one word:\n%s", sh_out);
    cr_assert_not_null(strstr(sh_out, "\nit's\n"), "%s", sh_out);
    free(sh_out);
    free(cmd);
    free(out);
    free(model);
    free(arg);
    free(flag);
}

/* --- read-only stores ----------------------------------------------------- */

/* Runs benchai in a child that sees the folder read-only (its own mount
 * namespace; the test's machine is untouched), optionally as uid 65534.
 * Returns the exit code, or -2 when the namespace cannot be made. */
static int run_readonly(const char *const *args, int as_nobody, char **out)
{
    char *outp = xasprintf("%s/ro.out", dir);
    int fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    cr_assert_geq(fd, 0);
    fchmod(fd, 0666);
    pid_t pid = fork();
    if (pid == 0) {
        if (!as_nobody) {
            if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
                mount(dir, dir, NULL, MS_BIND, NULL) != 0 ||
                mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
                _exit(200);
        }
        dup2(fd, 1);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        if (as_nobody && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(200);
        const char *argv[16] = { harness_bin() };
        size_t i = 0;
        for (; args[i]; i++)
            argv[i + 1] = args[i];
        argv[i + 1] = NULL;
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (out)
        *out = fs_read_file(outp, NULL, NULL);
    unlink(outp);
    free(outp);
    return code == 200 ? -2 : code;
}

static void readonly_commands_work(int as_nobody)
{
    const char *runs[] = { "runs", "--store", db, NULL };
    char *out = NULL;
    int code = run_readonly(runs, as_nobody, &out);
    if (code == -2)
        cr_skip_test("cannot make a read-only mount or drop to uid 65534 here");
    cr_assert_eq(code, 0, "runs on a read-only store: exit %d", code);
    cr_assert_not_null(strstr(out, "hostile"), "%s", out);
    free(out);
    const char *show[] = { "show", "latest", "--items", "--store", db, NULL };
    cr_assert_eq(run_readonly(show, as_nobody, &out), 0, "show");
    cr_assert_not_null(strstr(out, "# Run "), "%s", out);
    free(out);
    const char *exp[] = { "export", "latest", "-o", "jsonl", "--store", db, NULL };
    cr_assert_eq(run_readonly(exp, as_nobody, &out), 0, "export");
    cr_assert_not_null(strstr(out, "\"suite\":\"hostile\""), "%s", out);
    free(out);
}

Test(hostile_outputs, a_store_on_a_read_only_file_system_can_be_listed_and_shown)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for a private read-only mount");
    run_evil("a");
    readonly_commands_work(0);
}

Test(hostile_outputs, a_store_older_by_one_schema_version_is_read_where_it_cannot_be_migrated)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for a private read-only mount");
    run_evil("a");
    /* what a benchai one schema version older wrote: without what the last
     * migration (v10: the run manifest and sessions) added */
    char *sql = xasprintf("DROP INDEX samples_by_session; ALTER TABLE samples DROP COLUMN session;"
                          " DROP TABLE run_sessions; DROP TABLE run_planned;"
                          " ALTER TABLE runs DROP COLUMN n_shards; ALTER TABLE runs DROP COLUMN manifest_sha256;"
                          " UPDATE meta SET value = '%d' WHERE key = 'schema_version';", STORE_SCHEMA_VERSION - 1);
    char *path = xasprintf("%s/v4.sql", dir);
    struct bai_error e = {0};
    cr_assert_eq(fs_write_atomic(path, sql, strlen(sql), &e), 0);
    harness_sql_file(db, path);
    unlink(path);
    readonly_commands_work(0);
    cr_assert_eq(harness_sql_int(db, "SELECT value FROM meta WHERE key = 'schema_version'"), STORE_SCHEMA_VERSION - 1,
                 "the read-only store was not touched");
    free(path);
    free(sql);
}

Test(hostile_outputs, a_store_its_reader_may_not_write_is_readable)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to run the reader as another user");
    run_evil("a");
    /* uid 65534 may read the folder and the store, write neither */
    cr_assert_eq(chmod(dir, 0755), 0);
    cr_assert_eq(chmod(db, 0444), 0);
    char *bin_dir = fs_dirname(harness_bin());
    if (access(harness_bin(), X_OK) != 0)
        cr_skip_test("benchai is not executable by others");
    free(bin_dir);
    readonly_commands_work(1);
}
