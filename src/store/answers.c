/* answers.c - reading stored answers so they can be scored again
 * (`benchai rescore`, run/rescore.c): the suites a run has samples of, the
 * answers of one suite, the earlier score of a scorer, and other runs' and
 * configs' answers to the same items (a judge's peers). */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

int store_run_sample_suites(struct store *st, const char *run_id, struct store_suite_ref **out,
                            size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT su.id, su.name, su.version, su.sha256 FROM suites su"
                                " WHERE su.id IN (SELECT DISTINCT suite_id FROM samples WHERE run_id = ?1)"
                                " ORDER BY su.name, su.version, su.id", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the run's suites", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(*out, *n_out + 1, cap);
        struct store_suite_ref *r = &(*out)[(*n_out)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->name = store_col_dup(s, 1);
        r->version = sqlite3_column_int(s, 2);
        const unsigned char *h = sqlite3_column_text(s, 3);
        snprintf(r->sha256, sizeof r->sha256, "%s", h ? (const char *)h : "");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_suite_refs_free(*out, *n_out);
        *out = NULL;
        *n_out = 0;
        return store_fail(st, rc, "reading the run's suites", err);
    }
    return 0;
}

void store_suite_refs_free(struct store_suite_ref *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

int store_run_answers(struct store *st, const char *run_id, int64_t suite_id, struct store_answer **out,
                      size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT id, config_id, item_id, rep, output, reasoning, tool_calls_json FROM samples"
                                " WHERE run_id = ?1 AND suite_id = ?2 AND status = 'ok' AND warmup = 0"
                                " ORDER BY config_id, item_id, rep", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading samples", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, suite_id);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(*out, *n_out + 1, cap);
        struct store_answer *a = &(*out)[(*n_out)++];
        a->id = sqlite3_column_int64(s, 0);
        a->config_id = sqlite3_column_int64(s, 1);
        a->item_id = store_col_dup(s, 2);
        a->rep = sqlite3_column_int(s, 3);
        a->output = store_col_dup(s, 4);
        a->reasoning = store_col_dup(s, 5);
        a->tool_calls_json = store_col_dup(s, 6);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_answers_free(*out, *n_out);
        *out = NULL;
        *n_out = 0;
        return store_fail(st, rc, "reading samples", err);
    }
    return 0;
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

int store_suite_peer_answers(struct store *st, const char *name, int version, struct store_peer_ref **out,
                             size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT s.id, s.config_id, s.item_id FROM samples s"
                                " JOIN suites su ON su.id = s.suite_id"
                                " WHERE su.name = ?1 AND su.version = ?2 AND s.status = 'ok' AND s.warmup = 0"
                                " AND s.output IS NOT NULL AND length(trim(s.output)) > 0"
                                " ORDER BY s.item_id, s.config_id, s.rep, s.id", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading peer answers", err);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, version);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(*out, *n_out + 1, cap);
        struct store_peer_ref *p = &(*out)[(*n_out)++];
        p->id = sqlite3_column_int64(s, 0);
        p->config_id = sqlite3_column_int64(s, 1);
        p->item_id = store_col_dup(s, 2);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_peer_refs_free(*out, *n_out);
        *out = NULL;
        *n_out = 0;
        return store_fail(st, rc, "reading peer answers", err);
    }
    return 0;
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
