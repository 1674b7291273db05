/* answers.c - reading stored answers so they can be scored again
 * (`benchai rescore`, run/rescore.c): the suites a run has samples of, the
 * answers of one suite, the earlier score of a scorer, and other runs' and
 * configs' answers to the same items (a judge's peers). */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* A growing array of the rows read so far. */
struct rows {
    void *v;
    size_t n, cap;
};

/* What read_rows runs: the statement, how to bind it, how to copy one row
 * (appended to struct rows) and how to free the copies. */
struct reader {
    const char *sql, *what;
    void (*bind)(sqlite3_stmt *, const void *args);
    void (*add)(sqlite3_stmt *, struct rows *);
    void (*free_rows)(void *v, size_t n);
};

/* Runs r with args and hands back every row it read in *out / *n_out.
 * 0, or -1 with err naming r->what and nothing handed back. */
static int read_rows(struct store *st, const struct reader *r, const void *args, void *out, size_t *n_out,
                     struct bai_error *err)
{
    struct rows rows = {0};
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, r->sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        r->bind(s, args);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
            r->add(s, &rows);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        r->free_rows(rows.v, rows.n);
        rows = (struct rows){0};
    }
    memcpy(out, &rows.v, sizeof rows.v);
    *n_out = rows.n;
    return rc == SQLITE_DONE ? 0 : store_fail(st, rc, r->what, err);
}

/* Room for one more element of size bytes at the end of rows. */
static void *append(struct rows *rows, size_t size)
{
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 16;
        rows->v = xrealloc(rows->v, rows->cap * size);
    }
    void *e = (char *)rows->v + rows->n++ * size;
    memset(e, 0, size);
    return e;
}

/* ---- the run's suites ------------------------------------------------------ */

struct run_suite_args {
    const char *run_id;
    int64_t suite_id;
};

static void bind_run(sqlite3_stmt *s, const void *args)
{
    const struct run_suite_args *a = args;
    sqlite3_bind_text(s, 1, a->run_id, -1, SQLITE_TRANSIENT);
    if (a->suite_id)
        sqlite3_bind_int64(s, 2, a->suite_id);
}

static void add_suite(sqlite3_stmt *s, struct rows *rows)
{
    struct store_suite_ref *r = append(rows, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->name = store_col_dup(s, 1);
    r->version = sqlite3_column_int(s, 2);
    const unsigned char *h = sqlite3_column_text(s, 3);
    snprintf(r->sha256, sizeof r->sha256, "%s", h ? (const char *)h : "");
}

static void free_suites(void *v, size_t n)
{
    store_suite_refs_free(v, n);
}

int store_run_sample_suites(struct store *st, const char *run_id, struct store_suite_ref **out,
                            size_t *n_out, struct bai_error *err)
{
    static const struct reader r = {
        .sql = "SELECT su.id, su.name, su.version, su.sha256 FROM suites su"
               " WHERE su.id IN (SELECT DISTINCT suite_id FROM samples WHERE run_id = ?1)"
               " ORDER BY su.name, su.version, su.id",
        .what = "reading the run's suites", .bind = bind_run, .add = add_suite, .free_rows = free_suites,
    };
    struct run_suite_args args = { .run_id = run_id };
    return read_rows(st, &r, &args, out, n_out, err);
}

void store_suite_refs_free(struct store_suite_ref *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* ---- answers ------------------------------------------------------------------ */

static void add_answer(sqlite3_stmt *s, struct rows *rows)
{
    struct store_answer *a = append(rows, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->config_id = sqlite3_column_int64(s, 1);
    a->item_id = store_col_dup(s, 2);
    a->rep = sqlite3_column_int(s, 3);
    a->output = store_col_dup(s, 4);
    a->reasoning = store_col_dup(s, 5);
    a->tool_calls_json = store_col_dup(s, 6);
}

static void free_answers(void *v, size_t n)
{
    store_answers_free(v, n);
}

int store_run_answers(struct store *st, const char *run_id, int64_t suite_id, struct store_answer **out,
                      size_t *n_out, struct bai_error *err)
{
    static const struct reader r = {
        .sql = "SELECT id, config_id, item_id, rep, output, reasoning, tool_calls_json FROM samples"
               " WHERE run_id = ?1 AND suite_id = ?2 AND status = 'ok' AND warmup = 0"
               " ORDER BY config_id, item_id, rep",
        .what = "reading samples", .bind = bind_run, .add = add_answer, .free_rows = free_answers,
    };
    struct run_suite_args args = { .run_id = run_id, .suite_id = suite_id };
    return read_rows(st, &r, &args, out, n_out, err);
}

void store_answers_free(struct store_answer *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].item_id);
        free(v[i].output);
        free(v[i].reasoning);
        free(v[i].tool_calls_json);
    }
    free(v);
}

int store_score_value(struct store *st, int64_t sample_id, const char *scorer, double *value,
                      struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_SCORE_VALUE,
                                 "SELECT value, status FROM scores WHERE sample_id = ?1 AND scorer = ?2", err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, sample_id);
    store_bind_text(s, 2, scorer);
    int found = 0, rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *status = sqlite3_column_text(s, 1);
        if (status && !strcmp((const char *)status, "scored") && sqlite3_column_type(s, 0) != SQLITE_NULL) {
            *value = sqlite3_column_double(s, 0);
            found = 1;
        }
    }
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading scores", err);
    return found;
}

int store_score_get(struct store *st, int64_t sample_id, const char *scorer, double *value, int *passed,
                    char *status, struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_SCORE_GET,
                                 "SELECT value, passed, status FROM scores WHERE sample_id = ?1 AND scorer = ?2",
                                 err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, sample_id);
    store_bind_text(s, 2, scorer);
    int found = 0, rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        found = 1;
        *value = sqlite3_column_double(s, 0);
        *passed = sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 1) != 0;
        const char *t = (const char *)sqlite3_column_text(s, 2);
        t = t ? t : "scored";
        *status = !strcmp(t, "scored") ? 's' : !strcmp(t, "unparsed") ? 'u' : !strcmp(t, "failed") ? 'f' : 'e';
    }
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading scores", err);
    return found;
}

int store_score_drop_error(struct store *st, int64_t sample_id, const char *scorer, struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_SCORE_DROP_ERROR,
                                 "DELETE FROM scores WHERE sample_id = ?1 AND scorer = ?2 AND status = 'error'",
                                 err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, sample_id);
    store_bind_text(s, 2, scorer);
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "removing a scorer error", err);
    return 0;
}

/* ---- peers -------------------------------------------------------------------- */

struct suite_version_args {
    const char *name;
    int version;
};

static void bind_suite_version(sqlite3_stmt *s, const void *args)
{
    const struct suite_version_args *a = args;
    sqlite3_bind_text(s, 1, a->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, a->version);
}

static void add_peer(sqlite3_stmt *s, struct rows *rows)
{
    struct store_peer_ref *p = append(rows, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    p->config_id = sqlite3_column_int64(s, 1);
    p->item_id = store_col_dup(s, 2);
}

static void free_peers(void *v, size_t n)
{
    store_peer_refs_free(v, n);
}

int store_suite_peer_answers(struct store *st, const char *name, int version, struct store_peer_ref **out,
                             size_t *n_out, struct bai_error *err)
{
    static const struct reader r = {
        .sql = "SELECT s.id, s.config_id, s.item_id FROM samples s"
               " JOIN suites su ON su.id = s.suite_id"
               " WHERE su.name = ?1 AND su.version = ?2 AND s.status = 'ok' AND s.warmup = 0"
               " AND s.output IS NOT NULL AND length(trim(s.output)) > 0"
               " ORDER BY s.item_id, s.config_id, s.rep, s.id",
        .what = "reading peer answers", .bind = bind_suite_version, .add = add_peer, .free_rows = free_peers,
    };
    struct suite_version_args args = { .name = name, .version = version };
    return read_rows(st, &r, &args, out, n_out, err);
}

void store_peer_refs_free(struct store_peer_ref *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].item_id);
    free(v);
}

int store_sample_output(struct store *st, int64_t sample_id, char **output_out, struct bai_error *err)
{
    *output_out = NULL;
    sqlite3_stmt *s = store_stmt(st, SS_SAMPLE_OUTPUT, "SELECT output FROM samples WHERE id = ?1", err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, sample_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *output_out = store_col_dup(s, 0);
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading a sample's output", err);
    return *output_out != NULL;
}

int store_replay_sample(struct store *st, const char *run_id, const char *suite, const char *item_id,
                        int rep, struct store_replayed *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(st, SS_REPLAY_SAMPLE,
        "SELECT s.status, s.error, s.output, s.reasoning, s.finish_reason, s.tool_calls_json,"
        "       s.prompt_tokens, s.completion_tokens"
        "  FROM samples s JOIN suites su ON su.id = s.suite_id"
        " WHERE s.run_id = ?1 AND su.name = ?2 AND s.item_id = ?3 AND s.rep = ?4 AND s.warmup = 0"
        " ORDER BY s.config_id LIMIT 1", err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, suite, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, item_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, rep);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->status = store_col_dup(s, 0);
        out->error = store_col_dup(s, 1);
        out->output = store_col_dup(s, 2);
        out->reasoning = store_col_dup(s, 3);
        out->finish_reason = store_col_dup(s, 4);
        out->tool_calls_json = store_col_dup(s, 5);
        out->prompt_tokens = store_col_int(s, 6);
        out->completion_tokens = store_col_int(s, 7);
    }
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading a sample to replay", err);
    return rc == SQLITE_ROW;
}

void store_replayed_free(struct store_replayed *r)
{
    free(r->status);
    free(r->error);
    free(r->output);
    free(r->reasoning);
    free(r->finish_reason);
    free(r->tool_calls_json);
    memset(r, 0, sizeof *r);
}

int store_config_scores(struct store *st, const char *run_id, int64_t config_id, store_config_score_cb cb,
                        void *ctx, struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_CONFIG_SCORES,
        "SELECT su.name, su.version, su.sha256, s.item_id, s.rep, s.id, s.status,"
        " s.gen_tps, s.ttft_ms, s.draft_n, s.draft_accepted,"
        " sc.scorer, sc.value, sc.passed, sc.status, s.prompt_tps"
        " FROM samples s JOIN suites su ON su.id = s.suite_id"
        " LEFT JOIN scores sc ON sc.sample_id = s.id"
        " WHERE s.run_id = ?1 AND s.config_id = ?2 AND s.warmup = 0"
        " ORDER BY su.name, su.version, su.sha256, s.id", err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, config_id);
    int rc, stop = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
#define TXT(i) ((const char *)sqlite3_column_text(s, (i)))
        struct store_config_score_row r = {
            .suite_name = TXT(0), .suite_version = sqlite3_column_int(s, 1), .suite_sha256 = TXT(2),
            .item_id = TXT(3), .rep = sqlite3_column_int(s, 4), .sample_id = sqlite3_column_int64(s, 5),
            .status = TXT(6), .gen_tps = store_col_num(s, 7), .ttft_ms = store_col_num(s, 8),
            .draft_n = store_col_int(s, 9), .draft_accepted = store_col_int(s, 10), .scorer = TXT(11),
            .value = sqlite3_column_double(s, 12),
            .passed = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 13),
            .score_status = TXT(14), .prompt_tps = store_col_num(s, 15),
        };
#undef TXT
        if ((stop = cb(ctx, &r)) != 0)
            break;
    }
    store_stmt_done(s);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "reading a config's samples", err);
    return 0;
}
