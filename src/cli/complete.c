/* complete.c - which word is being completed, and the candidates the
 * option tables know. */
#include "cli/complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_complete_add(struct strv *out, const struct cli_want *want, const char *cand)
{
    size_t lp = strlen(want->prefix);
    if (strncmp(cand, want->prefix, lp))
        return;
    strv_pushf(out, "%s%s", want->emit_prefix, cand);
}

/* The option a word names ("--store", "--store=x", "-o", "-ojson"); *inline_value
 * is set when the word carries its value. */
static const struct cli_option *word_option(const struct cli_command *c, const char *w,
                                            const char **inline_value)
{
    *inline_value = NULL;
    const struct cli_option *o;
    if (w[0] == '-' && w[1] == '-') {
        const char *name = w + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t i = 0; (o = cli_option_at(c, i)) != NULL; i++) {
            if (o->type == CLI_GROUP)
                continue;
            if ((o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len)) ||
                (o->alias && strlen(o->alias) == len && !strncmp(o->alias, name, len))) {
                *inline_value = eq ? eq + 1 : NULL;
                return o;
            }
        }
        return NULL;
    }
    if (w[0] == '-' && w[1]) {
        /* the last short flag of a bundle decides: "-yo" wants a value */
        for (const char *s = w + 1; *s; s++) {
            const struct cli_option *found = NULL;
            for (size_t i = 0; (o = cli_option_at(c, i)) != NULL; i++)
                if (o->type != CLI_GROUP && o->short_name == *s)
                    found = o;
            if (!found)
                return NULL;
            if (cli_option_takes_value(found)) {
                *inline_value = s[1] ? s + 1 : NULL;
                return found;
            }
            if (!s[1])
                return found;
        }
    }
    return NULL;
}

static void add_flags(const struct cli_command *c, struct strv *out, const struct cli_want *want)
{
    const char **names = cli_long_names(c);
    for (size_t i = 0; names[i]; i++) {
        char *flag = xasprintf("--%s", names[i]);
        cli_complete_add(out, want, flag);
        free(flag);
    }
    free(names);
}

/* The candidates for a value of o; dynamic kinds are left to the caller. */
static void option_value(const struct cli_option *o, struct strv *out, struct cli_want *want)
{
    if (o->choices) {
        for (size_t i = 0; o->choices[i]; i++)
            cli_complete_add(out, want, o->choices[i]);
        return;
    }
    want->kind = o->complete;
}

static void positional(const struct cli_command *c, int index, struct strv *out,
                       struct cli_want *want)
{
    if (c->max_args >= 0 && index >= c->max_args)
        return;
    switch (c->args_complete) {
    case CLI_COMP_CHOICES:
        if (index == 0) {
            for (size_t i = 0; c->args_choices && c->args_choices[i]; i++)
                cli_complete_add(out, want, c->args_choices[i]);
        } else {
            want->kind = CLI_COMP_FILE;
        }
        return;
    case CLI_COMP_IMPORT_FORMAT:
    case CLI_COMP_SCORER:
        want->kind = index == 0 ? c->args_complete
                                : c->args_complete == CLI_COMP_IMPORT_FORMAT ? CLI_COMP_FILE : CLI_COMP_NONE;
        return;
    default:
        want->kind = c->args_complete;
    }
}

static const struct cli_command *find(const struct cli_command *const *cmds, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cmds[i]->name, name))
            return cmds[i];
    return NULL;
}

void cli_complete(const struct cli_command *const *cmds, size_t n_cmds,
                  const struct cli_command *global, char **words, int n,
                  struct strv *out, struct cli_want *want)
{
    memset(want, 0, sizeof *want);
    want->prefix = n > 0 ? words[n - 1] : "";
    const struct cli_command *c = global;
    const struct cli_option *pending = NULL;   /* an option whose value is the next word */
    int n_args = 0, only_args = 0, help = 0, i;
    for (i = 0; i < n - 1; i++) {
        const char *w = words[i], *inline_value;
        if (pending) {
            if (!strcmp(pending->long_name ? pending->long_name : "", "store"))
                want->store = w;
            pending = NULL;
            continue;
        }
        if (!only_args && !strcmp(w, "--")) {
            only_args = 1;
            continue;
        }
        const struct cli_option *o = only_args ? NULL : word_option(c, w, &inline_value);
        if (o) {
            if (cli_option_takes_value(o) && !inline_value)
                pending = o;
            else if (inline_value && o->long_name && !strcmp(o->long_name, "store"))
                want->store = inline_value;
            continue;
        }
        if (w[0] == '-' && w[1] && !only_args)
            continue;   /* an unknown flag: skip it */
        if (c == global && !strcmp(w, "help")) {
            help = 1;
            continue;
        }
        if (c == global) {
            c = find(cmds, n_cmds, w);
            if (!c || (c->flags & CLI_CMD_HIDDEN))
                return;   /* an unknown command: nothing to offer */
            want->cmd = c;
            continue;
        }
        n_args++;
    }
    const char *cur = want->prefix, *inline_value;
    if (pending) {
        option_value(pending, out, want);
        return;
    }
    if (!only_args && cur[0] == '-') {
        const struct cli_option *o = word_option(c, cur, &inline_value);
        if (o && inline_value && cur[1] == '-') {
            /* "--output=js": the value, printed with its flag */
            snprintf(want->emit_prefix, sizeof want->emit_prefix, "%.*s", (int)(inline_value - cur), cur);
            want->prefix = inline_value;
            option_value(o, out, want);
            return;
        }
        add_flags(c, out, want);
        return;
    }
    if (c == global) {
        for (size_t k = 0; k < n_cmds; k++)
            if (!(cmds[k]->flags & CLI_CMD_HIDDEN))
                cli_complete_add(out, want, cmds[k]->name);
        if (!help)
            cli_complete_add(out, want, "help");
        return;
    }
    positional(c, n_args, out, want);
}
