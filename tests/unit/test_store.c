/* test_store.c - the results store: schema, settings, migration, version
 * refusal, samples, run ids, resolving, reading helpers, deleting. Merge,
 * concurrency and crash tests are in test_store_faults.c. */
#include "test_store.h"

#include <ctype.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"

static long long pragma_int(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The query plan of sql, all detail lines joined. */
static char *plan(struct store *st, const char *sql)
{
    char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(store_db(st), q, -1, &s, NULL), SQLITE_OK, "%s",
                 sqlite3_errmsg(store_db(st)));
    free(q);
    struct buf b = { 0 };
    while (sqlite3_step(s) == SQLITE_ROW)
        buf_printf(&b, "%s\n", (const char *)sqlite3_column_text(s, 3));
    sqlite3_finalize(s);
    return buf_detach(&b);
}

Test(store, schema_and_connection_settings)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    cr_assert_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
    char *mode = harness_sql_text(path, "PRAGMA journal_mode");
    cr_assert_str_eq(mode, "wal");
    free(mode);
    cr_assert_eq(pragma_int(st, "PRAGMA foreign_keys"), 1);
    cr_assert_eq(pragma_int(st, "PRAGMA busy_timeout"), 10000);
    cr_assert_eq(pragma_int(st, "PRAGMA synchronous"), 1, "synchronous=NORMAL is 1");
    static const char *const tables[] = { "meta", "runs", "run_tags", "configs", "suites",
                                          "samples", "scores", "incidents", "run_suites" };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *q = xasprintf("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'",
                            tables[i]);
        cr_assert_eq(ts_count(path, q), 1, "table %s", tables[i]);
        free(q);
    }
    store_close(st);
    /* opening again does not migrate twice */
    st = ts_open(path);
    cr_assert_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    free(path);
}

Test(store, every_cli_query_uses_an_index)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    /* the statements of store_run_groups, store_run_samples, resolve by tag,
     * listing by status and the per-run suite lookup: none may scan a table,
     * and none may sort but the tag lookup and the config list (which sort
     * only the few rows the index found) */
    static const char *const queries[] = {
        "SELECT s.id FROM samples s LEFT JOIN scores sc ON sc.sample_id = s.id"
        " WHERE s.run_id = 'x' ORDER BY s.config_id, s.suite_id, s.item_id, s.rep",
        "SELECT 1 FROM samples WHERE run_id='x' AND config_id=1 AND suite_id=1 AND item_id='a' AND rep=0",
        "SELECT r.id FROM run_tags t JOIN runs r ON r.id = t.run_id WHERE t.tag = 'p'"
        " ORDER BY r.started DESC LIMIT 1",
        "SELECT id FROM runs WHERE status = 'done' ORDER BY started DESC",
        "SELECT id FROM runs ORDER BY started DESC LIMIT 20",
        "SELECT 1 FROM run_suites rs JOIN suites su ON su.id = rs.suite_id WHERE rs.run_id = 'x'"
        " AND su.name = 's'",
        "SELECT id FROM incidents WHERE run_id = 'x' ORDER BY id",
        "SELECT id FROM configs WHERE run_id = 'x' ORDER BY id",
        /* the shards of a run (store/shards.c): planned per shard, sessions,
         * stored per session (the covering index, no sample row is read) */
        "SELECT shard, sum(samples) FROM run_planned WHERE run_id = 'x' GROUP BY shard",
        "SELECT shard, status FROM run_sessions WHERE run_id = 'x' ORDER BY shard",
        "SELECT session, count(*), max(t_start_s) FROM samples WHERE run_id = 'x' AND session IS NOT NULL"
        " AND warmup = 0 GROUP BY session",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char *p = plan(st, queries[i]);
        /* "SCAN t" without "USING ... INDEX" reads the whole table */
        int full_scan = 0;
        for (char *line = p; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
            size_t len = strcspn(line, "\n");
            if (!strncmp(line, "SCAN ", 5) && !memmem(line, len, "INDEX", 5))
                full_scan = 1;
        }
        cr_assert(!full_scan && (i == 2 || i == 7 || !strstr(p, "USE TEMP B-TREE")) &&
                      (i != 10 || strstr(p, "COVERING INDEX samples_by_session")),
                  "query %zu scans or sorts:\n%s\n%s", i, queries[i], p);
        free(p);
    }
    store_close(st);
    free(path);
}

/* Writes an old store at path by running the fixture SQL files in order. */
static void load_fixtures(const char *path, const char *const *files)
{
    for (; *files; files++)
        harness_sql_file(path, *files);
}

Test(store, migrates_a_v1_store)
{
    char *path = ts_path();
    load_fixtures(path, (const char *const[]){ "tests/data/store/v1.sql", NULL });
    cr_assert_eq(ts_count(path, "SELECT value FROM meta WHERE key='schema_version'"), 1);

    /* read-only open migrates through a write connection once */
    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(path, &err);
    cr_assert_not_null(st, "%s", err.msg);
    cr_assert_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM sqlite_master WHERE name = 'metrics'"), 0,
                 "v4 drops the metrics cache");
    /* backfilled from the fixture's rows: 3 and 2 samples */
    struct store_run_info *runs = NULL;
    size_t n = 0;
    cr_assert_eq(store_runs_list(st, NULL, &runs, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(runs[0].id, "r261102-090000-bbbb");
    cr_assert_eq(runs[0].n_samples, 2);
    cr_assert_str_eq(runs[0].suites, "math,smoke");
    cr_assert_eq(runs[1].n_samples, 3);
    cr_assert_str_eq(runs[1].tags, "prod");
    cr_assert_null(runs[1].shard);
    store_runs_free(runs, n);
    store_close(st);

    /* the migrated store takes new samples and keeps counting them */
    st = ts_open(path);
    struct ts_run r = { .id = "r261101-090000-aaaa", .config_id = 1, .suite_id = 1 };
    ts_put(st, &r, "q4", "new", 1);
    store_close(st);
    cr_assert_eq(ts_count(path, "SELECT n_samples FROM runs WHERE id='r261101-090000-aaaa'"), 4);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 6);
    free(path);
}

/* A version 2 store (v1.sql, then v2.sql) gains suites.n_items:
 * unknown (NULL) for what it holds, recorded from then on. */
Test(store, migrates_a_v2_store)
{
    char *path = ts_path();
    load_fixtures(path, (const char *const[]){ "tests/data/store/v1.sql",
                                               "tests/data/store/v2.sql", NULL });
    cr_assert_eq(ts_count(path, "SELECT value FROM meta WHERE key='schema_version'"), 2);

    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(path, &err);
    cr_assert_not_null(st, "%s", err.msg);
    cr_assert_eq(store_schema_version(st), STORE_SCHEMA_VERSION);
    struct store_run_info *runs = NULL;
    size_t n = 0;
    cr_assert_eq(store_runs_list(st, NULL, &runs, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(runs[0].shard, "1/2");
    cr_assert_str_eq(runs[0].models, "tiny-dense");
    store_runs_free(runs, n);
    store_close(st);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM suites WHERE n_items IS NULL"), 2);

    st = ts_open(path);
    cr_assert_eq(store_suite_set_items(st, 1, 5, &err), 0, "%s", err.msg);
    cr_assert_eq(store_suite_set_items(st, 1, 5, &err), 0, "%s", err.msg);   /* again: no-op */
    struct store_group *g = NULL;
    cr_assert_eq(store_run_groups(st, "r261101-090000-aaaa", &g, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(g[0].n_items, 3);           /* q1..q3 ran */
    cr_assert_eq(g[0].suite_n_items, 5);     /* of 5 */
    store_groups_free(g, n);
    cr_assert_eq(store_run_groups(st, "r261102-090000-bbbb", &g, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(g[0].suite_name, "math");
    cr_assert_eq(g[0].suite_n_items, 0);     /* never recorded: unknown */
    store_groups_free(g, n);
    store_close(st);
    free(path);
}

/* v5: where a sample's speed came from and whether its prompt came from
 * the server's cache. Samples stored before say nothing (NULL); new ones
 * are read back per sample and counted per group. */
static int speed_row(void *ctx, const struct store_sample_row *r)
{
    struct buf *b = ctx;
    buf_printf(b, "%s:%s:%d;", r->item_id, r->speed_source ? r->speed_source : "-", r->cache_hit);
    return 0;
}

Test(store, v5_records_speed_source_and_cache_hits)
{
    char *path = ts_path();
    load_fixtures(path, (const char *const[]){ "tests/data/store/v1.sql", NULL });
    struct store *st = ts_open(path);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples WHERE speed_source IS NULL AND cache_hit IS NULL"
                                " AND cache_bypass IS NULL AND prompt_prefix IS NULL"), 5);
    struct ts_run r = { .id = "r261101-090000-aaaa", .config_id = 1, .suite_id = 1 };
    struct bai_error err = { 0 };
    struct store_sample a = ts_sample(&r, "q7", "x");
    a.speed_source = "usage";
    a.gen_tps = 12.5;
    a.prompt_tokens = 599;
    a.cached_tokens = 598;
    a.cache_hit = 1;
    a.cache_bypass = "prefix";
    a.prompt_prefix = "[benchai 0123456789ab]\n";
    cr_assert_gt(store_sample_put(st, &a, NULL, &err), 0, "%s", err.msg);
    struct store_sample b = ts_sample(&r, "q8", "y");
    b.speed_source = "chunks";
    b.cache_hit = 1;            /* cached_tokens unknown: not stored */
    cr_assert_gt(store_sample_put(st, &b, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples WHERE item_id = 'q7' AND cache_hit = 1"
                                " AND cache_bypass = 'prefix' AND prompt_prefix LIKE '[benchai 0123%'"), 1);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples WHERE item_id = 'q8' AND cache_hit IS NULL"), 1);
    struct buf rows = { 0 };
    cr_assert_eq(store_run_samples(st, r.id, 0, speed_row, &rows, &err), 0, "%s", err.msg);
    cr_assert(strstr(rows.data, "q7:usage:1;") && strstr(rows.data, "q8:chunks:-1;") &&
              strstr(rows.data, "q1:-:-1;"), "%s", rows.data);
    buf_free(&rows);
    struct store_group *g = NULL;
    size_t n = 0;
    cr_assert_eq(store_run_groups(st, r.id, &g, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(g[0].n_speed_usage, 1);
    cr_assert_eq(g[0].n_speed_chunks, 1);
    cr_assert_eq(g[0].n_speed_server, 0);
    cr_assert_eq(g[0].n_cache_known, 1);
    cr_assert_eq(g[0].n_cache_hits, 1);
    store_groups_free(g, n);
    store_close(st);
    free(path);
}

Test(store, newer_store_is_refused)
{
    char *path = ts_path();
    store_close(ts_open(path));
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE meta SET value='99' WHERE key='schema_version'", NULL,
                              NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct bai_error err = { 0 };
    cr_assert_null(store_open(path, &err));
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "newer benchai") && strstr(err.msg, "99"), "%s", err.msg);
    bai_error_clear(&err);
    cr_assert_null(store_open_readonly(path, &err));
    cr_assert(strstr(err.msg, "newer benchai"), "%s", err.msg);
    /* refused means untouched */
    cr_assert_eq(ts_count(path, "SELECT value FROM meta WHERE key='schema_version'"), 99);
    free(path);
}

Test(store, sample_put_exists_and_duplicates_refused)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    int64_t id = ts_put(st, &r, "q1", "first", 1);
    cr_assert_eq(store_sample_exists(st, r.id, r.config_id, r.suite_id, "q1", 0), 1);
    cr_assert_eq(store_sample_exists(st, r.id, r.config_id, r.suite_id, "q1", 1), 0);
    cr_assert_eq(store_sample_exists(st, r.id, r.config_id, r.suite_id, "q2", 0), 0);
    struct bai_error err = { 0 };
    struct store_sample s = ts_sample(&r, "q1", "second");
    struct store_score sc = { .scorer = "exact", .value = 0, .passed = 0 };
    cr_assert_eq(store_sample_put(st, &s, &sc, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_STORE);
    cr_assert(strstr(err.msg, "already stored") && strstr(err.msg, "q1"), "%s", err.msg);
    store_close(st);
    char *out = harness_sql_text(path, "SELECT output FROM samples WHERE item_id='q1'");
    cr_assert_str_eq(out, "first");
    free(out);
    cr_assert_eq(ts_count(path, "SELECT passed FROM scores"), 1);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 1);
    cr_assert_eq(ts_count(path, "SELECT n_samples FROM runs"), 1);
    (void)id;
    free(path);
}

Test(store, batch_commits_once_and_survives_a_duplicate)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    struct bai_error err = { 0 };
    cr_assert_eq(store_begin(st, &err), 0);
    ts_put(st, &r, "a", "x", 1);
    struct store_sample dup = ts_sample(&r, "a", "y");
    cr_assert_eq(store_sample_put(st, &dup, NULL, &err), -1);   /* savepoint rolled back */
    ts_put(st, &r, "b", "x", 0);
    /* not visible to another connection before commit */
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 0);
    cr_assert_eq(store_commit(st, &err), 0, "%s", err.msg);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 2);
    /* a rolled back batch leaves nothing */
    cr_assert_eq(store_begin(st, &err), 0);
    ts_put(st, &r, "c", "x", 1);
    store_rollback(st);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 2);
    store_close(st);
    free(path);
}

Test(store, run_ids_are_short_sortable_and_unique)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct bai_error err = { 0 };
    char a[STORE_RUN_ID_MAX], b[STORE_RUN_ID_MAX];
    cr_assert_eq(store_run_create(st, NULL, a, &err), 0, "%s", err.msg);
    cr_assert_eq(store_run_create(st, NULL, b, &err), 0, "%s", err.msg);
    cr_assert_str_neq(a, b);
    /* r YYMMDD - HHMMSS - 4 base32 */
    cr_assert_eq(strlen(a), 19, "%s", a);
    cr_assert_eq(a[0], 'r');
    for (int i = 1; i <= 6; i++)
        cr_assert(isdigit((unsigned char)a[i]), "%s", a);
    cr_assert_eq(a[7], '-');
    for (int i = 8; i <= 13; i++)
        cr_assert(isdigit((unsigned char)a[i]), "%s", a);
    cr_assert_eq(a[14], '-');
    for (int i = 15; i < 19; i++)
        cr_assert(strchr("0123456789abcdefghjkmnpqrstvwxyz", a[i]) != NULL, "%s", a);
    /* the time part is today's UTC date */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[32];
    snprintf(day, sizeof day, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
    cr_assert(!strncmp(a + 1, day, 6), "%s vs %s", a, day);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM runs WHERE status='running' AND finished IS NULL"), 2);
    cr_assert_eq(store_run_set_status(st, a, "done", &err), 0);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM runs WHERE status='done' AND finished IS NOT NULL"), 1);
    cr_assert_eq(store_run_set_status(st, a, "bogus", &err), -1);
    cr_assert_eq(store_run_set_status(st, "r000000-000000-zzzz", "done", &err), -1);
    store_close(st);
    free(path);
}

Test(store, shards_share_a_given_run_id)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct bai_error err = { 0 };
    char id[STORE_RUN_ID_MAX], again[STORE_RUN_ID_MAX];
    const char *t1[] = { "a" }, *t2[] = { "b" };
    struct store_run_meta m1 = { .run_id = "r261122-120000-job7", .shard = "1/2", .tags = t1, .n_tags = 1 };
    struct store_run_meta m2 = { .run_id = "r261122-120000-job7", .shard = "2/2", .tags = t2, .n_tags = 1 };
    cr_assert_eq(store_run_create(st, &m1, id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(id, "r261122-120000-job7");
    cr_assert_eq(store_run_set_status(st, id, "done", &err), 0);
    cr_assert_eq(store_run_create(st, &m2, again, &err), 0, "%s", err.msg);
    cr_assert_str_eq(again, id);
    store_close(st);
    char *row = harness_sql_text(path, "SELECT status || ' ' || shard || ' ' ||"
                                       " (SELECT group_concat(tag) FROM run_tags) FROM runs");
    cr_assert_str_eq(row, "running 1/2,2/2 a,b");
    free(row);
    /* from the environment, and refused when malformed */
    st = ts_open(path);
    setenv("BENCHAI_RUN_ID", "bad id!", 1);
    cr_assert_eq(store_run_create(st, NULL, id, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    setenv("BENCHAI_RUN_ID", "r-from-env", 1);
    cr_assert_eq(store_run_create(st, NULL, id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(id, "r-from-env");
    unsetenv("BENCHAI_RUN_ID");
    store_close(st);
    free(path);
}

/* Runs with fixed ids and start times, inserted directly. */
static void add_fixed_run(const char *path, const char *id, const char *started, const char *tag)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *sql = xasprintf("INSERT INTO runs(id, started, status) VALUES ('%s', '%s', 'done');"
                          "%s%s%s%s%s",
                          id, started, tag ? "INSERT INTO run_tags VALUES ('" : "",
                          tag ? id : "", tag ? "', '" : "", tag ? tag : "", tag ? "');" : "");
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    free(sql);
    sqlite3_close(db);
}

Test(store, resolve_run)
{
    char *path = ts_path();
    store_close(ts_open(path));
    add_fixed_run(path, "r261120-100000-aaaa", "2026-11-20T10:00:00Z", "prod");
    add_fixed_run(path, "r261121-100000-bbbb", "2026-11-21T10:00:00Z", "prod");
    add_fixed_run(path, "r261121-110000-cccc", "2026-11-21T11:00:00Z", "dev");
    struct store *st = ts_open(path);
    struct bai_error err = { 0 };
    char id[STORE_RUN_ID_MAX];
    cr_assert_eq(store_resolve_run(st, "r261120-100000-aaaa", id, &err), 0);
    cr_assert_str_eq(id, "r261120-100000-aaaa");
    cr_assert_eq(store_resolve_run(st, "r261120", id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(id, "r261120-100000-aaaa");
    cr_assert_eq(store_resolve_run(st, "261121-11", id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(id, "r261121-110000-cccc");
    cr_assert_eq(store_resolve_run(st, "tag:prod", id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(id, "r261121-100000-bbbb", "newest with the tag");
    cr_assert_eq(store_resolve_run(st, "latest", id, &err), 0);
    cr_assert_str_eq(id, "r261121-110000-cccc");

    cr_assert_eq(store_resolve_run(st, "r261121", id, &err), -1);
    cr_assert(strstr(err.msg, "ambiguous"), "%s", err.msg);
    cr_assert_eq(store_resolve_run(st, "tag:nope", id, &err), -1);
    cr_assert(strstr(err.msg, "dev") && strstr(err.msg, "prod"), "lists tags: %s", err.msg);
    /* one character wrong: the suggestion is the run meant */
    bai_error_clear(&err);
    cr_assert_eq(store_resolve_run(st, "r261120-100000-aaab", id, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert(strstr(err.msg, "did you mean r261120-100000-aaaa"), "%s", err.msg);
    /* nothing close: the newest are named */
    cr_assert_eq(store_resolve_run(st, "zzzzzzzzzzzzzzzzzz", id, &err), -1);
    cr_assert(strstr(err.msg, "newest: r261121-110000-cccc"), "%s", err.msg);
    store_close(st);
    free(path);
}

Test(store, runs_list_filters)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run a, b;
    ts_make_run(st, &a, "cfg", "smoke", "nightly");
    ts_put(st, &a, "q1", "x", 1);
    ts_make_run(st, &b, "cfg2", "math", NULL);
    ts_put(st, &b, "m1", "x", 1);
    struct bai_error err = { 0 };
    struct store_config big = { .label = "big", .model = "/models/qwen-32b.gguf" };
    cr_assert_gt(store_config_add(st, b.id, &big, &err), 0);
    cr_assert_eq(store_run_set_status(st, a.id, "done", &err), 0);
    struct store_run_info *v = NULL;
    size_t n = 0;
    struct store_run_filter f = { .suite = "smoke" };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].id, a.id);
    store_runs_free(v, n);
    f = (struct store_run_filter){ .model = "qwen" };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].id, b.id);
    cr_assert_eq(v[0].n_configs, 2);
    cr_assert_str_eq(v[0].models, "qwen-32b,tiny.gguf");    /* names, sorted */
    store_runs_free(v, n);
    f = (struct store_run_filter){ .tag = "nightly", .status = "done" };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), 0);
    cr_assert_eq(n, 1);
    store_runs_free(v, n);
    f = (struct store_run_filter){ .status = "running", .since = "1d" };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), 0);
    cr_assert_eq(n, 1);
    store_runs_free(v, n);
    f = (struct store_run_filter){ .until = "2020-01-01" };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), 0);
    cr_assert_eq(n, 0);
    store_runs_free(v, n);
    f = (struct store_run_filter){ .since = "yesterday" };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    f = (struct store_run_filter){ .limit = 1 };
    cr_assert_eq(store_runs_list(st, &f, &v, &n, &err), 0);
    cr_assert_eq(n, 1);
    store_runs_free(v, n);
    store_close(st);
    free(path);
}

/* The name run labels, `runs` and the reports show for a model. */
Test(store, model_name)
{
    const char *cases[][3] = {
        { "llama-server", "/root/.cache/benchai/models/tiny-dense.gguf", "tiny-dense" },
        { "llama-server", "models/q.bin", "q.bin" },
        { "openai", "qwen/Qwen2.5-7B", "qwen/Qwen2.5-7B" },      /* an endpoint's name */
        { "replay", "replay:r1", "replay:r1" },
        { NULL, "/m/x.gguf", "x" },                              /* backend not recorded */
        { NULL, "plain", "plain" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = store_model_name(cases[i][0], cases[i][1]);
        cr_assert_str_eq(n, cases[i][2], "%s", cases[i][1]);
        free(n);
    }
    char *q = store_model_name("llama-server", NULL);
    cr_assert_str_eq(q, "?");
    free(q);
}

static int count_rows(void *ctx, const struct store_sample_row *row)
{
    (void)row;
    ((int *)ctx)[0]++;
    return 0;
}

Test(store, groups_count_what_show_prints)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    struct bai_error err = { 0 };
    /* 4 ok samples: pass, pass, fail, unparsed; one error; one warmup */
    static const struct { const char *item; int passed; const char *status; double gen, ttft; } rows[] = {
        { "a", 1, "scored", 10, 100 }, { "b", 1, "scored", 20, 200 },
        { "c", 0, "scored", 30, 300 }, { "d", 0, "unparsed", 40, 400 },
    };
    for (size_t i = 0; i < 4; i++) {
        struct store_sample s = ts_sample(&r, rows[i].item, "out");
        s.gen_tps = rows[i].gen;
        s.ttft_ms = rows[i].ttft;
        s.draft_n = 10;
        s.draft_accepted = 5 + (int)i;
        struct store_score sc = { .scorer = "exact", .value = rows[i].passed,
                                  .passed = rows[i].passed, .status = rows[i].status };
        cr_assert_gt(store_sample_put(st, &s, &sc, &err), 0, "%s", err.msg);
    }
    struct store_sample e = ts_sample(&r, "e", NULL);
    e.status = "error";
    e.error = "HTTP 500";
    e.gen_tps = 999;
    cr_assert_gt(store_sample_put(st, &e, NULL, &err), 0);
    struct store_sample w = ts_sample(&r, "w", "warm");
    w.warmup = 1;
    w.gen_tps = 1;
    struct store_score wsc = { .scorer = "exact", .value = 0, .passed = 0 };
    cr_assert_gt(store_sample_put(st, &w, &wsc, &err), 0);

    struct store_group *g = NULL;
    size_t n = 0;
    cr_assert_eq(store_run_groups(st, r.id, &g, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(g[0].config_label, "cfg");
    cr_assert_str_eq(g[0].suite_name, "smoke");
    cr_assert_eq(g[0].n_samples, 5);
    cr_assert_eq(g[0].n_warmup, 1);
    cr_assert_eq(g[0].n_errors, 1);
    cr_assert_eq(g[0].n_scores, 1);
    /* one score row per scored sample, in sample order, with its status */
    cr_assert_eq(g[0].scores[0].n_rows, 4);
    int scored = 0, passed = 0, unparsed = 0;
    for (size_t i = 0; i < g[0].scores[0].n_rows; i++) {
        scored += g[0].scores[0].status[i] == 's';
        passed += g[0].scores[0].passed[i] == 1;
        unparsed += g[0].scores[0].status[i] == 'u';
        cr_assert(i == 0 || g[0].scores[0].sample[i] > g[0].scores[0].sample[i - 1]);
    }
    cr_assert_eq(scored, 3);
    cr_assert_eq(passed, 2);
    cr_assert_eq(unparsed, 1);
    cr_assert_eq(g[0].sample_status[g[0].scores[0].sample[0]], 'o');
    cr_assert_eq(g[0].n_gen_tps, 4, "error and warmup excluded");
    double sum = 0;
    for (size_t i = 0; i < g[0].n_gen_tps; i++)
        sum += g[0].gen_tps[i];
    cr_assert_float_eq(sum, 100.0, 1e-9);
    cr_assert_eq(g[0].draft_n, 40);
    cr_assert_eq(g[0].draft_accepted, 5 + 6 + 7 + 8);
    store_groups_free(g, n);

    /* only_failed walks the fail, the unparsed and the error */
    int count = 0;
    cr_assert_eq(store_run_samples(st, r.id, 1, count_rows, &count, &err), 0);
    cr_assert_eq(count, 4, "c, d, e and the warmup fail");
    store_close(st);
    free(path);
}

Test(store, delete_run_removes_everything_of_it)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run a, b;
    ts_make_run(st, &a, "cfg", "smoke", "x");
    ts_make_run(st, &b, "cfg", "smoke", NULL);
    for (int i = 0; i < 5; i++) {
        char item[16];
        snprintf(item, sizeof item, "q%d", i);
        ts_put(st, &a, item, "o", i % 2);
        ts_put(st, &b, item, "o", 1);
    }
    struct bai_error err = { 0 };
    cr_assert_eq(store_incident_add(st, a.id, a.config_id, "restart", "server died", &err), 0);
    int64_t n = 0;
    cr_assert_eq(store_run_delete(st, a.id, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 5);
    cr_assert_eq(store_run_delete(st, a.id, &n, &err), -1, "gone");
    store_close(st);
    char *q = xasprintf("SELECT (SELECT count(*) FROM samples WHERE run_id='%s')"
                        " + (SELECT count(*) FROM configs WHERE run_id='%s')"
                        " + (SELECT count(*) FROM incidents)"
                        " + (SELECT count(*) FROM run_tags) + (SELECT count(*) FROM runs WHERE id='%s')",
                        a.id, a.id, a.id);
    cr_assert_eq(ts_count(path, q), 0);
    free(q);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM scores"), 5, "b's scores stay");
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM samples"), 5);
    free(path);
}

Test(store, host_json_describes_this_machine)
{
    char *j = store_host_json();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char want[32];
    snprintf(want, sizeof want, "\"cores\":%ld", cores);
    cr_assert(strstr(j, want), "%s", j);
    cr_assert(strstr(j, "\"cpu\":\"") && strstr(j, "\"ram_bytes\":") && strstr(j, "\"gpu\":["),
              "%s", j);
    free(j);
}

Test(store, answers_for_rescore)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct bai_error err = { 0 };
    struct ts_run a, b;
    ts_make_run(st, &a, "cfg-a", "qa", NULL);
    ts_make_run(st, &b, "cfg-b", "qa", NULL);     /* same suite row: a peer run */
    int64_t a2 = ts_put(st, &a, "q2", "two", 1);
    int64_t a1 = ts_put(st, &a, "q1", "one", 0);
    struct store_sample warm = ts_sample(&a, "q3", "warm");
    warm.warmup = 1;
    cr_assert_gt(store_sample_put(st, &warm, NULL, &err), 0, "%s", err.msg);
    struct store_sample failed = ts_sample(&a, "q4", NULL);
    failed.status = "error";
    failed.error = "HTTP 500";
    cr_assert_gt(store_sample_put(st, &failed, NULL, &err), 0, "%s", err.msg);
    int64_t b1 = ts_put(st, &b, "q1", "uno", 1);
    struct store_sample blank = ts_sample(&b, "q2", "   ");
    cr_assert_gt(store_sample_put(st, &blank, NULL, &err), 0, "%s", err.msg);

    struct store_suite_ref *suites;
    size_t n;
    cr_assert_eq(store_run_sample_suites(st, a.id, &suites, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(suites[0].name, "qa");
    cr_assert_str_eq(suites[0].sha256, "h-qa");
    cr_assert_eq(suites[0].id, a.suite_id);
    store_suite_refs_free(suites, n);

    /* answers only: warm-up and errored samples left out, by item */
    struct store_answer *ans;
    cr_assert_eq(store_run_answers(st, a.id, a.suite_id, &ans, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_eq(ans[0].id, a1);
    cr_assert_str_eq(ans[0].output, "one");
    cr_assert_eq(ans[1].id, a2);
    cr_assert_null(ans[1].reasoning);
    store_answers_free(ans, n);

    double v = -1;
    cr_assert_eq(store_score_value(st, a2, "exact", &v, &err), 1);
    cr_assert_float_eq(v, 1.0, 1e-12);
    cr_assert_eq(store_score_value(st, a2, "judge", &v, &err), 0, "another scorer's score is absent");
    struct store_score unparsed = { .scorer = "judge", .value = 0, .passed = -1, .status = "unparsed" };
    cr_assert_eq(store_score_put(st, a2, &unparsed, &err), 0, "%s", err.msg);
    cr_assert_eq(store_score_value(st, a2, "judge", &v, &err), 0, "unparsed is not a value");

    /* peers: every non-empty answer of (qa, 1) in the store, by item then config */
    struct store_peer_ref *peers;
    cr_assert_eq(store_suite_peer_answers(st, "qa", 1, &peers, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_assert_eq(peers[0].id, a1);
    cr_assert_eq(peers[1].id, b1);
    cr_assert_eq(peers[1].config_id, b.config_id);
    cr_assert_eq(peers[2].id, a2);
    store_peer_refs_free(peers, n);
    char *out = NULL;
    cr_assert_eq(store_sample_output(st, b1, &out, &err), 1);
    cr_assert_str_eq(out, "uno");
    free(out);
    cr_assert_eq(store_sample_output(st, 999999, &out, &err), 0);
    cr_assert_null(out);

    /* the plan a run was stored with; an unknown run is 0, not an error */
    char *plan = NULL;
    cr_assert_eq(store_run_plan(st, a.id, &plan, &err), 1);
    cr_assert_null(plan, "ts_make_run stores no plan");
    cr_assert_eq(store_run_plan(st, "r-none", &plan, &err), 0);
    store_close(st);
    free(path);
}

Test(store, config_ok_again_drops_the_old_reason)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "cfg", "smoke", NULL);
    struct bai_error err = { 0 };
    struct store_config failed = { .status = "failed", .reason = "given up in suite smoke: server died 4 times" };
    cr_assert_eq(store_config_update(st, r.config_id, &failed, &err), 0, "%s", err.msg);
    /* a later update without a reason (e.g. props) keeps it */
    struct store_config props = { .props_json = "{}" };
    cr_assert_eq(store_config_update(st, r.config_id, &props, &err), 0, "%s", err.msg);
    store_close(st);
    char *reason = harness_sql_text(path, "SELECT reason FROM configs");
    cr_assert_str_eq(reason, "given up in suite smoke: server died 4 times");
    free(reason);
    /* resumed, the point runs: status ok and no stale reason */
    st = ts_open(path);
    struct store_config ok = { .status = "ok" };
    cr_assert_eq(store_config_update(st, r.config_id, &ok, &err), 0, "%s", err.msg);
    store_close(st);
    cr_assert_eq(ts_count(path, "SELECT count(*) FROM configs WHERE status = 'ok' AND reason IS NULL"), 1);
    free(path);
}
