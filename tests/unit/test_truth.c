/* test_truth.c - numbers a user can decide on (issue 21 items 4, 5, 7;
 * issue 24 item 6), end to end through the commands: `run`'s closing table,
 * `show`, `table` and `status` print one figure per (config, suite); a
 * sample that timed out or errored counts as a failure (its partial output
 * kept); a run with no successful sample exits non-zero; after `resume` the
 * closing table counts the whole run; a SIGKILLed run's status says it
 * stopped; two judges' scores live side by side; `show --failed` lists
 * scored failures first.
 *
 * The model and the judge are the loopback stand-in tests/helpers/
 * fake_openai.c, whose replies decide every score; expected figures are
 * worked out by hand next to each assertion from the suites in
 * tests/data/truth/ (three items each). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "fake_openai.h"
#include "harness.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"

#define EXACT "tests/data/truth/truth_exact.yaml"
#define JUDGE "tests/data/truth/truth_judge.yaml"
#define IFEVAL "tests/data/truth/truth_ifeval.yaml"

#ifndef BAI_EXIT_NO_SAMPLES
#define BAI_EXIT_NO_SAMPLES 7   /* lets this file build against a benchai without it, to see it fail */
#endif

static struct fake_openai *fake;
static char *dir, *db, *logs;

static void setup(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake, "fake server did not start");
    dir = harness_tempdir();
    db = xasprintf("%s/truth.db", dir);
    logs = xasprintf("%s/logs", dir);
}

static void teardown(void)
{
    fake_openai_stop(fake);
    free(db);
    free(logs);
    free(dir);
}

TestSuite(truth, .init = setup, .fini = teardown, .timeout = 90);

/* Runs a command in this process with args (NULL-terminated, the command
 * name first); returns what it printed on stdout, *rc its exit code. */
static char *capture(int (*fn)(int, char **), const char *const *args, int *rc)
{
    int argc = 0;
    while (args[argc])
        argc++;
    char **argv = xcalloc((size_t)argc + 1, sizeof *argv);
    for (int i = 0; i < argc; i++)
        argv[i] = xstrdup(args[i]);
    char **copy = xcalloc((size_t)argc + 1, sizeof *copy);
    memcpy(copy, argv, (size_t)argc * sizeof *argv);
    char *file = xasprintf("%s/stdout-%d", dir, rand());
    fflush(stdout);
    int saved = dup(1);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    *rc = fn(argc, copy);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    char *text = fs_read_file(file, NULL, NULL);
    unlink(file);
    free(file);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    free(copy);
    return text ? text : xstrdup("");
}

/* `benchai run` of one suite against the fake (model "m", no warm-up, no
 * progress), with extra flags; returns the closing table. */
static char *run_suite(const char *suite, const char *const *extra, int *rc)
{
    const char *args[40] = { "run", "--suite", suite, "--backend", "openai", "--url", fake_openai_url(fake),
                             "--model", "m", "--warmup", "0", "--store", db, "--logs", logs, "-q" };
    size_t n = 16;
    for (size_t i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    return capture(cmd_run, args, rc);
}

/* The cell in column `col` of the first Markdown table row containing
 * `row` (a copy, trimmed), NULL when there is none. */
static char *md_cell(const char *text, const char *row, const char *col)
{
    char **head = NULL;
    size_t n_head = 0;
    char *result = NULL;
    const char *line = text;
    while (line && *line && !result) {
        size_t len = strcspn(line, "\n");
        char *l = xstrndup(line, len);
        line += len + (line[len] == '\n');
        if (l[0] != '|') {
            for (size_t i = 0; i < n_head; i++)
                free(head[i]);
            free(head);
            head = NULL;
            n_head = 0;
            free(l);
            continue;
        }
        /* split on '|' and trim */
        char **cells = NULL;
        size_t nc = 0;
        for (char *p = l + 1; *p;) {
            char *bar = strchr(p, '|');
            size_t cl = bar ? (size_t)(bar - p) : strlen(p);
            char *c = xstrndup(p, cl);
            char *s = c;
            while (*s == ' ')
                s++;
            size_t sl = strlen(s);
            while (sl && (s[sl - 1] == ' ' || s[sl - 1] == '*'))
                s[--sl] = '\0';
            while (*s == '*')
                s++;
            cells = xrealloc(cells, (nc + 1) * sizeof *cells);
            cells[nc++] = xstrdup(s);
            free(c);
            if (!bar)
                break;
            p = bar + 1;
        }
        if (!head) {
            head = cells;
            n_head = nc;
        } else {
            int sep = nc && cells[0][0] == '-';
            if (!sep && strstr(l, row))
                for (size_t i = 0; i < n_head && i < nc; i++)
                    if (!strcmp(head[i], col))
                        result = xstrdup(cells[i]);
            for (size_t i = 0; i < nc; i++)
                free(cells[i]);
            free(cells);
        }
        free(l);
    }
    for (size_t i = 0; i < n_head; i++)
        free(head[i]);
    free(head);
    return result;
}

/* The number at the start of a table cell ("60.0", "60.0%", "0/3" -> 0). */
static double cell_num(const char *text, const char *row, const char *col)
{
    char *c = md_cell(text, row, col);
    cr_assert_not_null(c, "no column '%s' in the row with '%s':\n%s", col, row, text);
    char *end;
    double v = strtod(c, &end);
    cr_assert(end != c, "column '%s' is '%s', not a number:\n%s", col, c, text);
    free(c);
    return v;
}

static char *cell(const char *text, const char *row, const char *col)
{
    char *c = md_cell(text, row, col);
    cr_assert_not_null(c, "no column '%s' in the row with '%s':\n%s", col, row, text);
    return c;
}

static cJSON *json_of(int (*fn)(int, char **), const char *const *args)
{
    int rc;
    char *text = capture(fn, args, &rc);
    cr_assert_eq(rc, 0, "%s exit %d:\n%s", args[0], rc, text);
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root, "%s", text);
    free(text);
    return root;
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(v), "no number '%s' in %s", key, cJSON_PrintUnformatted(o));
    return v->valuedouble;
}

/* show -o json: the scores of the first group. */
static cJSON *show_scores(cJSON *root)
{
    const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "groups"), 0);
    cr_assert_not_null(g);
    return cJSON_GetObjectItemCaseSensitive(g, "scores");
}

/* table -o json: the suite object of the only point. */
static const cJSON *table_suite(const cJSON *root, const char *suite)
{
    const cJSON *p = cJSON_GetArrayItem(root, 0);
    cr_assert_not_null(p);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "suites"), suite);
    cr_assert_not_null(s, "%s", cJSON_PrintUnformatted(root));
    return s;
}

/* The four views of a one-config, one-suite run: closing table, show,
 * table, status; each must print `score` (0-100), `pass` passed of 3 and
 * `unparsed`. */
static void same_everywhere(const char *closing, const char *suite, double score, int passed, int unparsed)
{
    cr_assert_float_eq(cell_num(closing, suite, "score"), score, 0.05, "closing table:\n%s", closing);
    char *p = cell(closing, suite, "passed");
    char want[32];
    snprintf(want, sizeof want, "%d/3", passed);
    cr_assert_str_eq(p, want, "closing table:\n%s", closing);
    free(p);
    cr_assert_float_eq(cell_num(closing, suite, "unparsed"), unparsed, 1e-9, "%s", closing);

    const char *show[] = { "show", "latest", "--store", db, "-o", "json", NULL };
    cJSON *root = json_of(cmd_show, show);
    const cJSON *s = cJSON_GetArrayItem(show_scores(root), 0);
    cr_assert_float_eq(jnum(s, "score"), score, 0.05, "show: %s", cJSON_PrintUnformatted(s));
    cr_assert_float_eq(jnum(s, "passed"), passed, 1e-9, "show: %s", cJSON_PrintUnformatted(s));
    cr_assert_float_eq(jnum(s, "n"), 3, 1e-9, "show: %s", cJSON_PrintUnformatted(s));
    cr_assert_float_eq(jnum(s, "unparsed"), unparsed, 1e-9);
    cJSON_Delete(root);

    const char *show_md[] = { "show", "latest", "--store", db, NULL };
    int rc;
    char *md = capture(cmd_show, show_md, &rc);
    cr_assert_float_eq(cell_num(md, suite, "score"), score, 0.05, "show:\n%s", md);
    p = cell(md, suite, "passed");
    cr_assert_str_eq(p, want, "show:\n%s", md);
    free(p);
    free(md);

    const char *table[] = { "table", "--store", db, "-o", "json", NULL };
    root = json_of(cmd_table, table);
    const cJSON *t = table_suite(root, suite);
    cr_assert_float_eq(jnum(t, "score"), score, 0.05, "table: %s", cJSON_PrintUnformatted(t));
    cr_assert_float_eq(jnum(t, "passed"), passed, 1e-9);
    cr_assert_float_eq(jnum(t, "unparsed"), unparsed, 1e-9);
    cJSON_Delete(root);
    const char *table_md[] = { "table", "--store", db, NULL };
    md = capture(cmd_table, table_md, &rc);
    cr_assert_float_eq(cell_num(md, "m", suite), score, 0.05, "table:\n%s", md);
    free(md);

    const char *status[] = { "status", "--store", db, NULL };
    md = capture(cmd_status, status, &rc);
    cr_assert_float_eq(cell_num(md, suite, "score"), score, 0.05, "status:\n%s", md);
    free(md);
}

/* Judge: every judgement is "SCORE: 60", below the pass mark 70: the
 * score is the mean 60.0 (graded), the pass rate 0 of 3. Before, the
 * closing table said 60.0% and show 0.0 (show took the pass rate). */
Test(truth, judge_run_prints_one_score_everywhere)
{
    fake_openai_set_reply(fake, "SCORE: 60");
    const char *extra[] = { "--no-stream", "--judge-url", fake_openai_url(fake), "--judge-model", "jm", NULL };
    int rc;
    char *closing = run_suite(JUDGE, extra, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    same_everywhere(closing, "truth_judge", 60.0, 0, 0);
    free(closing);
}

/* IFEval: "hello, world" is lower case but has a comma: one instruction of
 * two per item, value 0.5; the score is the mean 50.0, the pass rate
 * (every instruction followed) 0 of 3. */
Test(truth, ifeval_run_prints_one_score_everywhere)
{
    fake_openai_set_reply(fake, "hello, world");
    const char *extra[] = { "--no-stream", NULL };
    int rc;
    char *closing = run_suite(IFEVAL, extra, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    same_everywhere(closing, "truth_ifeval", 50.0, 0, 0);
    free(closing);
}

/* A judge that never gives a score: three unparsed judgements, each a
 * failed sample worth 0: passed 0 of 3 and unparsed 3 everywhere (before:
 * closing 0/3, show 0/0). */
Test(truth, unparsed_judgements_count_the_same_everywhere)
{
    fake_openai_set_reply(fake, "I cannot decide.");
    const char *extra[] = { "--no-stream", "--judge-url", fake_openai_url(fake), "--judge-model", "jm", NULL };
    int rc;
    char *closing = run_suite(JUDGE, extra, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    same_everywhere(closing, "truth_judge", 0.0, 0, 3);
    free(closing);
}

/* The third request hangs after sending "4": with --timeout 1 it times
 * out. It is a failure in the score (2 of 3: 66.7), counted as a timeout,
 * and its partial output is stored; --exclude-failed gives the old view
 * (2 of 2: 100.0) and says so. */
Test(truth, a_timed_out_sample_lowers_the_score_and_keeps_its_partial_output)
{
    fake_openai_set_reply(fake, "42");
    fake_openai_stall(fake, 2, 1, "4", 20000);
    const char *extra[] = { "--timeout", "1", "--retries", "0", NULL };
    int rc;
    char *closing = run_suite(EXACT, extra, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    cr_assert_float_eq(cell_num(closing, "truth_exact", "score"), 66.7, 0.05, "%s", closing);
    cr_assert_float_eq(cell_num(closing, "truth_exact", "timeouts"), 1, 1e-9, "%s", closing);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM samples WHERE status = 'timeout' AND item_id = 'q3'"
                                     " AND output = '4'"), 1);

    const char *show[] = { "show", "latest", "--store", db, "-o", "json", NULL };
    cJSON *root = json_of(cmd_show, show);
    const cJSON *s = cJSON_GetArrayItem(show_scores(root), 0);
    cr_assert_float_eq(jnum(s, "score"), 200.0 / 3, 1e-6);
    cr_assert_float_eq(jnum(s, "timeouts"), 1, 1e-9);
    cr_assert_float_eq(jnum(s, "n"), 3, 1e-9);
    cJSON_Delete(root);
    const char *table[] = { "table", "--store", db, "-o", "json", NULL };
    root = json_of(cmd_table, table);
    cr_assert_float_eq(jnum(table_suite(root, "truth_exact"), "score"), 200.0 / 3, 1e-6);
    cr_assert_float_eq(jnum(table_suite(root, "truth_exact"), "timeouts"), 1, 1e-9);
    cJSON_Delete(root);

    const char *excl[] = { "show", "latest", "--store", db, "--exclude-failed", "-o", "json", NULL };
    root = json_of(cmd_show, excl);
    s = cJSON_GetArrayItem(show_scores(root), 0);
    cr_assert_float_eq(jnum(s, "score"), 100.0, 1e-9);
    cr_assert_float_eq(jnum(s, "n"), 2, 1e-9);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "exclude_failed")));
    cJSON_Delete(root);
    const char *excl_md[] = { "show", "latest", "--store", db, "--exclude-failed", NULL };
    char *md = capture(cmd_show, excl_md, &rc);
    cr_assert(strstr(md, "--exclude-failed"), "the view is labelled:\n%s", md);
    free(md);
    free(closing);
}

/* Every request fails (HTTP 400, not retried): the run exits
 * BAI_EXIT_NO_SAMPLES and the score is 0 with 3 errors (before: exit 0). */
Test(truth, a_run_whose_every_sample_failed_exits_non_zero)
{
    fake_openai_fail_next(fake, 1000, 400);
    int rc;
    char *closing = run_suite(EXACT, NULL, &rc);
    cr_assert_eq(rc, BAI_EXIT_NO_SAMPLES, "exit %d:\n%s", rc, closing);
    cr_assert_float_eq(cell_num(closing, "truth_exact", "score"), 0.0, 1e-9, "%s", closing);
    cr_assert_float_eq(cell_num(closing, "truth_exact", "errors"), 3, 1e-9, "%s", closing);
    /* it sent all it planned: done, the failures are in its samples */
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 1);
    free(closing);
}

/* A run judged by "jm-a" (60), then `rescore` with "jm-b" (90): both
 * judges' scores are kept; show names both; reports use the newest judge
 * unless --judge picks one; rescore prints 0-100. */
Test(truth, a_second_judge_is_kept_beside_the_first)
{
    fake_openai_set_reply(fake, "SCORE: 60");
    const char *extra[] = { "--no-stream", "--judge-url", fake_openai_url(fake), "--judge-model", "jm-a", NULL };
    int rc;
    char *closing = run_suite(JUDGE, extra, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    free(closing);
    fake_openai_set_reply(fake, "SCORE: 90");
    const char *rescore[] = { "rescore", "latest", "--suite", JUDGE, "--judge-url", fake_openai_url(fake),
                              "--judge-model", "jm-b", "--peers", "0", "--store", db, NULL };
    char *out = capture(cmd_rescore, rescore, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", out);
    cr_assert(strstr(out, "90.0"), "rescore prints 0-100:\n%s", out);
    cr_assert_null(strstr(out, "0.900"), "%s", out);
    free(out);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM scores WHERE scorer LIKE 'judge:jm-a%'"), 3);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM scores WHERE scorer LIKE 'judge:jm-b%'"), 3);

    const char *show[] = { "show", "latest", "--store", db, "-o", "json", NULL };
    cJSON *root = json_of(cmd_show, show);
    const cJSON *scores = show_scores(root);
    cr_assert_eq(cJSON_GetArraySize(scores), 2);
    int seen_a = 0, seen_b = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, scores) {
        const char *name = cJSON_GetObjectItemCaseSensitive(s, "scorer")->valuestring;
        if (strstr(name, "jm-a"))
            seen_a = jnum(s, "score") > 59.9 && jnum(s, "score") < 60.1;
        if (strstr(name, "jm-b"))
            seen_b = jnum(s, "score") > 89.9 && jnum(s, "score") < 90.1;
    }
    cr_assert(seen_a && seen_b, "%s", cJSON_PrintUnformatted(scores));
    cJSON_Delete(root);

    const char *table[] = { "table", "--store", db, "-o", "json", NULL };
    root = json_of(cmd_table, table);
    cr_assert_float_eq(jnum(table_suite(root, "truth_judge"), "score"), 90.0, 1e-9, "the newest judge");
    cr_assert(strstr(cJSON_GetObjectItemCaseSensitive(table_suite(root, "truth_judge"), "scorer")->valuestring,
                     "jm-b"));
    cJSON_Delete(root);
    const char *table_a[] = { "table", "--store", db, "--judge", "jm-a", "-o", "json", NULL };
    root = json_of(cmd_table, table_a);
    cr_assert_float_eq(jnum(table_suite(root, "truth_judge"), "score"), 60.0, 1e-9, "--judge picks one");
    cJSON_Delete(root);
    const char *table_md[] = { "table", "--store", db, NULL };
    out = capture(cmd_table, table_md, &rc);
    cr_assert(strstr(out, "jm-b"), "the table names its judge:\n%s", out);
    free(out);
}

/* Waits up to ms for a query on the store to give at least want. */
static int wait_sql(const char *sql, long long want, int ms)
{
    for (int t = 0; t < ms; t += 50) {
        if (access(db, F_OK) == 0 &&
            harness_sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'samples'") == 1 &&
            harness_sql_int(db, sql) >= want)
            return 1;
        usleep(50 * 1000);
    }
    return 0;
}

/* benchai run in another process: two answers, then the third request
 * hangs (held 60 s), so the run stays "running" with 2 samples stored. */
static pid_t spawn_hanging_run(void)
{
    fake_openai_set_reply(fake, "42");
    fake_openai_stall(fake, 2, 1, "4", 60000);
    const char *args[] = { "run", "--suite", EXACT, "--backend", "openai", "--url", fake_openai_url(fake),
                           "--model", "m", "--warmup", "0", "--store", db, "--logs", logs, "-q", NULL };
    pid_t pid = harness_spawn(args, dir);
    cr_assert_gt(pid, 0);
    cr_assert(wait_sql("SELECT count(*) FROM samples", 2, 20000), "the run stored no samples");
    cr_assert(wait_sql("SELECT count(*) FROM samples", 2, 100));
    return pid;
}

/* A SIGKILLed run's status said "running ... ETA" forever; now it says
 * that its process is gone. */
Test(truth, a_sigkilled_run_is_shown_as_stopped)
{
    pid_t pid = spawn_hanging_run();
    const char *status[] = { "status", "--store", db, NULL };
    int rc;
    char *md = capture(cmd_status, status, &rc);
    cr_assert(strstr(md, ": running"), "%s", md);
    free(md);
    kill(pid, SIGKILL);
    harness_wait(pid);
    md = capture(cmd_status, status, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(md, "stopped (no benchai process)"), "%s", md);
    cr_assert_null(strstr(md, ", ETA"), "no ETA for a run nobody runs: %s", md);
    free(md);
    const char *json[] = { "status", "--store", db, "-o", "json", NULL };
    cJSON *root = json_of(cmd_status, json);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "status")->valuestring, "stopped");
    cJSON_Delete(root);
    /* the HTML report's runs table says the same (it said "running") */
    setenv("BENCHAI_GNUPLOT", "none", 1);
    char *out = xasprintf("%s/report-stopped", dir);
    const char *report[] = { "report", "latest", "--out", out, "--store", db, NULL };
    char *text = capture(cmd_report, report, &rc);
    cr_assert_eq(rc, 0, "%s", text);
    free(text);
    char *index = xasprintf("%s/index.html", out);
    char *html = fs_read_file(index, NULL, NULL);
    cr_assert_not_null(html);
    cr_assert(strstr(html, "stopped (no benchai process)"), "the runs table: %.2000s", html);
    free(html);
    free(index);
    free(out);
}

/* Interrupted (SIGINT) with 2 of 3 samples stored, then resumed in this
 * process: the closing table counts the whole run (3/3, before: the
 * session's 1/1), and the run records the interruption and the resume. */
Test(truth, resume_counts_the_whole_run_and_records_the_interruption)
{
    pid_t pid = spawn_hanging_run();
    kill(pid, SIGINT);
    cr_assert_eq(harness_wait(pid), BAI_EXIT_INTERRUPTED);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM incidents WHERE kind = 'interrupted'"), 1);
    const char *resume[] = { "resume", "latest", "--store", db, NULL };
    int rc;
    char *closing = capture(cmd_resume, resume, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    char *passed = cell(closing, "truth_exact", "passed");
    cr_assert_str_eq(passed, "3/3", "%s", closing);
    free(passed);
    cr_assert_float_eq(cell_num(closing, "truth_exact", "score"), 100.0, 1e-9, "%s", closing);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM incidents WHERE kind = 'resumed'"), 1);
    free(closing);
}

/* show --failed: the failed scored items come first (the unscored suite
 * truth_aspeed sorts before truth_exact), then requests that
 * failed; the speed suite's unscored samples only with --unscored. */
Test(truth, show_failed_lists_scored_failures_and_leaves_unscored_speed_samples_out)
{
    fake_openai_set_reply(fake, "41");
    const char *extra[] = { "--no-stream", "--suite", "tests/data/truth/truth_aspeed.yaml", NULL };
    int rc;
    char *closing = run_suite(EXACT, extra, &rc);
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", closing);
    free(closing);
    const char *show[] = { "show", "latest", "--store", db, "--failed", NULL };
    char *md = capture(cmd_show, show, &rc);
    cr_assert_eq(rc, 0);
    const char *failed = strstr(md, "## Failed items");
    cr_assert_not_null(failed, "%s", md);
    cr_assert(strstr(failed, "q1#0") && strstr(failed, "q3#0"), "%s", failed);
    cr_assert_null(strstr(failed, "s1#0"), "unscored speed samples left out:\n%s", failed);
    free(md);
    const char *all[] = { "show", "latest", "--store", db, "--failed", "--unscored", NULL };
    md = capture(cmd_show, all, &rc);
    failed = strstr(md, "## Failed items");
    const char *speed = strstr(failed, "s1#0"), *q3 = strstr(failed, "q3#0");
    cr_assert(speed && q3 && q3 < speed, "scored failures first:\n%s", failed);
    free(md);

    /* the HTML report's "Failed items" alike */
    setenv("BENCHAI_GNUPLOT", "none", 1);
    for (int unscored = 0; unscored < 2; unscored++) {
        char *out = xasprintf("%s/report%d", dir, unscored);
        const char *report[] = { "report", "latest", "--out", out, "--store", db, unscored ? "--unscored" : NULL,
                                 NULL };
        char *text = capture(cmd_report, report, &rc);
        cr_assert_eq(rc, 0, "%s", text);
        free(text);
        char *index = xasprintf("%s/index.html", out);
        char *html = fs_read_file(index, NULL, NULL);
        cr_assert_not_null(html);
        const char *sec = strstr(html, "id=\"failed\"");
        cr_assert_not_null(sec);
        const char *sp = strstr(sec, "<td>truth_aspeed</td>"), *ex = strstr(sec, "<td>truth_exact</td>");
        cr_assert_not_null(ex, "%s", sec);
        if (unscored)
            cr_assert(sp && ex < sp, "unscored answers last with --unscored: %s", sec);
        else
            cr_assert_null(sp, "no unscored answers by default: %s", sec);
        free(html);
        free(index);
        free(out);
    }
    unsetenv("BENCHAI_GNUPLOT");
}
