/* registry.c - the one list of scorers, lookup by name, the item check
 * that suite loading and `benchai score` use, and the common entry point
 * score_sample that every caller (run, score, rescore) goes through. */
#include "score/score.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/scorers.h"
#include "score/text.h"
#include "util/mem.h"

static const struct scorer *const registry[] = {
    &scorer_exact,
    &scorer_f1,
    &scorer_choice,
    &scorer_ifeval,
    &scorer_needle,
    &scorer_tool_call,
    &scorer_judge,
    &scorer_code,
};
#define N_SCORERS (sizeof registry / sizeof registry[0])

const struct scorer *score_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < N_SCORERS; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

const char *score_stored_name(const struct score_context *ctx, const char *scorer)
{
    if (ctx && ctx->judge_key && scorer && !strcmp(scorer, "judge"))
        return ctx->judge_key;
    return scorer;
}

int score_graded(const char *stored_name)
{
    if (!stored_name)
        return -1;
    size_t len = strcspn(stored_name, ":");
    for (size_t i = 0; i < N_SCORERS; i++)
        if (strlen(registry[i]->name) == len && !strncmp(registry[i]->name, stored_name, len))
            return registry[i]->graded;
    return -1;
}

const char *score_status_name(enum score_status s)
{
    return s == SCORE_SCORED ? "scored" : s == SCORE_UNPARSED ? "unparsed" : "error";
}

/* The name list and its text, built once (the registry is constant). */
static const char *names_list[N_SCORERS + 1];
static char names_text[512];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void build_names(void)
{
    struct buf b = {0};
    for (size_t i = 0; i < N_SCORERS; i++) {
        names_list[i] = registry[i]->name;
        buf_printf(&b, "%s%s", i ? ", " : "", registry[i]->name);
    }
    snprintf(names_text, sizeof names_text, "%s", b.data);
    buf_free(&b);
}

const char *const *score_names(void)
{
    pthread_once(&names_once, build_names);
    return names_list;
}

const char *score_known_names(void)
{
    pthread_once(&names_once, build_names);
    return names_text;
}

int score_check(const char *scorer, const cJSON *data, struct bai_error *err)
{
    const struct scorer *sc = score_find(scorer);
    if (!sc) {
        score_problem(err, "unknown scorer '%s' (known: %s)", scorer ? scorer : "(none)",
                      score_known_names());
        return 1;
    }
    int problems = score_options_check(sc, data, err);
    return problems + (sc->validate ? sc->validate(data, err) : 0);
}

int score_sample(const struct score_input *in, const struct score_context *ctx,
                 struct score_result *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    out->passed = -1;
    bai_error_clear(err);
    const char *name = in && in->item ? in->item->scorer : NULL;
    const struct scorer *sc = score_find(name);
    if (!sc) {
        bai_error_set(err, BAI_EXIT_USAGE, "item %s: unknown scorer '%s' (known: %s)",
                      in && in->item && in->item->id ? in->item->id : "?",
                      name ? name : "(none)", score_known_names());
        out->status = SCORE_ERROR;
        out->detail_json = xstrdup("{\"error\":\"unknown scorer\"}");
        return -1;
    }
    /* the option table's checks run here too: rescore and direct callers
     * may hand over items no loader has checked */
    struct bai_error opt_err = {0};
    int rc;
    if (score_options_check(sc, in->item->data, &opt_err)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s", opt_err.msg);
        rc = -1;
    } else {
        rc = sc->score(in, ctx, out, err);
    }
    if (rc < 0) {
        out->status = SCORE_ERROR;
        out->passed = -1;
        if (!out->detail_json) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "error", err && err->msg[0] ? err->msg : "scorer failed");
            char *s = cJSON_PrintUnformatted(d);
            cJSON_Delete(d);
            out->detail_json = s ? s : xstrdup("{}");
        }
    }
    if (!out->detail_json)
        out->detail_json = xstrdup("{}");
    return rc < 0 ? -1 : 0;
}

void score_result_free(struct score_result *r)
{
    if (!r)
        return;
    free(r->extracted);
    free(r->detail_json);
    r->extracted = NULL;
    r->detail_json = NULL;
}
