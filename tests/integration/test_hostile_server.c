/* A hostile or broken model server (issue 22, items 7-9): the real benchai
 * binary against a loopback stand-in (tests/helpers/fake_openai.c) that
 * streams valid events forever, or answers with NUL escapes and invalid
 * UTF-8. Each run is bounded by the test: it must end by itself within a
 * deadline, with a peak RSS far below what an unbounded reader reaches, and
 * the store must say what happened. No llama-server is needed. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_openai.h"
#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/utf8.h"

static struct fake_openai *fake;
static char *dir, *db, *suite;

static void setup(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake);
    dir = harness_tempdir();
    db = xasprintf("%s/bench.db", dir);
    suite = xasprintf("%s/hostile.yaml", dir);
    const char *yaml = "suite: hostile\nversion: 1\ndefaults:\n  scorer: exact\nitems:\n"
                       "  - {id: a, prompt: \"say a\", answer: a}\n"
                       "  - {id: b, prompt: \"say b\", answer: b}\n";
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

TestSuite(hostile_server, .init = setup, .fini = teardown, .timeout = 240);

/* Runs benchai against the fake with extra arguments; kills it (and fails)
 * when it has not ended within deadline_s. *maxrss_kb gets its peak RSS. */
static int run_bounded(const char *const *extra, int deadline_s, long *maxrss_kb)
{
    const char *args[32] = { "run", "--suite", suite, "--backend", "openai", "--url",
                             fake_openai_url(fake), "--model", "fake", "--store", db,
                             "--warmup", "0" };
    size_t n = 13;
    for (size_t i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    pid_t pid = harness_spawn(args, dir);
    time_t until = time(NULL) + deadline_s;
    int status = 0;
    struct rusage ru;
    for (;;) {
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid)
            break;
        if (time(NULL) > until) {
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &ru);
            char *err = harness_read(dir, "stderr");
            cr_assert_fail("benchai did not end within %d s (the server streamed %llu bytes); stderr:\n%s",
                     deadline_s, fake_openai_endless_bytes(fake), err);
        }
        usleep(20000);
    }
    *maxrss_kb = ru.ru_maxrss;
    cr_assert(WIFEXITED(status), "benchai was killed by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

/* The endless stream of kind ends as a stored error per sample, the run is
 * done, and memory stayed bounded. */
static void endless(enum fake_endless kind, const char *const *extra, long rss_cap_mib)
{
    fake_openai_set_endless(fake, kind);
    long rss_kb = 0;
    int code = run_bounded(extra, 150, &rss_kb);
    char *err = harness_read(dir, "stderr");
    cr_assert_neq(code, 2, "usage error: %s", err);
    cr_assert_neq(code, 4, "store error: %s", err);
    /* the run ends by itself, done, every sample a stored error; with no
     * successful sample it exits BAI_EXIT_NO_SAMPLES (docs/cli.md) */
    cr_assert_eq(code, 7, "exit %d; stderr:\n%s", code, err);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 1,
                 "the run finished normally; stderr:\n%s", err);
    free(err);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM samples WHERE status = 'error'"
                                     " AND error LIKE '%larger than%' AND flags LIKE '%too_large%'"), 2,
                 "each sample is a stored error that says why");
    cr_assert_eq(harness_sql_int(db, "SELECT max(attempts) FROM samples"), 1,
                 "a stream cut for its size is not sent again");
    /* AddressSanitizer keeps freed memory in quarantine (256 MiB) and adds
     * shadow memory: the bound holds, at a higher level */
    if (getenv("ASAN_OPTIONS"))
        rss_cap_mib = rss_cap_mib * 2 + 256;
    cr_assert_lt(rss_kb / 1024, rss_cap_mib, "peak RSS %ld MiB", rss_kb / 1024);
}

Test(hostile_server, endless_content_stream_ends_as_a_stored_error)
{
    /* the default cap: 16 MiB of answer, far below what the run may use */
    endless(FAKE_ENDLESS_CONTENT, NULL, 400);
    /* what came before the cut is kept, bounded by the cap */
    long long len = harness_sql_int(db, "SELECT max(length(output)) FROM samples");
    cr_assert_gt(len, 0);
    cr_assert_leq(len, 16 << 20);
}

Test(hostile_server, endless_tool_call_pieces_are_cut_at_the_configured_cap)
{
    /* 16-byte pieces: quadratic accumulation would take minutes here */
    const char *extra[] = { "--max-answer-bytes", "2M", NULL };
    endless(FAKE_ENDLESS_TOOL_ARGS, extra, 300);
}

Test(hostile_server, endless_reasoning_stream_is_cut)
{
    const char *extra[] = { "--max-answer-bytes", "1M", NULL };
    endless(FAKE_ENDLESS_REASONING, extra, 300);
}

Test(hostile_server, endless_empty_events_are_cut_by_the_stream_cap)
{
    /* no text at all: only the bytes on the wire (16 x 1 MiB) bound it */
    const char *extra[] = { "--max-answer-bytes", "1M", NULL };
    endless(FAKE_ENDLESS_EMPTY_DELTAS, extra, 300);
}

Test(hostile_server, nul_and_invalid_utf8_are_stored_and_exported_as_valid_utf8)
{
    /* \u0000 in the middle of the answer, then a lone continuation byte and
     * a truncated three-byte sequence */
    static const char sse[] =
        "data: {\"choices\":[{\"delta\":{\"content\":\"before\\u0000after \"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"bad\x80 cut\xe2\x82\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        "data: [DONE]\n\n";
    fake_openai_set_raw(fake, sse, sizeof sse - 1, 1);
    long rss = 0;
    int code = run_bounded(NULL, 60, &rss);
    cr_assert_eq(code, 0);
    char *out = harness_sql_text(db, "SELECT output FROM samples WHERE item_id = 'a'");
    cr_assert_not_null(out);
    cr_assert_str_eq(out, "before\xef\xbf\xbd" "after bad\xef\xbf\xbd cut\xef\xbf\xbd",
                     "nothing after the NUL is lost; each bad sequence is one U+FFFD");
    free(out);
    char *flags = harness_sql_text(db, "SELECT flags FROM samples WHERE item_id = 'a'");
    cr_assert_not_null(flags);
    cr_assert_str_eq(flags, "nul,invalid_utf8");
    free(flags);

    const char *exp[] = { "export", "latest", "-o", "jsonl", "--store", db, NULL };
    char *text = NULL;
    cr_assert_eq(harness_run(exp, &text, NULL), 0);
    cr_assert(utf8_is_clean(text, strlen(text)), "export -o jsonl is valid UTF-8");
    cr_assert_not_null(strstr(text, "\"flags\":\"nul,invalid_utf8\""), "%s", text);
    free(text);
}

Test(hostile_server, non_streamed_body_with_nul_is_not_truncated)
{
    static const char body[] =
        "{\"choices\":[{\"message\":{\"content\":\"x\\u0000y\"},\"finish_reason\":\"stop\"}]}";
    fake_openai_set_raw(fake, body, sizeof body - 1, 0);
    const char *extra[] = { "--no-stream", NULL };
    long rss = 0;
    cr_assert_eq(run_bounded(extra, 60, &rss), 0);
    char *out = harness_sql_text(db, "SELECT output FROM samples WHERE item_id = 'b'");
    cr_assert_str_eq(out, "x\xef\xbf\xbdy");
    free(out);
}
