/* config.c - see config.h. */
#include "run/config.h"
#include "store/store.h"
#include "util/defaults.h"
#include "util/mem.h"
#include "util/strv.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void run_config_init(struct run_config *c)
{
    memset(c, 0, sizeof *c);
    c->backend = BACKEND_LLAMA_SERVER;
    c->warmup = BAI_WARMUP;
    c->timeout_ms = BAI_REQUEST_TIMEOUT_MS;
    c->startup_timeout_s = BAI_STARTUP_TIMEOUT_S;
    c->hang_timeout_ms = BAI_HANG_TIMEOUT_MS;
    c->logs = BAI_LOGS_DIR;
    c->store = BAI_STORE_PATH;
    c->stream = 1;
    c->retries = BAI_RETRIES;
    c->prompt_cache = "off";
}

void run_config_free(struct run_config *c)
{
    strv_free(&c->suites);
    strv_free(&c->sweeps);
    strv_free(&c->tags);
    settings_free(&c->launch);
    memset(c, 0, sizeof *c);
}

const char *run_config_store(const struct run_config *c)
{
    return c->store ? c->store : BAI_STORE_PATH;
}

/* The flag of the first setting that is set whose scope is launch (or any
 * scope when any), or NULL. */
static const char *first_flag(const struct settings *s, int any)
{
    for (size_t i = 0; i < settings_count(); i++)
        if (settings_is_set(s, (int)i) && settings_def((int)i)->cli &&
            (any || settings_def((int)i)->scope == SETTING_LAUNCH))
            return settings_def((int)i)->cli;
    return NULL;
}

/* The name of a sweep's axis as a setting id, or -1. */
static int sweep_setting(const char *sweep)
{
    const char *eq = strchr(sweep, '=');
    char *name = xstrndup(sweep, eq ? (size_t)(eq - sweep) : strlen(sweep));
    int id = -1;
    if (settings_lookup(name, &id) < 0)
        id = -1;
    free(name);
    return id;
}

static int conflict(struct bai_error *err, const char *a, const char *b, const char *why)
{
    bai_error_set(err, BAI_EXIT_USAGE, "%s and %s conflict: %s", a, b, why);
    return -1;
}

int run_config_check(const struct run_config *c, struct bai_error *err)
{
    /* an endpoint takes request settings (temperature, ...); the command
     * and replay backends take none */
    const char *launch = first_flag(&c->launch, c->backend != BACKEND_OPENAI);
    char flag[96];
    if (c->plan) {
        if (c->model)
            return conflict(err, "--plan", "--model", "a plan names its models (a sweep's model: axis)");
        if (c->draft)
            return conflict(err, "--plan", "--draft", "a plan names its drafts (a sweep's draft: axis)");
        if (c->sweeps.n)
            return conflict(err, "--plan", "--sweep", "a plan's sweeps: list holds its axes");
        if (c->zip)
            return conflict(err, "--plan", "--zip", "a sweep of a plan says mode: zip");
        if (c->backend != BACKEND_LLAMA_SERVER)
            return conflict(err, "--plan", "--backend", "a plan's models say where they run (path: or url:)");
        if (c->url)
            return conflict(err, "--plan", "--url", "a plan's endpoints are url: entries of its models");
    }
    if (c->zip && !c->sweeps.n) {
        bai_error_set(err, BAI_EXIT_USAGE, "--zip needs --sweep (the axes to expand together)");
        return -1;
    }
    if (c->judge_url && c->judge_gguf)
        return conflict(err, "--judge-url", "--judge-gguf", "the judge is either a running endpoint or a GGUF "
                                                            "benchai launches");
    const char *backend = backend_kind_name(c->backend);
    snprintf(flag, sizeof flag, "--backend %s", backend);
    if (c->url && c->backend != BACKEND_OPENAI)
        return conflict(err, flag, "--url", "--url is the endpoint of --backend openai");
    if (c->cmd && c->backend != BACKEND_COMMAND)
        return conflict(err, flag, "--cmd", "--cmd is the command of --backend command");
    if (c->from && c->backend != BACKEND_REPLAY)
        return conflict(err, flag, "--from", "--from is the stored run of --backend replay");
    if (c->backend != BACKEND_LLAMA_SERVER) {
        static const char why[] = "launch settings apply to a llama-server that benchai launches";
        char set[64];
        if (c->draft)
            return conflict(err, flag, "--draft", why);
        if (c->server_bin)
            return conflict(err, flag, "--server-bin", why);
        if (launch) {
            snprintf(set, sizeof set, "--%s", launch);
            return conflict(err, flag, set, why);
        }
        for (size_t k = 0; k < c->sweeps.n; k++) {
            int id = sweep_setting(c->sweeps.v[k]);
            if (c->backend == BACKEND_OPENAI && id >= 0 && settings_def(id)->scope == SETTING_REQUEST)
                continue;
            snprintf(set, sizeof set, "--sweep %.50s", c->sweeps.v[k]);
            return conflict(err, flag, set, c->backend == BACKEND_OPENAI ? why
                                                                         : "this backend has no settings to sweep");
        }
        if (c->backend == BACKEND_OPENAI && !c->url) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend openai needs --url");
            return -1;
        }
    }
    /* Settings that need speculation, asked for on a command line that
     * gives no draft and no n-gram spec_type (a plan decides per point). */
    const char *st = settings_text(&c->launch, SETTING_SPEC_TYPE);
    int spec = c->draft || (st && !strncmp(st, "ngram", 5));
    for (size_t i = 0; !c->plan && !spec && i < settings_count(); i++) {
        const struct setting_def *d = settings_def((int)i);
        if (!(d->flags & SETTING_NEEDS_SPEC))
            continue;
        if (settings_is_set(&c->launch, (int)i)) {
            bai_error_set(err, BAI_EXIT_USAGE, "--%s needs --draft (or an n-gram --spec-type)", d->cli);
            return -1;
        }
        for (size_t k = 0; k < c->sweeps.n; k++)
            if (sweep_setting(c->sweeps.v[k]) == (int)i) {
                bai_error_set(err, BAI_EXIT_USAGE, "--sweep %s needs --draft (or an n-gram --spec-type)",
                              c->sweeps.v[k]);
                return -1;
            }
    }
    return 0;
}
