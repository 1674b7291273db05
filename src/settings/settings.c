/* settings.c - the table of settings and the values that fill it (see
 * settings.h). To add a launch setting of llama-server, add one line to
 * `table` below (and a test): flag, axis, validation, spelling, label,
 * params JSON, identity and sweep column all follow from it. */
#include "settings/settings.h"
#include "cli/options.h"
#include "util/mem.h"
#include "util/strlist.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
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
    [SETTING_K] = { "k", { "draft_max" }, SETTING_INT, 1, BIG, .flags = SETTING_NEEDS_SPEC,
                    .cli = "k", .metavar = "N", .help = "draft tokens per step (speculative decoding)",
                    .server = { "--spec-draft-n-max", "--draft-max", "--draft-n", "--draft" }, .column = "K" },
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

/* strtol that insists on a whole, in-range integer. */
static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
        return -1;
    *out = v;
    return 0;
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
    strlist_free(v->list, v->n_list);
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

int settings_set(struct settings *s, int id, const char *value, const char *where, struct bai_error *err)
{
    if (settings_validate(id, value, where, err) < 0)
        return -1;
    const struct setting_def *d = settings_def(id);
    struct setting_value *v = &s->v[id];
    if (d->kind == SETTING_ARGV) {
        size_t cap = v->n_list;
        strlist_push(&v->list, &v->n_list, &cap, value);
        v->set = 1;
        return 0;
    }
    value_clear(v);
    v->set = 1;
    v->text = d->kind == SETTING_ARGS ? normalize_args(value) : xstrdup(value);
    if (d->kind == SETTING_INT && parse_long(value, &v->num) < 0)
        v->num = 0;   /* a word of the integer setting ("auto") */
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
            size_t cap = b->n_list;
            for (size_t k = 0; k < t->n_list; k++)
                strlist_push(&b->list, &b->n_list, &cap, t->list[k]);
            b->set = 1;
            continue;
        }
        value_clear(b);
        b->set = 1;
        b->num = t->num;
        b->text = xstrdup(t->text);
    }
}

int settings_equal(const struct settings *a, const struct settings *b)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting_value *x = &a->v[i], *y = &b->v[i];
        if (x->set != y->set)
            return 0;
        if (!x->set)
            continue;
        if (table[i].kind == SETTING_ARGV) {
            if (x->n_list != y->n_list)
                return 0;
            for (size_t k = 0; k < x->n_list; k++)
                if (strcmp(x->list[k], y->list[k]))
                    return 0;
        } else if (strcmp(x->text, y->text)) {
            return 0;
        }
    }
    return 1;
}

void settings_free(struct settings *s)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        value_clear(&s->v[i]);
}

cJSON *settings_to_json(const struct settings *s)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting_value *v = &s->v[i];
        if (!v->set)
            continue;
        if (table[i].kind == SETTING_ARGV) {
            cJSON *arr = cJSON_AddArrayToObject(o, table[i].name);
            for (size_t k = 0; k < v->n_list; k++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(v->list[k]));
        } else if (table[i].kind == SETTING_INT && !in_list(table[i].choices, v->text)) {
            cJSON_AddNumberToObject(o, table[i].name, (double)v->num);
        } else {
            cJSON_AddStringToObject(o, table[i].name, v->text);
        }
    }
    return o;
}

static int is_raw(const struct setting_def *d)
{
    return d->kind == SETTING_ARGS || d->kind == SETTING_ARGV;
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
            for (size_t k = 0; k < v->n_list; k++)
                buf_printf(label, "%s%s", k ? "," : "", v->list[k]);
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
