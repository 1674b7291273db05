/* test_store_faults.c - the store under faults and with several writers:
 * two processes writing at once, a full disk, files that are not stores
 * or are corrupt, SIGKILL mid-run, merging shards with duplicates and
 * conflicts, and the store commands' refusals. */
#include "test_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/fs.h"
#include "util/sha256.h"

/* Writes n samples item_<tag>_<i> one transaction each; exits 0 when all
 * succeeded. Runs in a child process, on its own connection. */
static void child_writer(const char *path, const struct ts_run *r, const char *tag, int n)
{
    struct bai_error err = { 0 };
    struct store *st = store_open(path, &err);
    if (!st)
        _exit(10);
    for (int i = 0; i < n; i++) {
        char item[64];
        snprintf(item, sizeof item, "item_%s_%d", tag, i);
        struct store_sample s = ts_sample(r, item, "output");
        struct store_score sc = { .scorer = "exact", .value = 1, .passed = 1 };
        if (store_sample_put(st, &s, &sc, &err) < 0) {
            fprintf(stderr, "writer %s: %s\n", tag, err.msg);
            _exit(11);
        }
    }
    store_close(st);
    _exit(0);
}

Test(store_faults, two_processes_write_one_store)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    store_close(st);
    pid_t a = fork();
    if (a == 0)
        child_writer(path, &r, "a", 400);
    pid_t b = fork();
    if (b == 0)
        child_writer(path, &r, "b", 400);
    int sa, sb;
    cr_assert_eq(waitpid(a, &sa, 0), a);
    cr_assert_eq(waitpid(b, &sb, 0), b);
    cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "writer a status %d", sa);
    cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "writer b status %d", sb);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 800);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM scores"), 800);
    cr_assert_eq(ts_count(path, "SELECT n_samples FROM runs"), 800, "trigger counted both");
    free(path);
}

Test(store_faults, full_disk_keeps_what_was_written)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    /* the database may grow by a few pages only: SQLITE_FULL, as a full disk */
    char *sql = xasprintf("PRAGMA max_page_count = %lld",
                          ts_count(path, "PRAGMA page_count") + 12);
    cr_assert_eq(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    char *big = xmalloc(3001);
    memset(big, 'x', 3000);
    big[3000] = '\0';
    struct bai_error err = { 0 };
    int written = 0, failed = 0;
    for (int i = 0; i < 200 && !failed; i++) {
        char item[32];
        snprintf(item, sizeof item, "q%d", i);
        struct store_sample s = ts_sample(&r, item, big);
        struct store_score sc = { .scorer = "exact", .value = 1, .passed = 1 };
        if (store_sample_put(st, &s, &sc, &err) > 0)
            written++;
        else
            failed = 1;
    }
    cr_assert(failed, "the size limit was never hit");
    cr_assert_gt(written, 0);
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "disk full") && strstr(err.msg, "kept"), "%s", err.msg);
    /* the connection still works for small writes the runner needs */
    store_close(st);
    free(big);
    struct buf rep = { 0 };
    cr_assert_eq(store_check_file(path, &rep, &err), 0, "%s", rep.data);
    buf_free(&rep);
    char *q = xasprintf("SELECT count(*) FROM samples s JOIN scores c ON c.sample_id = s.id");
    cr_assert_eq(ts_count(path, q), written, "every committed sample with its score");
    free(q);
    st = ts_open(path);
    cr_assert_eq(store_run_set_status(st, r.id, "interrupted", &err), 0, "%s", err.msg);
    store_close(st);
    free(path);
}

Test(store_faults, not_a_store_and_corrupt_files)
{
    char *path = ts_path();
    static const char junk[] = "these are notes, not a database\n";
    struct bai_error err = { 0 };
    cr_assert_eq(fs_write_atomic(path, junk, sizeof junk - 1, &err), 0);
    cr_assert_null(store_open(path, &err));
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "is not a benchai store") && strstr(err.msg, path), "%s", err.msg);
    bai_error_clear(&err);
    cr_assert_null(store_open_readonly(path, &err));
    cr_assert(strstr(err.msg, "is not a benchai store"), "%s", err.msg);
    struct buf rep = { 0 };
    cr_assert_eq(store_check_file(path, &rep, &err), -1);
    buf_free(&rep);
    /* the junk file is untouched */
    char *back = fs_read_file(path, NULL, NULL);
    cr_assert_str_eq(back, junk);
    free(back);

    /* another program's SQLite database is refused too */
    char *other = ts_path();
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(other, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cr_assert_null(store_open(other, &err));
    cr_assert(strstr(err.msg, "not a benchai store"), "%s", err.msg);

    /* a store with damaged pages: check reports problems */
    char *bad = ts_path();
    struct store *st = ts_open(bad);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    for (int i = 0; i < 300; i++) {
        char item[16];
        snprintf(item, sizeof item, "q%d", i);
        ts_put(st, &r, item, "some output text that fills pages", i % 2);
    }
    cr_assert_eq(sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                 SQLITE_OK);
    store_close(st);
    int fd = open(bad, O_WRONLY);
    cr_assert_geq(fd, 0);
    char garbage[4096];
    memset(garbage, 0x5a, sizeof garbage);
    cr_assert_eq(pwrite(fd, garbage, sizeof garbage, 4096 * 3), (ssize_t)sizeof garbage);
    cr_assert_eq(pwrite(fd, garbage, sizeof garbage, 4096 * 6), (ssize_t)sizeof garbage);
    close(fd);
    cr_assert_eq(store_check_file(bad, &rep, &err), 1, "%s", rep.data);
    cr_assert(strstr(rep.data, "integrity_check: ") && !strstr(rep.data, "integrity_check: ok"),
              "%s", rep.data);
    buf_free(&rep);
    free(path);
    free(other);
    free(bad);
}

/* Child of the kill test: resumes the run (skipping stored items) and
 * reports each committed sample's index on the pipe. */
static void child_resume(const char *path, const struct ts_run *r, int n_items, int fd)
{
    struct bai_error err = { 0 };
    struct store *st = store_open(path, &err);
    if (!st)
        _exit(10);
    for (int i = 0; i < n_items; i++) {
        char item[32];
        snprintf(item, sizeof item, "item%04d", i);
        if (store_sample_exists(st, r->id, r->config_id, r->suite_id, item, 0) == 1)
            continue;
        struct store_sample s = ts_sample(r, item, "a model output of moderate length");
        struct store_score sc = { .scorer = "exact", .value = i % 2, .passed = i % 2 };
        if (store_sample_put(st, &s, &sc, &err) < 0)
            _exit(11);
        if (write(fd, &i, sizeof i) != (ssize_t)sizeof i)
            _exit(12);
    }
    store_close(st);
    _exit(0);
}

Test(store_faults, sigkill_mid_run_loses_nothing_committed, .timeout = 60)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    store_close(st);
    enum { N_ITEMS = 3000 };
    srand((unsigned)time(NULL));
    long long last = 0;
    int kills = 0;
    for (int attempt = 0; attempt < 6; attempt++) {
        int p[2];
        cr_assert_eq(pipe(p), 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            child_resume(path, &r, N_ITEMS, p[1]);
        }
        close(p[1]);
        int last_done = -1, v;
        int kill_after = 5 + rand() % 400;          /* samples reported, then SIGKILL */
        int seen = 0, killed = 0;
        while (read(p[0], &v, sizeof v) == (ssize_t)sizeof v) {
            last_done = v;
            seen++;
            if (attempt < 5 && seen == kill_after) {
                usleep((useconds_t)(rand() % 3000));   /* land anywhere in the next write */
                kill(pid, SIGKILL);
                killed = 1;
                /* reports already in the pipe were committed before the kill */
                while (read(p[0], &v, sizeof v) == (ssize_t)sizeof v) {
                    last_done = v;
                    seen++;
                }
                break;
            }
        }
        int status;
        waitpid(pid, &status, 0);
        close(p[0]);
        if (killed)
            kills++;
        else
            cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "final resume status %d", status);
        long long stored = ts_count(path, "SELECT count(*) FROM samples");
        /* everything reported committed is there; at most the one sample in
         * flight (committed, not yet reported) more */
        cr_assert_geq(stored, last + seen, "attempt %d", attempt);
        cr_assert_leq(stored, last + seen + 1, "attempt %d", attempt);
        if (last_done >= 0) {
            char *q = xasprintf("SELECT count(*) FROM samples WHERE item_id = 'item%04d'", last_done);
            cr_assert_eq(ts_count(path, q), 1);
            free(q);
        }
        last = stored;
        struct buf rep = { 0 };
        struct bai_error err = { 0 };
        cr_assert_eq(store_check_file(path, &rep, &err), 0, "%s", rep.data);
        buf_free(&rep);
    }
    cr_assert_eq(kills, 5);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), N_ITEMS);
    cr_assert_eq(ts_count(path, "SELECT count(DISTINCT item_id) FROM samples"), N_ITEMS,
                 "exactly one sample per item");
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples s WHERE NOT EXISTS"
                                " (SELECT 1 FROM scores c WHERE c.sample_id = s.id)"), 0,
                 "no sample without its score");
    cr_assert_eq(ts_count(path, "SELECT n_samples FROM runs"), N_ITEMS);
    free(path);
}

/* Makes a shard store holding run `id` with items [from, to). */
static void make_shard(const char *path, const char *id, const char *shard, int from, int to,
                       const char *status)
{
    struct store *st = ts_open(path);
    sqlite3 *db = store_db(st);
    char *sql = xasprintf("INSERT INTO runs(id, started, status, shard) VALUES"
                          " ('%s', '2026-11-22T10:00:00Z', '%s', '%s')", id, status, shard);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    struct bai_error err = { 0 };
    struct store_config cfg = { .label = "tiny k=4", .model = "tiny.gguf" };
    struct ts_run r;
    snprintf(r.id, sizeof r.id, "%s", id);
    /* a config and a suite the other shard did not have, so ids differ */
    if (from > 0) {
        struct store_config pad = { .label = "pad" };
        cr_assert_gt(store_config_add(st, id, &pad, &err), 0);
        cr_assert_gt(store_suite_add(st, "pad", 1, "p", &err), 0);
    }
    r.config_id = store_config_add(st, id, &cfg, &err);
    r.suite_id = store_suite_add(st, "smoke", 3, "abc", &err);
    for (int i = from; i < to; i++) {
        char item[16];
        snprintf(item, sizeof item, "q%02d", i);
        ts_put(st, &r, item, "same", i % 3 == 0);
    }
    cr_assert_eq(store_incident_add(st, id, r.config_id, "restart", shard, &err), 0);
    store_close(st);
}

Test(store_faults, merge_shards_with_duplicates_and_a_conflict)
{
    char *a = ts_path(), *b = ts_path(), *c = ts_path();
    const char *id = "r261122-100000-shrd";
    make_shard(a, id, "1/2", 0, 10, "done");
    make_shard(b, id, "2/2", 5, 15, "interrupted");     /* 5..9 identical duplicates */
    /* one conflicting duplicate: q07 in b has another output */
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(b, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE samples SET output='different' WHERE item_id='q07'",
                              NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    struct bai_error err = { 0 };
    struct store *dst = ts_open(c);
    struct store_merge_stats s = { 0 };
    struct buf conflicts = { 0 };
    cr_assert_eq(store_merge(dst, a, &s, &conflicts, &err), 0, "%s", err.msg);
    cr_assert_eq(s.samples_added, 10);
    cr_assert_eq(store_merge(dst, b, &s, &conflicts, &err), 0, "%s", err.msg);
    cr_assert_eq(s.samples_added, 15, "q00..q14");
    cr_assert_eq(s.samples_identical, 4, "q05, q06, q08, q09");
    cr_assert_eq(s.samples_conflicting, 1);
    cr_assert_eq(s.runs_added, 1);
    cr_assert_eq(s.runs_joined, 1);
    cr_assert(conflicts.data && strstr(conflicts.data, "item q07") &&
                  strstr(conflicts.data, "different output"), "%s", conflicts.data);
    /* merging a again changes nothing */
    struct store_merge_stats again = { 0 };
    cr_assert_eq(store_merge(dst, a, &again, NULL, &err), 0);
    cr_assert_eq(again.samples_added, 0);
    cr_assert_eq(again.samples_identical, 10);
    cr_assert_eq(again.incidents_added, 0);
    cr_assert_eq(store_merge(dst, c, &again, NULL, &err), -1, "into itself");
    store_close(dst);
    buf_free(&conflicts);

    cr_assert_eq(ts_count(c, "SELECT count(*) FROM samples"), 15);
    cr_assert_eq(ts_count(c, "SELECT count(*) FROM scores"), 15);
    cr_assert_eq(ts_count(c, "SELECT n_samples FROM runs"), 15);
    cr_assert_eq(ts_count(c, "SELECT count(*) FROM configs WHERE label='tiny k=4'"), 1);
    cr_assert_eq(ts_count(c, "SELECT count(*) FROM suites WHERE name='smoke'"), 1);
    cr_assert_eq(ts_count(c, "SELECT count(*) FROM incidents"), 2);
    char *out = harness_sql_text(c, "SELECT output FROM samples WHERE item_id='q07'");
    cr_assert_str_eq(out, "same", "the first-merged sample is kept");
    free(out);
    char *st = harness_sql_text(c, "SELECT status || ' ' || shard FROM runs");
    cr_assert_str_eq(st, "interrupted 1/2,2/2");
    free(st);
    /* every sample's config belongs to its run and has the label of the source */
    cr_assert_eq(ts_count(c, "SELECT count(*) FROM samples s JOIN configs g ON g.id = s.config_id"
                             " WHERE g.label <> 'tiny k=4'"), 0);
    free(a);
    free(b);
    free(c);
}

/* Runs a cmd_* with stdin from /dev/null and stdout to a file; returns its
 * exit code and the output (caller frees). */
static int run_cmd(int (*fn)(int, char **), char **argv, char **out)
{
    char *dir = harness_tempdir();
    char *file = xasprintf("%s/out", dir);
    fflush(stdout);
    int saved_out = dup(1), saved_in = dup(0);
    int fo = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644), fi = open("/dev/null", O_RDONLY);
    dup2(fo, 1);
    dup2(fi, 0);
    close(fo);
    close(fi);
    int argc = 0;
    while (argv[argc])
        argc++;
    int rc = fn(argc, argv);
    fflush(stdout);
    dup2(saved_out, 1);
    dup2(saved_in, 0);
    close(saved_out);
    close(saved_in);
    *out = fs_read_file(file, NULL, NULL);
    unlink(file);
    rmdir(dir);
    free(file);
    free(dir);
    return rc;
}

Test(store_faults, commands_show_export_rm)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", "prod");
    /* 3 of 4 pass: Wilson 95% for 3/4 is [30.06, 95.44] (Wilson 1927 formula,
     * z = 1.959964, computed by hand: centre 0.6275, half-width 0.3269) */
    for (int i = 0; i < 4; i++) {
        char item[16];
        snprintf(item, sizeof item, "q%d", i);
        struct store_sample s = ts_sample(&r, item, i == 3 ? "wrong\nanswer" : "right");
        s.gen_tps = 10.0 * (i + 1);     /* p50 of 10,20,30,40 = 25 */
        s.ttft_ms = 100.0 * (i + 1);
        struct store_score sc = { .scorer = "exact", .value = i < 3, .passed = i < 3 };
        struct bai_error err = { 0 };
        cr_assert_gt(store_sample_put(st, &s, &sc, &err), 0);
    }
    store_close(st);
    char *out = NULL;
    char *show[] = { "show", "--store", path, "tag:prod", NULL };
    cr_assert_eq(run_cmd(cmd_show, show, &out), 0);
    cr_assert(strstr(out, r.id), "%s", out);
    cr_assert(strstr(out, "75.0") && strstr(out, "[30.1, 95.4]") && strstr(out, "3/4"), "%s", out);
    cr_assert(strstr(out, "25.0"), "gen tok/s p50: %s", out);
    free(out);
    char *failed[] = { "show", "--store", path, "--failed", r.id, NULL };
    cr_assert_eq(run_cmd(cmd_show, failed, &out), 0);
    cr_assert(strstr(out, "q3#0") && !strstr(out, "q1#0") && strstr(out, "wrong\\nanswer"), "%s", out);
    free(out);
    char *exp[] = { "export", "--store", path, "-o", "csv", "latest", NULL };
    cr_assert_eq(run_cmd(cmd_export, exp, &out), 0);
    cr_assert(strstr(out, "\"wrong\nanswer\""), "csv quotes newlines: %s", out);
    int lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 1 + 4 + 1, "header, 4 rows, one embedded newline");
    free(out);
    char *expj[] = { "export", "--store", path, "-o", "jsonl", "latest", NULL };
    cr_assert_eq(run_cmd(cmd_export, expj, &out), 0);
    cr_assert(strstr(out, "\"item\":\"q3\"") && strstr(out, "\"passed\":false"), "%s", out);
    free(out);

    char *unknown[] = { "show", "--store", path, "r000000", NULL };
    cr_assert_eq(run_cmd(cmd_show, unknown, &out), BAI_EXIT_USAGE);
    free(out);
    /* rm without --yes on a non-terminal refuses */
    char *rm[] = { "rm", "--store", path, r.id, NULL };
    cr_assert_eq(run_cmd(cmd_rm, rm, &out), BAI_EXIT_USAGE);
    free(out);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 4);
    char *rmy[] = { "rm", "--store", path, "--yes", r.id, NULL };
    cr_assert_eq(run_cmd(cmd_rm, rmy, &out), 0);
    cr_assert(strstr(out, "4 samples"), "%s", out);
    free(out);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 0);
    char *check[] = { "store", "--store", path, "check", NULL };
    cr_assert_eq(run_cmd(cmd_store, check, &out), 0);
    cr_assert(strstr(out, "integrity_check: ok") && strstr(out, "quick_check: ok"), "%s", out);
    free(out);
    free(path);
}

/* SQLite calls a directory a disk I/O error; the user must hear that the
 * path is a directory, from every way a command opens the store. */
Test(store_faults, a_directory_is_not_a_store)
{
    char *dir = ts_path();
    cr_assert_eq(mkdir(dir, 0755), 0);
    struct bai_error err = { 0 };
    cr_assert_null(store_open(dir, &err));
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "is a directory, not a store file") && strstr(err.msg, dir),
              "%s", err.msg);
    cr_assert(!strstr(err.msg, "I/O error"), "%s", err.msg);
    bai_error_clear(&err);
    cr_assert_null(store_open_readonly(dir, &err));
    cr_assert(strstr(err.msg, "is a directory, not a store file"), "%s", err.msg);
    /* nothing was created inside it */
    char *inside = xasprintf("%s/benchai.db", dir);
    cr_assert(!fs_exists(inside));
    free(inside);
    rmdir(dir);
    free(dir);
}

/* SHA-256 of a whole file, "" when it cannot be read. */
static void file_hash(const char *path, char hex[65])
{
    size_t len = 0;
    char *data = fs_read_file(path, &len, NULL);
    hex[0] = '\0';
    if (data)
        sha256_hex(data, len, hex);
    free(data);
}

Test(store_faults, newer_store_is_refused_and_left_byte_for_byte)
{
    char *path = ts_path();
    harness_sql_file(path, "tests/data/store/newer.sql");
    char before[65], after[65];
    file_hash(path, before);
    cr_assert_neq(before[0], '\0');
    struct bai_error err = { 0 };
    cr_assert_null(store_open(path, &err));
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "newer benchai") && strstr(err.msg, "version 999"), "%s", err.msg);
    bai_error_clear(&err);
    cr_assert_null(store_open_readonly(path, &err));
    cr_assert(strstr(err.msg, "newer benchai"), "%s", err.msg);
    struct buf rep = { 0 };
    cr_assert_eq(store_check_file(path, &rep, &err), 0, "%s", rep.data);
    cr_assert(strstr(rep.data, "newer than this benchai"), "%s", rep.data);
    buf_free(&rep);
    file_hash(path, after);
    cr_assert_str_eq(before, after, "a refused store was changed");
    /* and it was not turned into a WAL store either */
    char *wal = xasprintf("%s-wal", path);
    cr_assert_not(fs_exists(wal), "%s was created", wal);
    free(wal);
    free(path);
}

/* Two runs that start at once race to create the store: while one holds the
 * write lock of the new file, the other's switch to WAL got SQLITE_BUSY at
 * once (SQLite does not call the busy handler there) and the run failed
 * with "locked for more than 10 s" after milliseconds. It must wait. */
Test(store_faults, opening_waits_while_another_process_creates_the_store, .timeout = 60)
{
    char *path = ts_path();
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    pid_t holder = fork();
    if (holder == 0) {
        /* a plain SQLite writer in rollback mode, like a store being created */
        sqlite3 *db = NULL;
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(db, "BEGIN IMMEDIATE; CREATE TABLE held(x);", NULL, NULL, NULL) != SQLITE_OK)
            _exit(10);
        if (write(ready[1], "x", 1) != 1)
            _exit(11);
        struct timespec hold = { 0, 400 * 1000 * 1000 };
        nanosleep(&hold, NULL);
        _exit(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK ? 0 : 12);
    }
    close(ready[1]);
    char c;
    cr_assert_eq(read(ready[0], &c, 1), 1, "the holder never took its lock");
    close(ready[0]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct bai_error err = { 0 };
    struct store *st = store_open(path, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int status;
    cr_assert_eq(waitpid(holder, &status, 0), holder);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "holder status %d", status);
    cr_assert_not_null(st, "opened while another process held the write lock: %s", err.msg);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_gt(waited, 0.2, "it cannot have opened before the holder let go (%.3f s)", waited);
    store_close(st);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM runs"), 0);
    free(path);
}

/* The readers that take a report's connection (store_db) name a locked
 * store as locked, as every other store function does, not in SQLite's
 * words (issue 27 item 2). */
Test(store_faults, report_readers_say_the_store_is_locked)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    store_close(st);
    /* another connection that keeps the file locked until it closes */
    sqlite3 *other = NULL, *mine = NULL;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", NULL, NULL,
                              NULL), SQLITE_OK, "%s", sqlite3_errmsg(other));
    cr_assert_eq(sqlite3_open(path, &mine), SQLITE_OK);
    sqlite3_busy_timeout(mine, 50);
    struct bai_error err = { 0 };
    struct store_server_start_info *v = NULL;
    size_t n = 0;
    cr_assert_lt(store_config_starts(mine, r.config_id, &v, &n, &err), 0);
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "locked by another process") && strstr(err.msg, path), "%s", err.msg);
    sqlite3_close(mine);
    sqlite3_close(other);
    free(path);
}
