/* Whole runs against stores in trouble, with the real llama-server and the
 * tiny model (issue 14):
 *   - the store's disk fills during a run (a small tmpfs mounted here, in
 *     a mount namespace of the test):
 *     benchai stops with one clear message and exit 4, `store check`
 *     passes, and `resume` completes the run once there is space;
 *   - two runs write one store at once: both complete, nothing is lost;
 *   - a store written by the schema-1 SQL is migrated by `run`; one written
 *     by a newer benchai is refused and left byte for byte. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/sha256.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The last non-empty line of text (points into text). */
static const char *last_line(char *text)
{
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';
    char *nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}

Test(store_runs, full_disk_stops_cleanly_and_resume_completes, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    char *disk = xasprintf("%s/disk", e.dir);
    cr_assert_eq(mkdir(disk, 0755), 0);
    /* In a mount namespace of this test process (benchai inherits it): the
     * tmpfs goes away with the process, even when a timeout kills it. */
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", disk, "tmpfs", 0, "size=384k") != 0)
        cr_skip_test("cannot mount a tmpfs here (%s): needs root or CAP_SYS_ADMIN", strerror(errno));
    /* the new store (schema v5: the manifest and the session are written
     * before the first sample) and a few one-sample commits fit in the WAL
     * on 384 KiB; each commit adds ~6 pages, the run needs 96 */
    char *db = xasprintf("%s/benchai.db", disk);
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_faults.yaml", "--reps", "2",
                           "--store", db, "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *out = NULL, *err = NULL;
    int code = harness_run(args, &out, &err);
    cr_assert_eq(code, 4, "exit %d (want 4, store error)\n%s", code, err);
    cr_assert_eq(count_lines_with(err, "disk full"), 1, "one message about it:\n%s", err);
    const char *last = last_line(err);
    cr_assert(strstr(last, "disk full") && strstr(last, "benchai resume"),
              "the last line says what happened and what to do: %s", last);
    cr_assert_null(strstr(err, "locked"), "%s", err);
    cr_assert(strstr(out, "stopped: store error"), "the closing table does not call the cut row ok:\n%s", out);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0, "a llama-server was left running");
    long long kept = harness_sql_int(db, "SELECT count(*) FROM samples");
    cr_assert(kept > 0 && kept < 96, "stored %lld before the disk filled", kept);

    const char *check[] = { "store", "check", "--store", db, NULL };
    char *check_out = NULL;
    cr_assert_eq(harness_run(check, &check_out, NULL), 0, "%s", check_out);
    cr_assert(strstr(check_out, "integrity_check: ok"), "%s", check_out);
    free(check_out);

    /* space again: the same mount, bigger */
    cr_assert_eq(mount(NULL, disk, NULL, MS_REMOUNT, "size=64m"), 0, "%s", strerror(errno));
    char *run_id = harness_sql_text(db, "SELECT id FROM runs");
    cr_assert_not_null(run_id);
    const char *resume[] = { "resume", run_id, "--store", db, NULL };
    free(err);
    code = harness_run(resume, NULL, &err);
    cr_assert_eq(code, 0, "resume on a disk with space: %d\n%s", code, err);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM samples"), 96);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM (SELECT DISTINCT item_id, rep FROM samples)"), 96);
    char *status = harness_sql_text(db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    cr_assert_eq(harness_run(check, &check_out, NULL), 0, "%s", check_out);
    free(check_out);
    cr_assert_eq(umount2(disk, MNT_DETACH), 0);
    free(run_id);
    free(db);
    free(disk);
    free(out);
    free(err);
    harness_env_free(&e);
}

Test(store_runs, two_runs_on_one_store_at_once, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    /* both start on a store that does not exist yet: they race to create it */
    char *dir_a = xasprintf("%s/a", e.dir), *dir_b = xasprintf("%s/b", e.dir);
    cr_assert_eq(mkdir(dir_a, 0755), 0);
    cr_assert_eq(mkdir(dir_b, 0755), 0);
    const char *a[] = { "run", "--suite", "tests/data/integration/speed_faults.yaml", "--threads", "1", "--tag", "a",
                        "--store", e.db, "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    const char *b[] = { "run", "--suite", "tests/data/integration/speed_faults.yaml", "--threads", "1", "--tag", "b",
                        "--store", e.db, "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    pid_t pa = harness_spawn(a, dir_a), pb = harness_spawn(b, dir_b);
    int ca = harness_wait(pa), cb = harness_wait(pb);
    char *ea = harness_read(dir_a, "stderr"), *eb = harness_read(dir_b, "stderr");
    cr_assert_eq(ca, 0, "run a: exit %d\n%s", ca, ea);
    cr_assert_eq(cb, 0, "run b: exit %d\n%s", cb, eb);
    cr_assert_null(strstr(ea, "locked"), "%s", ea);
    cr_assert_null(strstr(eb, "locked"), "%s", eb);
    cr_assert_eq(q(&e, "SELECT count(*) FROM runs WHERE status = 'done'"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), 96, "nothing lost");
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN run_tags t ON t.run_id = s.run_id WHERE t.tag = 'a'"), 48);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN run_tags t ON t.run_id = s.run_id WHERE t.tag = 'b'"), 48);
    cr_assert_eq(q(&e, "SELECT sum(n_samples) FROM runs"), 96, "the triggers counted both");
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE status = 'ok'"), 2, "each run its config");
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0);
    free(ea);
    free(eb);
    free(dir_a);
    free(dir_b);
    harness_env_free(&e);
}

static void file_hash(const char *path, char hex[65])
{
    size_t len = 0;
    char *data = fs_read_file(path, &len, NULL);
    cr_assert_not_null(data, "%s", path);
    sha256_hex(data, len, hex);
    free(data);
}

Test(store_runs, old_store_is_migrated_and_newer_store_left_untouched, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    harness_sql_file(e.db, "tests/data/store/v1.sql");
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "a run on a schema-1 store: %d\n%s", code, err);
    free(err);
    cr_assert_eq(q(&e, "SELECT value FROM meta WHERE key = 'schema_version'"), STORE_SCHEMA_VERSION);
    cr_assert_eq(q(&e, "SELECT count(*) FROM runs"), 3, "the two old runs and the new one");
    cr_assert_eq(q(&e, "SELECT n_samples FROM runs WHERE id = 'r261101-090000-aaaa'"), 3, "backfilled");
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), 5 + 4);
    const char *runs[] = { "runs", "--store", e.db, NULL };
    char *out = NULL;
    cr_assert_eq(harness_run(runs, &out, NULL), 0);
    cr_assert(strstr(out, "r261101-090000-aaaa") && strstr(out, "speed_short"), "%s", out);
    free(out);

    char *newer = xasprintf("%s/newer.db", e.dir);
    harness_sql_file(newer, "tests/data/store/newer.sql");
    char before[65], after[65];
    file_hash(newer, before);
    const char *on_newer[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--store", newer,
                               "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    code = harness_run(on_newer, NULL, &err);
    cr_assert_eq(code, 4, "exit %d\n%s", code, err);
    cr_assert(strstr(err, "newer benchai") && strstr(err, "version 999"), "%s", err);
    free(err);
    const char *resume[] = { "resume", "latest", "--store", newer, NULL };
    code = harness_run(resume, NULL, &err);
    cr_assert_eq(code, 4, "resume on a newer store: %d\n%s", code, err);
    free(err);
    const char *list[] = { "runs", "--store", newer, NULL };
    cr_assert_eq(harness_run(list, NULL, &err), 4, "%s", err);
    free(err);
    file_hash(newer, after);
    cr_assert_str_eq(before, after, "the newer store was changed");
    char *wal = xasprintf("%s-wal", newer);
    cr_assert_not(fs_exists(wal), "%s appeared", wal);
    cr_assert_eq(harness_count_servers(e.marker), 0, "a server was started for a refused store");
    free(wal);
    free(newer);
    harness_env_free(&e);
}
