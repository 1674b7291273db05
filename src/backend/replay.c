/* replay.c - the replay backend: serves the outputs an earlier run stored,
 * so a run can be re-scored or re-judged without generating again. Items
 * are found by (suite name, item id, rep); the first configuration of the
 * source run that has the item wins. Timings are not replayed. */
#include "backend/backend_int.h"
#include "store/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

struct replay_state {
    struct store *store;         /* borrowed: the run's own store */
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
    st->store = b->cfg.replay_store;
    b->priv = st;
    return 0;
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
    struct store_replayed r;
    struct bai_error e = {0};
    int found = store_replay_sample(st->store, st->run_id, suite, item, atoi(rep), &r, &e);
    if (found <= 0) {
        if (found < 0)
            gen_response_set_error(resp, 0, "replay: %s", e.msg);
        else
            gen_response_set_error(resp, 0, "replay: run %s has no output for %s/%s rep %s", st->run_id,
                                   suite, item, rep);
        free(key);
        return -1;
    }
    free(key);
    if (r.status && strcmp(r.status, "ok") != 0) {
        gen_response_set_error(resp, 0, "replayed error: %s", r.error ? r.error : "?");
        store_replayed_free(&r);
        return -1;
    }
    resp->content = r.output ? r.output : xstrdup("");
    resp->reasoning = r.reasoning;
    resp->finish_reason = r.finish_reason;
    resp->tool_calls_json = r.tool_calls_json;
    r.output = r.reasoning = r.finish_reason = r.tool_calls_json = NULL;
    if (r.prompt_tokens >= 0)
        resp->prompt_tokens = r.prompt_tokens;
    if (r.completion_tokens >= 0)
        resp->completion_tokens = r.completion_tokens;
    store_replayed_free(&r);
    resp->ok = 1;
    return 0;
}

void backend_replay_stop(struct backend *b)
{
    free(b->priv);
    b->priv = NULL;
}
