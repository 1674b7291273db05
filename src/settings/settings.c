/* settings.c - the table of settings and the values that fill it (see
 * settings.h). To add a launch setting of llama-server, add one line to
 * `table` below (and a test): flag, axis, validation, spelling, label,
 * params JSON, identity and sweep column all follow from it. */
#include "settings/settings.h"
#include "cli/options.h"
#include "util/mem.h"
#include "util/strv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG 1000000000L

static const char *const on_off_auto[] = { "on", "off", "auto", NULL };
static const char *const ngl_words[] = { "auto", "all", NULL };

/* One line per setting. The first lines are the ones code names in enum
 * setting_id, at their index; the rest are reached through the table
 * only. Labels and the llama-server argv follow this order, raw arguments
 * last. */
static const struct setting_def table[] = {
    [SETTING_K] = { "k", { "draft_max" }, SETTING_INT, 1, BIG, .flags = SETTING_NEEDS_SPEC | SETTING_PER_REQUEST,
                    .cli = "k", .metavar = "N", .help = "draft tokens per step (speculative decoding)",
                    .server = { "--spec-draft-n-max", "--draft-max", "--draft-n", "--draft" },
                    .request_key = "speculative.n_max", .column = "K" },
    [SETTING_SPEC_TYPE] = { "spec_type", { 0 }, SETTING_WORD, .cli = "spec-type", .metavar = "T",
                            .help = "speculative decoding type of the build", .server = { "--spec-type" },
                            .column = "spec_type" },
    [SETTING_EXPERTS] = { "experts", { "moe" }, SETTING_INT, 1, BIG, .flags = SETTING_GGUF_KV,
                          .kv_key = "expert_used_count", .cli = "experts", .metavar = "N",
                          .help = "experts used per token (MoE)", .server = { "--override-kv" },
                          .column = "experts" },
    [SETTING_NP] = { "np", { "parallel" }, SETTING_INT, 1, BIG, .cli = "np", .metavar = "N",
                     .help = "server slots (parallel sequences)", .server = { "--parallel", "-np" },
                     .server_default = "1", .column = "np" },
    [SETTING_THREADS] = { "threads", { "t" }, SETTING_INT, 1, BIG, .cli = "threads", .metavar = "N",
                          .help = "server threads (default: threads of the config file)",
                          .server = { "--threads", "-t" }, .column = "threads" },
    [SETTING_CTX] = { "ctx", { "c" }, SETTING_INT, 0, BIG, .cli = "ctx", .metavar = "N",
                      .help = "context size (0: the model's trained context)", .server = { "--ctx-size", "-c" },
                      .column = "ctx" },
    [SETTING_SERVER_ARGS] = { "server_args", { 0 }, SETTING_ARGV, .flags = SETTING_NO_AXIS, .cli = "server-arg",
                              .metavar = "ARG", .help = "extra raw llama-server argument (repeatable)" },
    [SETTING_ENV] = { "env", { 0 }, SETTING_ENVIRON, .cli = "server-env", .metavar = "NAME=VALUE",
                      .help = "the server's environment: NAME=VALUE, or NAME=unset to remove\n"
                              "NAME (repeatable; plan axis env.NAME)", .column = "env" },
    [SETTING_WRAPPER] = { "wrapper", { 0 }, SETTING_ARGS, .flags = SETTING_PIPE_LIST, .cli = "server-wrapper",
                          .metavar = "CMD", .help = "run the server under this command\n"
                                                    "(\"numactl --interleave=all\")", .column = "wrapper" },
    /* reached through the table only: */
    { "ngl", { 0 }, SETTING_INT, 0, BIG, .choices = ngl_words, .cli = "ngl", .metavar = "N",
      .help = "layers offloaded to the GPU (a number, auto or all)",
      .server = { "--n-gpu-layers", "--gpu-layers", "-ngl" }, .column = "ngl" },
    { "threads_batch", { "tb" }, SETTING_INT, 1, BIG, .cli = "threads-batch", .metavar = "N",
      .help = "threads for prompt processing", .server = { "--threads-batch", "-tb" }, .column = "threads_batch" },
    { "batch", { "b" }, SETTING_INT, 1, BIG, .cli = "batch", .metavar = "N", .help = "logical batch size",
      .server = { "--batch-size", "-b" }, .column = "batch" },
    { "ubatch", { "ub" }, SETTING_INT, 1, BIG, .cli = "ubatch", .metavar = "N", .help = "physical batch size",
      .server = { "--ubatch-size", "-ub" }, .column = "ubatch" },
    { "flash_attn", { "fa" }, SETTING_CHOICE, .choices = on_off_auto, .cli = "flash-attn", .metavar = "MODE",
      .help = "flash attention", .server = { "--flash-attn", "-fa" }, .column = "flash_attn" },
    { "cache_type_k", { "ctk" }, SETTING_WORD, .cli = "cache-type-k", .metavar = "T",
      .help = "K cache type (f16, q8_0, ...)", .server = { "--cache-type-k", "-ctk" }, .column = "cache_type_k" },
    { "cache_type_v", { "ctv" }, SETTING_WORD, .cli = "cache-type-v", .metavar = "T", .help = "V cache type",
      .server = { "--cache-type-v", "-ctv" }, .column = "cache_type_v" },
    { "spec_synth_rates", { 0 }, SETTING_WORD, .flags = SETTING_NO_AXIS, .cli = "spec-synth-rates",
      .metavar = "P0,P1,...", .help = "synthetic acceptance (testing the measurement)",
      .server = { "--spec-synth-rates" } },
    { "flags", { 0 }, SETTING_ARGS, .flags = SETTING_PIPE_LIST, .column = "flags" },
    /* speculative decoding details: launch flags that a build may also take per request */
    { "draft_min", { "draft_n_min" }, SETTING_INT, 0, BIG, .flags = SETTING_NEEDS_SPEC | SETTING_PER_REQUEST,
      .cli = "draft-min", .metavar = "N", .help = "minimum draft tokens per step",
      .server = { "--spec-draft-n-min" }, .request_key = "speculative.n_min", .column = "draft_min" },
    { "draft_p_min", { "p_min" }, SETTING_NUM, .dmin = 0, .dmax = 1,
      .flags = SETTING_NEEDS_SPEC | SETTING_PER_REQUEST, .cli = "draft-p-min", .metavar = "P",
      .help = "minimum probability of a drafted token (greedy)", .server = { "--spec-draft-p-min", "--draft-p-min" },
      .request_key = "speculative.p_min", .column = "draft_p_min" },
    { "ngram_size_n", { "lookup_ngram_min" }, SETTING_INT, 1, 1024, .flags = SETTING_PER_REQUEST,
      .cli = "ngram-size-n", .metavar = "N", .help = "n-gram lookup size (ngram-simple speculative decoding)",
      .server = { "--spec-ngram-simple-size-n" }, .request_key = "speculative.ngram_size_n", .column = "ngram_size_n" },
    { "ngram_size_m", { 0 }, SETTING_INT, 1, 1024, .flags = SETTING_PER_REQUEST, .cli = "ngram-size-m",
      .metavar = "N", .help = "tokens drafted per n-gram hit (ngram-simple)",
      .server = { "--spec-ngram-simple-size-m" }, .request_key = "speculative.ngram_size_m", .column = "ngram_size_m" },
    /* request settings: sent in every request, override the suite's values
     * (its hash stays), never restart a server */
    { "temperature", { "temp" }, SETTING_NUM, .dmin = 0, .dmax = 10, .scope = SETTING_REQUEST,
      .cli = "temperature", .metavar = "T", .help = "sampling temperature (overrides the suite's)",
      .request_key = "temperature", .column = "temperature" },
    { "top_p", { 0 }, SETTING_NUM, .dmin = 0, .dmax = 1, .scope = SETTING_REQUEST, .cli = "top-p", .metavar = "P",
      .help = "nucleus sampling", .request_key = "top_p", .column = "top_p" },
    { "top_k", { 0 }, SETTING_INT, 0, BIG, .scope = SETTING_REQUEST, .cli = "top-k", .metavar = "N",
      .help = "top-k sampling (0: off)", .request_key = "top_k", .column = "top_k" },
    { "min_p", { 0 }, SETTING_NUM, .dmin = 0, .dmax = 1, .scope = SETTING_REQUEST, .cli = "min-p", .metavar = "P",
      .help = "min-p sampling", .request_key = "min_p", .column = "min_p" },
    { "seed", { 0 }, SETTING_INT, 0, 4294967295L, .scope = SETTING_REQUEST, .cli = "seed", .metavar = "N",
      .help = "sampling seed", .request_key = "seed", .column = "seed" },
    { "max_tokens", { "n_predict" }, SETTING_INT, 1, BIG, .scope = SETTING_REQUEST, .cli = "max-tokens",
      .metavar = "N", .help = "generated tokens at most (overrides the suite's)", .request_key = "max_tokens",
      .column = "max_tokens" },
};

#define N_SETTINGS (sizeof table / sizeof table[0])
_Static_assert(N_SETTINGS <= SETTINGS_MAX, "SETTINGS_MAX is too small for the table");

size_t settings_count(void)
{
    return N_SETTINGS;
}

const struct setting_def *settings_def(int id)
{
    return id >= 0 && (size_t)id < N_SETTINGS ? &table[id] : NULL;
}

int settings_lookup(const char *name, int *id_out)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        int hit = !strcmp(table[i].name, name);
        for (int a = 0; !hit && a < 3 && table[i].aliases[a]; a++)
            hit = !strcmp(table[i].aliases[a], name);
        if (hit) {
            *id_out = (int)i;
            return 0;
        }
    }
    return -1;
}

/* strtol that insists on a whole integer (the table's range is checked by
 * the caller). */
static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* strtod that insists on a finite number and nothing after it. */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* "NAME=VALUE" with NAME a shell variable name; *name_len gets its length. */
static int env_entry_ok(const char *v, size_t *name_len)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v)
        return 0;
    for (const char *c = v; c < eq; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_') || (c == v && isdigit((unsigned char)*c)))
            return 0;
    *name_len = (size_t)(eq - v);
    return 1;
}

static int in_list(const char *const *list, const char *v)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(list[i], v))
            return 1;
    return 0;
}

int settings_validate(int id, const char *value, const char *where, struct bai_error *err)
{
    const struct setting_def *d = settings_def(id);
    if (!value || (!*value && d->kind != SETTING_ARGV)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: empty value for %s", where, d->name);
        return -1;
    }
    long v;
    struct buf b = { 0 };
    switch (d->kind) {
    case SETTING_INT:
        if (in_list(d->choices, value))
            return 0;
        if (parse_long(value, &v) < 0) {
            cli_choices_join(d->choices, ", ", &b);
            bai_error_set(err, BAI_EXIT_USAGE, "%s: %s wants an integer%s%s, not '%s'", where, d->name,
                          b.data ? " or one of " : "", b.data ? b.data : "", value);
            buf_free(&b);
            return -1;
        }
        if (v < d->min || v > d->max) {
            if (d->max >= BIG)
                bai_error_set(err, BAI_EXIT_USAGE, "%s: %s=%ld is below %ld", where, d->name, v, d->min);
            else
                bai_error_set(err, BAI_EXIT_USAGE, "%s: %s=%ld is outside %ld..%ld", where, d->name, v,
                              d->min, d->max);
            return -1;
        }
        return 0;
    case SETTING_NUM: {
        double x;
        if (parse_double(value, &x) < 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: %s wants a number, not '%s'", where, d->name, value);
            return -1;
        }
        if (x < d->dmin || x > d->dmax) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: %s=%s is outside %g..%g", where, d->name, value, d->dmin,
                          d->dmax);
            return -1;
        }
        return 0;
    }
    case SETTING_ENVIRON: {
        size_t n;
        if (!env_entry_ok(value, &n)) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: %s wants NAME=VALUE (or NAME=unset), not '%s'", where,
                          d->name, value);
            return -1;
        }
        return 0;
    }
    case SETTING_CHOICE:
        if (in_list(d->choices, value))
            return 0;
        cli_choices_join(d->choices, ", ", &b);
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s is one of %s, not '%s'", where, d->name, b.data, value);
        buf_free(&b);
        return -1;
    case SETTING_WORD:
        for (const char *c = value; *c; c++)
            if (isspace((unsigned char)*c)) {
                bai_error_set(err, BAI_EXIT_USAGE, "%s: %s value '%s' contains a space", where, d->name, value);
                return -1;
            }
        return 0;
    case SETTING_ARGS:
    case SETTING_ARGV:
        return 0;
    }
    return 0;
}

static void value_clear(struct setting_value *v)
{
    free(v->text);
    strv_free(&v->list);
    memset(v, 0, sizeof *v);
}

/* "--mlock   --no-mmap " -> "--mlock --no-mmap": the canonical text of raw
 * flags, so two spellings of the same flags are one identity. */
static char *normalize_args(const char *s)
{
    struct buf b = { 0 };
    const char *p = s;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (p > start)
            buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)(p - start), start);
    }
    return buf_detach(&b);
}

/* Sets (or replaces) one variable of an environment value, keeping the
 * entries sorted by name: "NAME=unset" is kept as "NAME". */
static void env_put(struct setting_value *v, const char *entry)
{
    size_t n;
    env_entry_ok(entry, &n);
    char *item = !strcmp(entry + n + 1, "unset") ? xstrndup(entry, n) : xstrdup(entry);
    size_t at = 0;
    for (; at < v->list.n; at++) {
        size_t m = strcspn(v->list.v[at], "=");
        int c = strncmp(v->list.v[at], entry, m < n ? m : n);
        if (c == 0 && m == n) {
            free(v->list.v[at]);
            v->list.v[at] = item;
            return;
        }
        if (c > 0 || (c == 0 && m > n))
            break;
    }
    strv_push_owned(&v->list, item);          /* then moved to its place */
    memmove(&v->list.v[at + 1], &v->list.v[at], (v->list.n - 1 - at) * sizeof *v->list.v);
    v->list.v[at] = item;
    v->set = 1;
}

int settings_set(struct settings *s, int id, const char *value, const char *where, struct bai_error *err)
{
    if (settings_validate(id, value, where, err) < 0)
        return -1;
    const struct setting_def *d = settings_def(id);
    struct setting_value *v = &s->v[id];
    if (d->kind == SETTING_ENVIRON) {
        env_put(v, value);
        return 0;
    }
    if (d->kind == SETTING_ARGV) {
        strv_push(&v->list, value);
        v->set = 1;
        return 0;
    }
    value_clear(v);
    v->set = 1;
    v->text = d->kind == SETTING_ARGS ? normalize_args(value) : xstrdup(value);
    if (d->kind == SETTING_INT && parse_long(value, &v->num) < 0)
        v->num = 0;   /* a word of the integer setting ("auto") */
    if (d->kind == SETTING_NUM) {
        parse_double(value, &v->dnum);
        /* one number, one spelling: "0.70" and ".7" are one identity */
        free(v->text);
        v->text = xasprintf("%.17g", v->dnum);
        char shorter[64];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(shorter, sizeof shorter, "%.*g", prec, v->dnum);
            if (strtod(shorter, NULL) == v->dnum) {
                free(v->text);
                v->text = xstrdup(shorter);
                break;
            }
        }
    }
    return 0;
}

void settings_unset(struct settings *s, int id)
{
    value_clear(&s->v[id]);
}

int settings_is_set(const struct settings *s, int id)
{
    return s->v[id].set;
}

long settings_int(const struct settings *s, int id, long dflt)
{
    const struct setting_value *v = &s->v[id];
    return v->set && table[id].kind == SETTING_INT && !in_list(table[id].choices, v->text) ? v->num : dflt;
}

const char *settings_text(const struct settings *s, int id)
{
    return s->v[id].set ? s->v[id].text : NULL;
}

void settings_overlay(struct settings *base, const struct settings *top)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting_value *t = &top->v[i];
        struct setting_value *b = &base->v[i];
        if (!t->set)
            continue;
        if (table[i].kind == SETTING_ARGV) {
            for (size_t k = 0; k < t->list.n; k++)
                strv_push(&b->list, t->list.v[k]);
            b->set = 1;
            continue;
        }
        if (table[i].kind == SETTING_ENVIRON) {
            for (size_t k = 0; k < t->list.n; k++) {
                /* back to the NAME=VALUE / NAME=unset form env_put takes */
                char *e = strchr(t->list.v[k], '=') ? xstrdup(t->list.v[k]) : xasprintf("%s=unset", t->list.v[k]);
                env_put(b, e);
                free(e);
            }
            continue;
        }
        value_clear(b);
        b->set = 1;
        b->num = t->num;
        b->dnum = t->dnum;
        b->text = xstrdup(t->text);
    }
}

static int equal_from(const struct settings *a, const struct settings *b, int launch_only, int per_request)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting_value *x = &a->v[i], *y = &b->v[i];
        if (launch_only && (table[i].scope == SETTING_REQUEST || (per_request && (table[i].flags & SETTING_PER_REQUEST))))
            continue;
        if (x->set != y->set)
            return 0;
        if (!x->set)
            continue;
        if (table[i].kind == SETTING_ARGV || table[i].kind == SETTING_ENVIRON) {
            if (x->list.n != y->list.n)
                return 0;
            for (size_t k = 0; k < x->list.n; k++)
                if (strcmp(x->list.v[k], y->list.v[k]))
                    return 0;
        } else if (strcmp(x->text, y->text)) {
            return 0;
        }
    }
    return 1;
}

int settings_equal(const struct settings *a, const struct settings *b)
{
    return equal_from(a, b, 0, 0);
}

int settings_same_launch(const struct settings *a, const struct settings *b, int per_request)
{
    return equal_from(a, b, 1, per_request);
}

void settings_free(struct settings *s)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        value_clear(&s->v[i]);
}

cJSON *settings_value_json(const struct settings *s, int id)
{
    const struct setting_value *v = &s->v[id];
    if (!v->set)
        return NULL;
    const struct setting_def *d = &table[id];
    if (d->kind == SETTING_ARGV || d->kind == SETTING_ENVIRON) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t k = 0; k < v->list.n; k++)
            cJSON_AddItemToArray(arr, cJSON_CreateString(v->list.v[k]));
        return arr;
    }
    if (d->kind == SETTING_INT && !in_list(d->choices, v->text))
        return cJSON_CreateNumber((double)v->num);
    if (d->kind == SETTING_NUM)
        return cJSON_CreateNumber(v->dnum);
    return cJSON_CreateString(v->text);
}

cJSON *settings_to_json(const struct settings *s)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < N_SETTINGS; i++) {
        cJSON *v = settings_value_json(s, (int)i);
        if (v)
            cJSON_AddItemToObject(o, table[i].name, v);
    }
    return o;
}

static int is_raw(const struct setting_def *d)
{
    return d->kind == SETTING_ARGS || d->kind == SETTING_ARGV || d->kind == SETTING_ENVIRON;
}

void settings_label_append(const struct settings *s, const int *ids, size_t n, struct buf *label)
{
    for (size_t j = 0; j < 2 * N_SETTINGS; j++) {
        size_t i = j % N_SETTINGS;
        if (is_raw(&table[i]) != (j >= N_SETTINGS))
            continue;
        int wanted = 0;
        for (size_t k = 0; k < n && !wanted; k++)
            wanted = ids[k] == (int)i;
        const struct setting_value *v = &s->v[i];
        if (!wanted || !v->set)
            continue;
        if (table[i].kind == SETTING_ARGV) {
            buf_printf(label, " %s=", table[i].name);
            for (size_t k = 0; k < v->list.n; k++)
                buf_printf(label, "%s%s", k ? "," : "", v->list.v[k]);
        } else if (table[i].kind == SETTING_ENVIRON) {
            for (size_t k = 0; k < v->list.n; k++)
                buf_printf(label, " env.%s%s", v->list.v[k], strchr(v->list.v[k], '=') ? "" : "=unset");
        } else {
            buf_printf(label, " %s=%s", table[i].name, v->text);
        }
    }
}

/* --- command-line options ------------------------------------------------ */

static int cli_apply(void *opts, const struct cli_option *o, const char *value, struct bai_error *err)
{
    return settings_set(opts, o->ival, value, o->long_name, err);
}

const struct cli_option *settings_cli_options(void)
{
    /* built once from the table; a group heading, the entries, the end */
    static struct cli_option opts[SETTINGS_MAX + 2];
    static int built;
    if (built)
        return opts;
    size_t n = 0;
    opts[n++] = (struct cli_option)CLI_OPT_GROUP(
        "Launch settings (llama-server; each is also a plan axis, see docs/plans.md)");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting_def *d = &table[i];
        if (!d->cli)
            continue;
        opts[n++] = (struct cli_option){
            .type = CLI_CALLBACK, .long_name = d->cli, .arg = d->metavar, .help = d->help,
            .cb_opt = cli_apply, .ival = (int)i,
            .choices = d->kind == SETTING_CHOICE ? d->choices : NULL,
            .flags = d->flags & SETTING_HIDDEN ? CLI_HIDDEN : 0,
        };
    }
    opts[n] = (struct cli_option)CLI_OPT_END();
    built = 1;
    return opts;
}
