/* shards.c - the run manifest (what each of a run's N shards is to store),
 * sessions (each process that writes a run: shard, host, versions, GPU
 * binding, status, heartbeat) and the shard states and run status derived
 * from them (store.h, "the run manifest, sessions and shards"). */
#include "store/store_int.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/mem.h"
#include "util/version.h"

/* ---- manifest ---------------------------------------------------------------- */

static int read_manifest_head(struct store *st, const char *run_id, int *n_shards, char sha[65],
                              struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT n_shards, manifest_sha256 FROM runs WHERE id = ?1", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the run manifest", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    *n_shards = 0;
    sha[0] = '\0';
    if (rc == SQLITE_ROW) {
        *n_shards = sqlite3_column_int(s, 0);
        const unsigned char *t = sqlite3_column_text(s, 1);
        snprintf(sha, 65, "%s", t ? (const char *)t : "");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading the run manifest", err);
    return rc == SQLITE_ROW ? 0 : -1;
}

int store_run_manifest(struct store *st, const char *run_id, int n_shards, const char *sha256,
                       const struct store_manifest_row *rows, size_t n, int force, struct bai_error *err)
{
    if (store_tx_begin(st, err) < 0)
        return -1;
    int have_n = 0;
    char have_sha[65];
    if (read_manifest_head(st, run_id, &have_n, have_sha, err) < 0) {
        if (!err->msg[0])
            bai_error_set(err, BAI_EXIT_STORE, "%s: no run '%s'", st->path, run_id);
        goto fail;
    }
    if (have_sha[0]) {
        if (have_n != n_shards || strcmp(have_sha, sha256) != 0) {
            if (force) {
                store_tx_rollback(st);
                return 0;
            }
            bai_error_set(err, BAI_EXIT_USAGE,
                          "run %s was planned as %d shard(s) with manifest %.12s; this process plans %d shard(s) "
                          "with manifest %.12s: the plan, its suites, --limit, --reps, --split-above or the model "
                          "files differ between the shards (give every shard the same ones; --force continues "
                          "under the stored manifest)", run_id, have_n, have_sha, n_shards, sha256);
            goto fail;
        }
        return store_tx_commit(st, err);
    }
    if (!rows)
        return store_tx_commit(st, err);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "UPDATE runs SET n_shards = ?2, manifest_sha256 = ?3 WHERE id = ?1", -1,
                                &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 2, n_shards);
        sqlite3_bind_text(s, 3, sha256, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, rc, "recording the run manifest", err);
        goto fail;
    }
    rc = sqlite3_prepare_v2(st->db,
                            "INSERT INTO run_planned(run_id, shard, config, suite, items, samples)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET"
                            " items = items + excluded.items, samples = samples + excluded.samples",
                            -1, &s, NULL);
    if (rc != SQLITE_OK) {
        store_fail(st, rc, "recording the run manifest", err);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 2, rows[i].shard);
        store_bind_text(s, 3, rows[i].config);
        store_bind_text(s, 4, rows[i].suite);
        sqlite3_bind_int64(s, 5, rows[i].items);
        sqlite3_bind_int64(s, 6, rows[i].samples);
        if ((rc = sqlite3_step(s)) != SQLITE_DONE)
            break;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, rc, "recording the run manifest", err);
        goto fail;
    }
    return store_tx_commit(st, err);
fail:
    store_tx_rollback(st);
    return -1;
}

int store_run_planned(struct store *st, const char *run_id, struct store_planned_total **out, size_t *n_out,
                      struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT config, suite, sum(samples) FROM run_planned WHERE run_id = ?1"
                                " GROUP BY config, suite ORDER BY min(shard), config, suite", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the run manifest", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(*out, *n_out + 1, cap);
        struct store_planned_total *t = &(*out)[(*n_out)++];
        t->config = store_col_dup(s, 0);
        t->suite = store_col_dup(s, 1);
        t->samples = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_planned_free(*out, *n_out);
        *out = NULL;
        *n_out = 0;
        return store_fail(st, rc, "reading the run manifest", err);
    }
    return 0;
}

void store_planned_free(struct store_planned_total *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].config);
        free(v[i].suite);
    }
    free(v);
}

/* ---- sessions ----------------------------------------------------------------- */

static int64_t random_id(void)
{
    uint64_t x = 0;
    if (getrandom(&x, sizeof x, 0) != (ssize_t)sizeof x)
        x = (uint64_t)clock_mono_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
    x &= 0x7fffffffffffffffULL;
    return x ? (int64_t)x : 1;
}

int64_t store_session_begin(struct store *st, const char *run_id, const struct store_session_meta *m,
                            struct bai_error *err)
{
    char now[32], host[256] = "";
    store_now_iso(now);
    gethostname(host, sizeof host - 1);
    if (store_tx_begin(st, err) < 0)
        return -1;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "INSERT INTO run_sessions(id, run_id, shard, n_shards, status, started, heartbeat,"
                                " hostname, pid, host_json, benchai_version, env_json)"
                                " VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10, ?11)", -1, &s, NULL);
    if (rc != SQLITE_OK) {
        store_fail(st, rc, "starting a session", err);
        store_tx_rollback(st);
        return -1;
    }
    int64_t id = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
        id = random_id();
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, run_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 3, m->shard > 0 ? m->shard : 1);
        sqlite3_bind_int(s, 4, m->n_shards > 0 ? m->n_shards : 1);
        sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 6, clock_wall_s());
        store_bind_text(s, 7, host[0] ? host : NULL);
        sqlite3_bind_int64(s, 8, (int64_t)getpid());
        store_bind_text(s, 9, m->host_json);
        sqlite3_bind_text(s, 10, bai_version, -1, SQLITE_STATIC);
        store_bind_text(s, 11, m->env_json);
        rc = sqlite3_step(s);
        if ((rc & 0xff) != SQLITE_CONSTRAINT)
            break;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, rc, "starting a session", err);
        store_tx_rollback(st);
        return -1;
    }
    if (store_run_refresh_status(st, run_id, err) < 0 || store_tx_commit(st, err) < 0) {
        store_tx_rollback(st);
        return -1;
    }
    st->session_id = id;
    snprintf(st->session_run, sizeof st->session_run, "%s", run_id);
    return id;
}

int store_session_touch(struct store *st, struct bai_error *err)
{
    if (!st->session_id)
        return 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "UPDATE run_sessions SET heartbeat = max(coalesce(heartbeat, 0), ?2)"
                                        " WHERE id = ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, st->session_id);
        sqlite3_bind_double(s, 2, clock_wall_s());
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, rc, "recording a heartbeat", err);
}

int store_session_end(struct store *st, const char *status, struct bai_error *err)
{
    if (!st->session_id)
        return 0;
    char now[32];
    store_now_iso(now);
    if (store_tx_begin(st, err) < 0)
        return -1;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "UPDATE run_sessions SET status = ?2, finished = ?3,"
                                        " heartbeat = max(coalesce(heartbeat, 0), ?4) WHERE id = ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, st->session_id);
        sqlite3_bind_text(s, 2, status, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 4, clock_wall_s());
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, rc, "ending a session", err);
        store_tx_rollback(st);
        return -1;
    }
    if (store_run_refresh_status(st, st->session_run, err) < 0 || store_tx_commit(st, err) < 0) {
        store_tx_rollback(st);
        return -1;
    }
    return 0;
}

int store_session_set_llama_build(struct store *st, const char *build, struct bai_error *err)
{
    if (!st->session_id)
        return 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "UPDATE run_sessions SET llama_build = ?2 WHERE id = ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, st->session_id);
        store_bind_text(s, 2, build);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, rc, "recording the session's llama.cpp build", err);
}

/* ---- shards -------------------------------------------------------------------- */

static const char *derived_state(const struct store_shard_info *si, int has_rows)
{
    if (si->n_sessions == 0)
        return has_rows ? "missing" : "done";   /* a shard with no point has nothing to wait for */
    if ((si->planned > 0 && si->stored >= si->planned) || (si->status && !strcmp(si->status, "done")))
        return "done";
    if (si->status && !strcmp(si->status, "running"))
        return "running";
    if (si->status && !strcmp(si->status, "failed"))
        return "failed";
    return "interrupted";
}

int store_run_shards(struct store *st, const char *run_id, struct store_run_shards *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    int n = 0;
    char sha[65];
    if (read_manifest_head(st, run_id, &n, sha, err) < 0) {
        if (!err->msg[0])
            bai_error_set(err, BAI_EXIT_USAGE, "no run '%s' in %s", run_id, st->path);
        return -1;
    }
    if (n <= 0 || !sha[0])
        return 0;
    out->n_shards = n;
    snprintf(out->manifest_sha256, sizeof out->manifest_sha256, "%s", sha);
    out->v = xcalloc((size_t)n, sizeof *out->v);
    char *has_rows = xcalloc((size_t)n, 1);
    for (int i = 0; i < n; i++) {
        out->v[i].shard = i + 1;
        out->v[i].heartbeat_s = NAN;
    }
    sqlite3_stmt *s = NULL;
    /* planned per shard */
    int rc = sqlite3_prepare_v2(st->db, "SELECT shard, sum(samples) FROM run_planned WHERE run_id = ?1"
                                        " GROUP BY shard", -1, &s, NULL);
    if (rc != SQLITE_OK)
        goto sql_fail;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int k = sqlite3_column_int(s, 0);
        if (k >= 1 && k <= n) {
            out->v[k - 1].planned = sqlite3_column_int64(s, 1);
            has_rows[k - 1] = 1;
        }
        out->planned += sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    s = NULL;
    if (rc != SQLITE_DONE)
        goto sql_fail;
    /* sessions, newest last per shard (started, then id for equal seconds) */
    rc = sqlite3_prepare_v2(st->db,
                            "SELECT shard, status, hostname, benchai_version, llama_build, env_json, started,"
                            " finished, heartbeat, pid, count(*) OVER (PARTITION BY shard)"
                            " FROM run_sessions WHERE run_id = ?1 ORDER BY shard, started, (status = 'running'), id",
                            -1, &s, NULL);
    if (rc != SQLITE_OK)
        goto sql_fail;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int k = sqlite3_column_int(s, 0);
        if (k < 1 || k > n)
            continue;
        struct store_shard_info *si = &out->v[k - 1];
        free(si->status);
        free(si->hostname);
        free(si->benchai_version);
        free(si->llama_build);
        free(si->env_json);
        free(si->started);
        free(si->finished);
        si->status = store_col_dup(s, 1);
        si->hostname = store_col_dup(s, 2);
        si->benchai_version = store_col_dup(s, 3);
        si->llama_build = store_col_dup(s, 4);
        si->env_json = store_col_dup(s, 5);
        si->started = store_col_dup(s, 6);
        si->finished = store_col_dup(s, 7);
        si->heartbeat_s = sqlite3_column_type(s, 8) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 8);
        si->pid = sqlite3_column_int64(s, 9);
        si->n_sessions = sqlite3_column_int(s, 10);
    }
    sqlite3_finalize(s);
    s = NULL;
    if (rc != SQLITE_DONE)
        goto sql_fail;
    /* stored per shard, through the sessions that wrote them; the last
     * send of a shard's sessions is a sign of life too */
    rc = sqlite3_prepare_v2(st->db,
                            "SELECT se.shard, sum(x.n), max(x.last) FROM (SELECT session, count(*) AS n,"
                            " max(t_start_s) AS last FROM samples WHERE run_id = ?1 AND session IS NOT NULL"
                            " AND warmup = 0 GROUP BY session) x JOIN run_sessions se ON se.id = x.session"
                            " GROUP BY se.shard", -1, &s, NULL);
    if (rc != SQLITE_OK)
        goto sql_fail;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int k = sqlite3_column_int(s, 0);
        if (k >= 1 && k <= n) {
            struct store_shard_info *si = &out->v[k - 1];
            si->stored = sqlite3_column_int64(s, 1);
            double last = sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 2);
            if (!isnan(last) && (isnan(si->heartbeat_s) || last > si->heartbeat_s))
                si->heartbeat_s = last;
        }
        out->stored += sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    s = NULL;
    if (rc != SQLITE_DONE)
        goto sql_fail;
    for (int i = 0; i < n; i++)
        out->v[i].state = derived_state(&out->v[i], has_rows[i]);
    free(has_rows);
    return 0;
sql_fail:
    sqlite3_finalize(s);
    free(has_rows);
    store_run_shards_free(out);
    return store_fail(st, rc, "reading the run's shards", err);
}

void store_run_shards_free(struct store_run_shards *s)
{
    for (int i = 0; s->v && i < s->n_shards; i++) {
        struct store_shard_info *si = &s->v[i];
        free(si->status);
        free(si->hostname);
        free(si->benchai_version);
        free(si->llama_build);
        free(si->env_json);
        free(si->started);
        free(si->finished);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* 1 when pid is known to be gone: on this host, no such process. */
static int process_gone(const struct store_shard_info *si)
{
    char host[256] = "";
    if (si->pid <= 0 || !si->hostname || gethostname(host, sizeof host - 1) != 0 || strcmp(host, si->hostname))
        return 0;
    return kill((pid_t)si->pid, 0) != 0 && errno == ESRCH;
}

void store_run_shards_liveness(struct store_run_shards *s, double now_s, double stalled_after_s)
{
    for (int i = 0; i < s->n_shards; i++) {
        struct store_shard_info *si = &s->v[i];
        if (strcmp(si->state, "running"))
            continue;
        int old = !isnan(si->heartbeat_s) && stalled_after_s > 0 && now_s - si->heartbeat_s > stalled_after_s;
        if (old || process_gone(si))
            si->state = "stalled";
    }
}

static int any_state(const struct store_run_shards *s, const char *state)
{
    for (int i = 0; i < s->n_shards; i++)
        if (!strcmp(s->v[i].state, state))
            return 1;
    return 0;
}

const char *store_run_shards_status(const struct store_run_shards *s)
{
    if (s->n_shards <= 0)
        return NULL;
    if (any_state(s, "running") || any_state(s, "stalled"))
        return "running";
    if (any_state(s, "failed"))
        return "failed";
    if (any_state(s, "missing") || any_state(s, "interrupted"))
        return "interrupted";
    return "done";
}

char *store_run_shards_list(const struct store_run_shards *s, const char *state)
{
    struct buf b = { 0 };
    buf_puts(&b, "");
    for (int i = 0; i < s->n_shards; i++)
        if (!strcmp(s->v[i].state, state))
            buf_printf(&b, "%s%d", b.len ? "," : "", s->v[i].shard);
    return buf_detach(&b);
}

int store_run_refresh_status(struct store *st, const char *run_id, struct bai_error *err)
{
    struct store_run_shards sh;
    if (store_run_shards(st, run_id, &sh, err) < 0)
        return -1;
    const char *status = store_run_shards_status(&sh);
    if (!status) {
        store_run_shards_free(&sh);
        return 0;
    }
    /* finished: the latest end among the shards' newest sessions, once none runs */
    const char *finished = NULL;
    for (int i = 0; i < sh.n_shards && strcmp(status, "running"); i++)
        if (sh.v[i].finished && (!finished || strcmp(sh.v[i].finished, finished) > 0))
            finished = sh.v[i].finished;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "UPDATE runs SET status = ?2, finished = ?3 WHERE id = ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
        store_bind_text(s, 3, finished);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    store_run_shards_free(&sh);
    return rc == SQLITE_DONE ? 0 : store_fail(st, rc, "setting the run status", err);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void store_run_shards_combine(struct store_run_shards *into, const struct store_run_shards *from)
{
    if (from->n_shards <= 0)
        return;
    if (into->n_shards <= 0) {
        into->n_shards = from->n_shards;
        snprintf(into->manifest_sha256, sizeof into->manifest_sha256, "%s", from->manifest_sha256);
        into->v = xcalloc((size_t)from->n_shards, sizeof *into->v);
        for (int i = 0; i < from->n_shards; i++) {
            into->v[i].shard = i + 1;
            into->v[i].heartbeat_s = NAN;
            into->v[i].planned = from->v[i].planned;
            into->v[i].state = "missing";
        }
        into->planned = from->planned;
    }
    for (int i = 0; i < from->n_shards && i < into->n_shards; i++) {
        const struct store_shard_info *f = &from->v[i];
        struct store_shard_info *t = &into->v[i];
        if (!f->n_sessions)
            continue;
        int newer = !t->n_sessions || (f->started && t->started && strcmp(f->started, t->started) > 0) ||
                    (f->stored > t->stored && (!f->started || !t->started || !strcmp(f->started, t->started)));
        if (!newer)
            continue;
        into->stored += f->stored - t->stored;
        free(t->status);
        free(t->hostname);
        free(t->benchai_version);
        free(t->llama_build);
        free(t->env_json);
        free(t->started);
        free(t->finished);
        t->n_sessions = f->n_sessions;
        t->status = dup_or_null(f->status);
        t->state = f->state;
        t->hostname = dup_or_null(f->hostname);
        t->benchai_version = dup_or_null(f->benchai_version);
        t->llama_build = dup_or_null(f->llama_build);
        t->env_json = dup_or_null(f->env_json);
        t->started = dup_or_null(f->started);
        t->finished = dup_or_null(f->finished);
        t->heartbeat_s = f->heartbeat_s;
        t->pid = f->pid;
        t->stored = f->stored;
    }
}
