/* replay.c - the replay backend: serves the outputs an earlier run stored,
 * so a run can be re-scored or re-judged without generating again. Items
 * are found by (suite name, item id, rep); the first configuration of the
 * source run that has the item wins. Timings are not replayed. */
#include "backend/backend_int.h"
#include "store/store.h"
#include "util/mem.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct replay_state {
    sqlite3_stmt *lookup;
    char run_id[STORE_RUN_ID_MAX];
};

int backend_replay_start(struct backend *b, struct bai_error *err)
{
    if (!b->cfg.replay_store || !b->cfg.replay_run) {
        bai_error_set(err, BAI_EXIT_USAGE, "--backend replay needs --from RUN");
        return -1;
    }
    struct replay_state *st = xcalloc(1, sizeof *st);
    if (store_resolve_run(b->cfg.replay_store, b->cfg.replay_run, st->run_id, err) != 0) {
        free(st);
        return -1;
    }
    sqlite3 *db = store_db(b->cfg.replay_store);
    const char *sql =
        "SELECT s.output, s.reasoning, s.finish_reason, s.tool_calls_json, s.prompt_tokens,"
        "       s.completion_tokens, s.status, s.error"
        "  FROM samples s JOIN suites su ON su.id = s.suite_id"
        " WHERE s.run_id = ?1 AND su.name = ?2 AND s.item_id = ?3 AND s.rep = ?4 AND s.warmup = 0"
        " ORDER BY s.config_id LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &st->lookup, NULL) != SQLITE_OK) {
        bai_error_set(err, BAI_EXIT_STORE, "replay: %s", sqlite3_errmsg(db));
        free(st);
        return -1;
    }
    b->priv = st;
    return 0;
}

static char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

/* item_key is "suite\x1fitem\x1frep". */
int backend_replay_generate(struct backend *b, const char *item_key, struct gen_response *resp)
{
    struct replay_state *st = b->priv;
    char *key = xstrdup(item_key);
    char *suite = key;
    char *item = strchr(suite, '\x1f');
    char *rep = item ? strchr(item + 1, '\x1f') : NULL;
    if (!item || !rep) {
        free(key);
        gen_response_set_error(resp, 0, "replay: bad item key");
        return -1;
    }
    *item++ = '\0';
    *rep++ = '\0';
    sqlite3_reset(st->lookup);
    sqlite3_bind_text(st->lookup, 1, st->run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st->lookup, 2, suite, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st->lookup, 3, item, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st->lookup, 4, atoi(rep));
    int rc = sqlite3_step(st->lookup);
    if (rc != SQLITE_ROW) {
        gen_response_set_error(resp, 0, "replay: run %s has no output for %s/%s rep %s", st->run_id,
                               suite, item, rep);
        free(key);
        return -1;
    }
    free(key);
    const unsigned char *status = sqlite3_column_text(st->lookup, 6);
    if (status && strcmp((const char *)status, "ok") != 0) {
        const unsigned char *e = sqlite3_column_text(st->lookup, 7);
        gen_response_set_error(resp, 0, "replayed error: %s", e ? (const char *)e : "?");
        return -1;
    }
    resp->content = col_text(st->lookup, 0);
    if (!resp->content)
        resp->content = xstrdup("");
    resp->reasoning = col_text(st->lookup, 1);
    resp->finish_reason = col_text(st->lookup, 2);
    resp->tool_calls_json = col_text(st->lookup, 3);
    if (sqlite3_column_type(st->lookup, 4) != SQLITE_NULL)
        resp->prompt_tokens = sqlite3_column_int64(st->lookup, 4);
    if (sqlite3_column_type(st->lookup, 5) != SQLITE_NULL)
        resp->completion_tokens = sqlite3_column_int64(st->lookup, 5);
    resp->ok = 1;
    return 0;
}

void backend_replay_stop(struct backend *b)
{
    struct replay_state *st = b->priv;
    if (!st)
        return;
    sqlite3_finalize(st->lookup);
    free(st);
    b->priv = NULL;
}
