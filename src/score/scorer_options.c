/* scorer_options.c - what a scorer's registry entry describes, put to use: the
 * generic checks of its option table (values, types, patterns) and its
 * --help text. Both read the same table, so the help cannot drift from what
 * is accepted. */
#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "score/text.h"

static int among(const char *values, const char *s)
{
    return score_values_index(values, s) >= 0;
}

/* "a|b|c" -> "a, b or c" (last_sep " or ") or "a, b, c" (last_sep ", "). */
static void list_values(const char *values, const char *last_sep, struct buf *out)
{
    for (const char *p = values; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        buf_append(out, p, len);
        if (bar)
            buf_puts(out, strchr(bar + 1, '|') ? ", " : last_sep);
        p = bar ? bar + 1 : NULL;
    }
}

/* The value as a message shows it: 'text' for strings, JSON otherwise. */
static void show_value(const cJSON *v, struct buf *out)
{
    if (cJSON_IsString(v)) {
        buf_printf(out, "'%s'", v->valuestring);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    buf_puts(out, s ? s : "?");
    free(s);
}

static int is_number(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return 1;
    if (!cJSON_IsString(v) || !*v->valuestring)
        return 0;
    char *end;
    strtod(v->valuestring, &end);
    return !*end;
}

/* " must be <what>, not <v>"; returns -1 for check_one. */
static int must_be(struct buf *msg, const char *what, const cJSON *v)
{
    buf_printf(msg, " must be %s, not ", what);
    show_value(v, msg);
    return -1;
}

/* Checks one present option; 0 when fine, else the problem in msg, worded
 * to follow "option 'name'". */
static int check_one(const struct score_option *o, const cJSON *v, struct buf *msg)
{
    struct bai_error perr = {0};
    switch (o->kind) {
    case SCORE_OPT_ENUM: {
        if (cJSON_IsString(v) && among(o->values, v->valuestring))
            return 0;
        struct buf what = {0};
        list_values(o->values, " or ", &what);
        int rc = must_be(msg, what.data, v);
        buf_free(&what);
        return rc;
    }
    case SCORE_OPT_LIST: {
        const cJSON *e = v;
        if (cJSON_IsArray(v)) {
            cJSON_ArrayForEach(e, v)
                if (!cJSON_IsString(e) || !among(o->values, e->valuestring))
                    break;
        } else if (cJSON_IsString(v) && among(o->values, v->valuestring)) {
            e = NULL;
        }
        if (!e)
            return 0;
        buf_puts(msg, ": unknown ");
        show_value(e, msg);
        buf_puts(msg, " (known: ");
        list_values(o->values, ", ", msg);
        buf_puts(msg, ")");
        return -1;
    }
    case SCORE_OPT_NUMBER:
        return is_number(v) ? 0 : must_be(msg, "a number", v);
    case SCORE_OPT_BOOL:
        if (cJSON_IsBool(v) || (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)))
            return 0;
        return must_be(msg, "true or false", v);
    case SCORE_OPT_PATTERN:
        if (!cJSON_IsString(v))
            return must_be(msg, "a PCRE2 pattern (a string)", v);
        if (score_re_cached(v->valuestring, 0, &perr))
            return 0;
        buf_printf(msg, ": %s", perr.msg);
        return -1;
    case SCORE_OPT_TEXT:
        return cJSON_IsString(v) ? 0 : must_be(msg, "a string", v);
    }
    return 0;
}

int score_options_check(const struct scorer *sc, const cJSON *data, struct bai_error *err)
{
    int problems = 0;
    for (const struct score_option *o = sc->options; o && o->name; o++) {
        const cJSON *v = score_opt(data, o->name);
        if (!v)
            continue;
        struct buf msg = {0};
        if (check_one(o, v, &msg) < 0) {
            score_problem(err, "%s: option '%s'%s", sc->name, o->name, msg.data);
            problems++;
        }
        buf_free(&msg);
    }
    return problems;
}

/* ---- help ------------------------------------------------------------- */

/* Appends text wrapped at 78 columns, each line indented by indent spaces. */
static void wrap(struct buf *out, const char *text, size_t indent)
{
    size_t col = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (col && col + 1 + w > 78) {
            buf_putc(out, '\n');
            col = 0;
        }
        if (!col) {
            for (size_t i = 0; i < indent; i++)
                buf_putc(out, ' ');
            col = indent;
        } else {
            buf_putc(out, ' ');
            col++;
        }
        buf_append(out, p, w);
        col += w;
        p += w;
    }
    buf_putc(out, '\n');
}

static const char *kind_text(enum score_opt_kind k)
{
    switch (k) {
    case SCORE_OPT_NUMBER: return "number";
    case SCORE_OPT_BOOL: return "true|false";
    case SCORE_OPT_PATTERN: return "PCRE2 pattern";
    case SCORE_OPT_TEXT: return "text";
    default: return "";
    }
}

char *score_help(const struct scorer *sc)
{
    struct buf b = {0};
    buf_printf(&b, "scorer %s: %s\n", sc->name, sc->summary);
    if (sc->fields && sc->fields->name) {
        buf_puts(&b, "\nFields of an item (or of a 'benchai score' input line):\n");
        for (const struct score_field *f = sc->fields; f->name; f++) {
            buf_printf(&b, "  %s\n", f->name);
            wrap(&b, f->help, 6);
        }
    }
    if (sc->options && sc->options->name) {
        buf_puts(&b, "\nOptions (a field of the item, or a key of its 'scoring' map; a suite's\n"
                     "defaults.scoring sets them for every item):\n");
        for (const struct score_option *o = sc->options; o->name; o++) {
            buf_printf(&b, "  %s: ", o->name);
            if (o->kind == SCORE_OPT_ENUM)
                buf_puts(&b, o->values);
            else if (o->kind == SCORE_OPT_LIST) {
                buf_puts(&b, "a list of ");
                list_values(o->values, ", ", &b);
            } else
                buf_puts(&b, kind_text(o->kind));
            if (o->def)
                buf_printf(&b, " (default %s)", o->def);
            buf_putc(&b, '\n');
            wrap(&b, o->help, 6);
        }
    }
    return buf_detach(&b);
}
