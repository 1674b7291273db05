/* runs.c - runs: creation with a short sortable id, status, tags,
 * resolving what a user typed to a run id, listing, reading, deleting. */
#include "store/store_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/mem.h"
#include "util/version.h"

/* Crockford's base32 alphabet in lower case: no i, l, o, u to misread. */
static const char B32[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* r + UTC YYMMDD-HHMMSS + '-' + 4 random base32 characters: sorts by start
 * time, is short enough to type, and two runs started in the same second
 * (shards on a cluster) collide with probability 1/2^20. */
void store_new_run_id(char out[STORE_RUN_ID_MAX])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    unsigned char rnd[4];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        /* getrandom cannot fail for 4 bytes after boot; fall back anyway */
        unsigned long x = (unsigned long)clock() ^ (unsigned long)now ^ (unsigned long)getpid();
        memcpy(rnd, &x, sizeof rnd);
    }
    char suffix[5];
    for (int i = 0; i < 4; i++)
        suffix[i] = B32[rnd[i] & 31];
    suffix[4] = '\0';
    snprintf(out, STORE_RUN_ID_MAX, "r%02d%02d%02d-%02d%02d%02d-%s", tm.tm_year % 100,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, suffix);
}

static int valid_run_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= STORE_RUN_ID_MAX || !strcmp(id, "latest") || !strncmp(id, "tag:", 4))
        return 0;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int add_tags(struct store *st, const char *id, const struct store_run_meta *meta,
                    struct bai_error *err)
{
    for (size_t i = 0; meta && i < meta->n_tags; i++) {
        sqlite3_stmt *s = store_stmt(st, SS_RUN_TAG_INSERT,
                                     "INSERT OR IGNORE INTO run_tags(run_id, tag) VALUES (?1, ?2)",
                                     err);
        if (!s)
            return -1;
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
        store_bind_text(s, 2, meta->tags[i]);
        int rc = sqlite3_step(s);
        store_stmt_done(s);
        if (rc != SQLITE_DONE)
            return store_fail(st, rc, "tagging a run", err);
    }
    return 0;
}

/* A shard joining a run already in this store: union the shard list, add
 * tags, mark it running again. */
static int join_run(struct store *st, const char *id, const struct store_run_meta *meta,
                    struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
        "UPDATE runs SET status = 'running', finished = NULL, shard = CASE"
        " WHEN ?2 IS NULL THEN shard WHEN shard IS NULL THEN ?2"
        " WHEN instr(',' || shard || ',', ',' || ?2 || ',') > 0 THEN shard"
        " ELSE shard || ',' || ?2 END WHERE id = ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
        store_bind_text(s, 2, meta ? meta->shard : NULL);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "joining a run", err);
    return add_tags(st, id, meta, err);
}

int store_run_create(struct store *st, const struct store_run_meta *meta,
                     char id_out[STORE_RUN_ID_MAX], struct bai_error *err)
{
    const char *given = meta && meta->run_id ? meta->run_id : getenv("BENCHAI_RUN_ID");
    if (given && !*given)
        given = NULL;
    if (given && !valid_run_id(given)) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "run id '%s' (from %s) must be 1-%d characters of letters, digits, '.', "
                      "'_' and '-'", given, meta && meta->run_id ? "the caller" : "BENCHAI_RUN_ID",
                      STORE_RUN_ID_MAX - 1);
        return -1;
    }
    static const char sql[] =
        "INSERT INTO runs(id, started, status, host_json, benchai_version, llama_build,"
        " plan_json, note, shard) VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7, ?8)";
    char now[32];
    store_now_iso(now);
    if (store_tx_begin(st, err) < 0)
        return -1;
    int rc = SQLITE_CONSTRAINT;
    for (int attempt = 0; attempt < 8 && (rc & 0xff) == SQLITE_CONSTRAINT; attempt++) {
        if (given && attempt > 0) {
            /* the id exists here: this shard joins the run */
            if (join_run(st, id_out, meta, err) < 0)
                goto fail;
            rc = SQLITE_DONE;
            break;
        }
        if (given)
            snprintf(id_out, STORE_RUN_ID_MAX, "%s", given);
        else
            store_new_run_id(id_out);
        sqlite3_stmt *s = store_stmt(st, SS_RUN_INSERT, sql, err);
        if (!s)
            goto fail;
        sqlite3_bind_text(s, 1, id_out, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
        store_bind_text(s, 3, meta ? meta->host_json : NULL);
        sqlite3_bind_text(s, 4, bai_version, -1, SQLITE_STATIC);
        store_bind_text(s, 5, meta ? meta->llama_build : NULL);
        store_bind_text(s, 6, meta ? meta->plan_json : NULL);
        store_bind_text(s, 7, meta ? meta->note : NULL);
        store_bind_text(s, 8, meta ? meta->shard : NULL);
        rc = sqlite3_step(s);
        store_stmt_done(s);
    }
    if (rc != SQLITE_DONE) {
        store_fail(st, rc, "creating a run", err);
        goto fail;
    }
    if (add_tags(st, id_out, meta, err) < 0)
        goto fail;
    if (store_tx_commit(st, err) < 0)
        return -1;
    return 0;
fail:
    store_tx_rollback(st);
    return -1;
}

static int run_update(struct store *st, enum store_stmt_id id, const char *sql, const char *run_id,
                      const char *a, const char *b, const char *what, struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, id, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    store_bind_text(s, 2, a);
    store_bind_text(s, 3, b);
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, what, err);
    if (sqlite3_changes(st->db) == 0) {
        bai_error_set(err, BAI_EXIT_STORE, "%s: no run '%s'", st->path, run_id);
        return -1;
    }
    return 0;
}

int store_run_set_status(struct store *st, const char *run_id, const char *status,
                         struct bai_error *err)
{
    static const char *const valid[] = { "running", "done", "interrupted", "failed" };
    int ok = 0;
    for (size_t i = 0; i < 4; i++)
        ok |= status && !strcmp(status, valid[i]);
    if (!ok) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "invalid run status '%s'", status ? status : "");
        return -1;
    }
    char now[32];
    store_now_iso(now);
    /* running again (resume) clears finished */
    return run_update(st, SS_RUN_STATUS,
                      "UPDATE runs SET status = ?2, finished = CASE WHEN ?2 = 'running' THEN NULL"
                      " ELSE ?3 END WHERE id = ?1",
                      run_id, status, now, "setting the run status", err);
}

int store_run_set_llama_build(struct store *st, const char *run_id, const char *build,
                              struct bai_error *err)
{
    if (run_update(st, SS_RUN_LLAMA, "UPDATE runs SET llama_build = ?2 WHERE id = ?1", run_id,
                   build, NULL, "recording the llama.cpp build", err) < 0)
        return -1;
    return !strcmp(st->session_run, run_id) ? store_session_set_llama_build(st, build, err) : 0;
}

int store_run_set_owner(struct store *st, const char *run_id, const struct store_owner *o,
                        struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_RUN_OWNER,
                                 "UPDATE runs SET owner_pid = ?2, owner_host = ?3, owner_start = ?4 WHERE id = ?1",
                                 err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, o->pid);
    store_bind_text(s, 3, o->host);
    store_bind_text(s, 4, o->start);
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "recording the run's process", err);
    return 0;
}

/* ---- reading ----------------------------------------------------------- */

static const char RUN_SELECT[] =
    "SELECT r.id, r.started, r.finished, r.status, r.host_json, r.benchai_version,"
    " r.llama_build, r.plan_json, r.note, r.shard, r.n_samples,"
    " (SELECT group_concat(tag, ',') FROM"
    "   (SELECT tag FROM run_tags WHERE run_id = r.id ORDER BY tag)),"
    " (SELECT group_concat(name, ',') FROM"
    "   (SELECT DISTINCT su.name FROM run_suites rs JOIN suites su ON su.id = rs.suite_id"
    "    WHERE rs.run_id = r.id ORDER BY su.name)),"
    /* (backend, model) pairs, unit-separated: store_model_name needs both */
    " (SELECT group_concat(coalesce(backend, '') || char(31) || model, char(30)) FROM"
    "   (SELECT DISTINCT backend, model FROM configs WHERE run_id = r.id AND model IS NOT NULL"
    "    ORDER BY model)),"
    " (SELECT count(*) FROM configs WHERE run_id = r.id),"
    " r.owner_pid, r.owner_host, r.owner_start, r.n_shards"
    " FROM runs r";

static char *col_or_empty(sqlite3_stmt *s, int i)
{
    char *v = store_col_dup(s, i);
    return v ? v : xstrdup("");
}

char *store_model_name(const char *backend, const char *model)
{
    if (!model)
        return xstrdup("?");
    size_t len = strlen(model);
    int gguf = len > 5 && !strcmp(model + len - 5, ".gguf");
    if (backend ? strcmp(backend, "llama-server") != 0 : !gguf)
        return xstrdup(model);
    const char *slash = strrchr(model, '/');
    const char *base = slash && slash[1] ? slash + 1 : model;
    len = strlen(base);
    if (len > 5 && !strcmp(base + len - 5, ".gguf"))
        len -= 5;
    return xstrndup(base, len);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "backend\x1fmodel\x1e..." (RUN_SELECT) -> the distinct display names,
 * sorted, comma-separated. */
static char *model_names(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (!t)
        return xstrdup("");
    char *copy = xstrdup((const char *)t), *save = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (char *pair = strtok_r(copy, "\x1e", &save); pair; pair = strtok_r(NULL, "\x1e", &save)) {
        char *sep = strchr(pair, '\x1f');
        if (!sep)
            continue;
        *sep = '\0';
        XGROW(names, n + 1, cap);
        names[n++] = store_model_name(*pair ? pair : NULL, sep + 1);
    }
    free(copy);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_name);
    struct buf b = { 0 };
    for (size_t k = 0; k < n; k++)
        if (!k || strcmp(names[k], names[k - 1]))
            buf_printf(&b, "%s%s", b.len ? "," : "", names[k]);
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
    return buf_detach(&b);
}

static void run_from_row(sqlite3_stmt *s, struct store_run_info *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(s, 0));
    r->started = store_col_dup(s, 1);
    r->finished = store_col_dup(s, 2);
    r->status = store_col_dup(s, 3);
    r->host_json = store_col_dup(s, 4);
    r->benchai_version = store_col_dup(s, 5);
    r->llama_build = store_col_dup(s, 6);
    r->plan_json = store_col_dup(s, 7);
    r->note = store_col_dup(s, 8);
    r->shard = store_col_dup(s, 9);
    r->n_samples = sqlite3_column_int64(s, 10);
    r->tags = col_or_empty(s, 11);
    r->suites = col_or_empty(s, 12);
    r->models = model_names(s, 13);
    r->n_configs = sqlite3_column_int64(s, 14);
    r->owner.pid = (long)sqlite3_column_int64(s, 15);     /* NULL reads 0: not recorded */
    const unsigned char *t = sqlite3_column_text(s, 16);
    snprintf(r->owner.host, sizeof r->owner.host, "%s", t ? (const char *)t : "");
    t = sqlite3_column_text(s, 17);
    snprintf(r->owner.start, sizeof r->owner.start, "%s", t ? (const char *)t : "");
    r->n_shards = sqlite3_column_int(s, 18);
}

void store_run_info_free(struct store_run_info *r)
{
    if (!r)
        return;
    free(r->started);
    free(r->finished);
    free(r->status);
    free(r->host_json);
    free(r->benchai_version);
    free(r->llama_build);
    free(r->plan_json);
    free(r->note);
    free(r->shard);
    free(r->tags);
    free(r->suites);
    free(r->models);
    memset(r, 0, sizeof *r);
}

void store_runs_free(struct store_run_info *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        store_run_info_free(&runs[i]);
    free(runs);
}

/* Normalises a --since / --until value to an ISO 8601 UTC timestamp that
 * compares as text with runs.started. */
static int parse_when(const char *in, int end_of_day, char out[32], struct bai_error *err)
{
    size_t len = strlen(in);
    char *end = NULL;
    long n = strtol(in, &end, 10);
    if (end && end != in && n >= 0 && end[1] == '\0' && strchr("dhm", end[0])) {
        long secs = n * (end[0] == 'd' ? 86400 : end[0] == 'h' ? 3600 : 60);
        time_t t = time(NULL) - secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return 0;
    }
    int y, mo, d, h, mi, s;
    char z;
    if (len == 10 && sscanf(in, "%4d-%2d-%2d", &y, &mo, &d) == 3) {
        snprintf(out, 32, "%04d-%02d-%02dT%s", y, mo, d, end_of_day ? "23:59:59Z" : "00:00:00Z");
        return 0;
    }
    if ((len == 20 || len == 19) &&
        sscanf(in, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) >= 6) {
        snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
        return 0;
    }
    bai_error_set(err, BAI_EXIT_USAGE,
                  "bad date '%s': use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or a relative "
                  "age such as 7d, 12h, 30m", in);
    return -1;
}

static int collect_runs(struct store *st, sqlite3_stmt *s, struct store_run_info **out,
                        size_t *n_out, struct bai_error *err)
{
    struct store_run_info *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        run_from_row(s, &v[n++]);
    }
    if (rc != SQLITE_DONE) {
        store_runs_free(v, n);
        return store_fail(st, rc, "listing runs", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

int store_runs_list(struct store *st, const struct store_run_filter *f,
                    struct store_run_info **out, size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    struct store_run_filter none = { 0 };
    if (!f)
        f = &none;
    char since[32] = "", until[32] = "";
    if (f->since && parse_when(f->since, 0, since, err) < 0)
        return -1;
    if (f->until && parse_when(f->until, 1, until, err) < 0)
        return -1;
    struct buf sql = { 0 };
    buf_puts(&sql, RUN_SELECT);
    buf_puts(&sql, " WHERE 1");
    if (f->status)
        buf_puts(&sql, " AND r.status = ?1");
    if (f->since)
        buf_puts(&sql, " AND r.started >= ?2");
    if (f->until)
        buf_puts(&sql, " AND r.started <= ?3");
    if (f->tag)
        buf_puts(&sql, " AND EXISTS (SELECT 1 FROM run_tags WHERE run_id = r.id AND tag = ?4)");
    if (f->suite)
        buf_puts(&sql, " AND EXISTS (SELECT 1 FROM run_suites rs JOIN suites su"
                       " ON su.id = rs.suite_id WHERE rs.run_id = r.id AND su.name = ?5)");
    if (f->model)
        buf_puts(&sql, " AND EXISTS (SELECT 1 FROM configs c WHERE c.run_id = r.id"
                       " AND instr(c.model, ?6) > 0)");
    buf_puts(&sql, " ORDER BY r.started DESC, r.id DESC");
    if (f->limit > 0)
        buf_printf(&sql, " LIMIT %d", f->limit);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL);
    buf_free(&sql);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "listing runs", err);
    store_bind_text(s, 1, f->status);
    if (f->since)
        sqlite3_bind_text(s, 2, since, -1, SQLITE_TRANSIENT);
    if (f->until)
        sqlite3_bind_text(s, 3, until, -1, SQLITE_TRANSIENT);
    store_bind_text(s, 4, f->tag);
    store_bind_text(s, 5, f->suite);
    store_bind_text(s, 6, f->model);
    rc = collect_runs(st, s, out, n_out, err);
    sqlite3_finalize(s);
    return rc;
}

int store_run_get(struct store *st, const char *run_id, struct store_run_info *out,
                  struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    char *sql = xasprintf("%s WHERE r.id = ?1", RUN_SELECT);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading a run", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        run_from_row(s, out);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE) {
        bai_error_set(err, BAI_EXIT_USAGE, "no run '%s' in %s", run_id, st->path);
        return -1;
    }
    if (rc != SQLITE_ROW)
        return store_fail(st, rc, "reading a run", err);
    return 0;
}

int store_run_plan(struct store *st, const char *run_id, char **plan_json_out, struct bai_error *err)
{
    *plan_json_out = NULL;
    sqlite3_stmt *s = store_stmt(st, SS_RUN_PLAN, "SELECT plan_json FROM runs WHERE id = ?1", err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *plan_json_out = store_col_dup(s, 0);
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading a run's plan", err);
    return rc == SQLITE_ROW;
}

/* ---- resolving ----------------------------------------------------------- */

/* Edit distance between a and the first strlen(a) characters of b (so a
 * mistyped prefix is close to the run it meant). */
static size_t prefix_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb > la)
        lb = la;
    size_t *prev = xcalloc(lb + 1, sizeof *prev), *cur = xcalloc(lb + 1, sizeof *cur);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
                                        tolower((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[lb];
    free(prev);
    free(cur);
    return d;
}

/* Collects ids from a one-column query. */
static int query_ids(struct store *st, const char *sql, const char *arg, char ***ids_out,
                     size_t *n_out, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "resolving a run", err);
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
    char **ids = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(ids, n + 1, cap);
        ids[n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    *ids_out = ids;
    *n_out = n;
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
        *ids_out = NULL;
        *n_out = 0;
        return store_fail(st, rc, "resolving a run", err);
    }
    return 0;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* Sets err to "no run SPEC" plus the closest ids (newest first among
 * equals), or the newest ids when nothing is close. */
static int unknown_run(struct store *st, const char *spec, struct bai_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    if (query_ids(st, "SELECT id FROM runs ORDER BY started DESC, id DESC", NULL, &ids, &n,
                  err) < 0)
        return -1;
    if (n == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "no run '%s': the store %s has no runs yet", spec,
                      st->path);
        free_ids(ids, n);
        return -1;
    }
    size_t limit = strlen(spec) / 4 + 1;
    struct buf b = { 0 };
    size_t shown = 0;
    for (size_t d = 0; d <= limit && shown < 3; d++)
        for (size_t i = 0; i < n && shown < 3; i++)
            if (prefix_distance(spec, ids[i]) == d) {
                buf_printf(&b, "%s%s", shown ? ", " : "", ids[i]);
                shown++;
            }
    if (shown) {
        bai_error_set(err, BAI_EXIT_USAGE, "no run '%s' in %s; did you mean %s?", spec,
                      st->path, b.data);
    } else {
        for (size_t i = 0; i < n && i < 3; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
        bai_error_set(err, BAI_EXIT_USAGE,
                      "no run '%s' in %s (newest: %s; 'benchai runs' lists them all)", spec,
                      st->path, b.data);
    }
    buf_free(&b);
    free_ids(ids, n);
    return -1;
}

static int resolve_tag(struct store *st, const char *tag, char id_out[STORE_RUN_ID_MAX],
                       struct bai_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    if (query_ids(st,
                  "SELECT r.id FROM run_tags t JOIN runs r ON r.id = t.run_id WHERE t.tag = ?1"
                  " ORDER BY r.started DESC, r.id DESC LIMIT 1",
                  tag, &ids, &n, err) < 0)
        return -1;
    if (n == 1) {
        snprintf(id_out, STORE_RUN_ID_MAX, "%s", ids[0]);
        free_ids(ids, n);
        return 0;
    }
    free_ids(ids, n);
    if (query_ids(st, "SELECT DISTINCT tag FROM run_tags ORDER BY tag LIMIT 10", NULL, &ids, &n,
                  err) < 0)
        return -1;
    struct buf b = { 0 };
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
    bai_error_set(err, BAI_EXIT_USAGE, "no run tagged '%s' in %s (tags in the store: %s)", tag,
                  st->path, n ? b.data : "none");
    buf_free(&b);
    free_ids(ids, n);
    return -1;
}

int store_resolve_run(struct store *st, const char *spec, char id_out[STORE_RUN_ID_MAX],
                      struct bai_error *err)
{
    if (!spec || !*spec) {
        bai_error_set(err, BAI_EXIT_USAGE, "empty run id");
        return -1;
    }
    if (!strncmp(spec, "tag:", 4))
        return resolve_tag(st, spec + 4, id_out, err);
    char **ids = NULL;
    size_t n = 0;
    if (!strcmp(spec, "latest")) {
        if (query_ids(st, "SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT 1", NULL,
                      &ids, &n, err) < 0)
            return -1;
        if (n == 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "no runs in %s yet", st->path);
            free_ids(ids, n);
            return -1;
        }
        snprintf(id_out, STORE_RUN_ID_MAX, "%s", ids[0]);
        free_ids(ids, n);
        return 0;
    }
    /* exact id or unique prefix; "261122-14" is tried as "r261122-14" too */
    for (int pass = 0; pass < 2; pass++) {
        char *want = pass ? xasprintf("r%s", spec) : xstrdup(spec);
        if (pass && spec[0] == 'r') {
            free(want);
            break;
        }
        if (query_ids(st,
                      "SELECT id FROM runs WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1"
                      " ORDER BY (id = ?1) DESC, started DESC, id DESC LIMIT 6",
                      want, &ids, &n, err) < 0) {
            free(want);
            return -1;
        }
        if (n >= 1 && (n == 1 || !strcmp(ids[0], want))) {
            snprintf(id_out, STORE_RUN_ID_MAX, "%s", ids[0]);
            free(want);
            free_ids(ids, n);
            return 0;
        }
        if (n > 1) {
            struct buf b = { 0 };
            for (size_t i = 0; i < n && i < 5; i++)
                buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
            bai_error_set(err, BAI_EXIT_USAGE,
                          "run prefix '%s' is ambiguous: it matches %s%s; give more characters",
                          spec, b.data, n > 5 ? ", ..." : "");
            buf_free(&b);
            free(want);
            free_ids(ids, n);
            return -1;
        }
        free(want);
        free_ids(ids, n);
    }
    return unknown_run(st, spec, err);
}

/* ---- deleting -------------------------------------------------------------- */

int store_run_delete(struct store *st, const char *run_id, int64_t *n_samples_out,
                     struct bai_error *err)
{
    static const char *const steps[] = {
        "DELETE FROM scores WHERE sample_id IN (SELECT id FROM samples WHERE run_id = ?1)",
        "DELETE FROM samples WHERE run_id = ?1",
        "DELETE FROM incidents WHERE run_id = ?1",
        "DELETE FROM run_sessions WHERE run_id = ?1",
        "DELETE FROM run_planned WHERE run_id = ?1",
        "DELETE FROM run_suites WHERE run_id = ?1",
        "DELETE FROM run_tags WHERE run_id = ?1",
        "DELETE FROM configs WHERE run_id = ?1",
        "DELETE FROM runs WHERE id = ?1",
    };
    if (store_tx_begin(st, err) < 0)
        return -1;
    int64_t n_samples = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(st->db, steps[i], -1, &s, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(s);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) {
            store_fail(st, rc, "deleting a run", err);
            store_tx_rollback(st);
            return -1;
        }
        if (i == 1)
            n_samples = sqlite3_changes(st->db);
        if (i == sizeof steps / sizeof steps[0] - 1 && sqlite3_changes(st->db) == 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "no run '%s' in %s", run_id, st->path);
            store_tx_rollback(st);
            return -1;
        }
    }
    if (store_tx_commit(st, err) < 0)
        return -1;
    if (n_samples_out)
        *n_samples_out = n_samples;
    return 0;
}
