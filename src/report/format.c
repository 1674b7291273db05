/* format.c - render a report_table as Markdown, CSV, JSON or HTML. */
#include "report/format.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"
#include "util/numtext.h"
#include "util/utf8.h"

int report_fmt_parse(const char *s, enum report_fmt *out, struct bai_error *err)
{
    if (!strcmp(s, "md") || !strcmp(s, "markdown"))
        *out = REPORT_FMT_MD;
    else if (!strcmp(s, "csv"))
        *out = REPORT_FMT_CSV;
    else if (!strcmp(s, "json"))
        *out = REPORT_FMT_JSON;
    else {
        bai_error_set(err, BAI_EXIT_USAGE, "unknown output format '%s' (md, csv, json)", s);
        return -1;
    }
    return 0;
}

void report_table_init(struct report_table *t, size_t ncols, const char *const *cols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->cols = xcalloc(ncols, sizeof *t->cols);
    for (size_t i = 0; i < ncols; i++)
        t->cols[i] = xstrdup(cols[i]);
}

void report_table_free(struct report_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i].text);
    free(t->cols);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

size_t report_table_add_row(struct report_table *t)
{
    size_t need = (t->nrows + 1) * t->ncols;
    size_t cap = t->cap * t->ncols;
    if (need > cap) {
        size_t rows = t->cap ? t->cap * 2 : 8;
        t->cells = xrealloc(t->cells, rows * t->ncols * sizeof *t->cells);
        memset(t->cells + cap, 0, (rows * t->ncols - cap) * sizeof *t->cells);
        t->cap = rows;
    }
    return t->nrows++;
}

struct report_cell *report_table_cell(struct report_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}

void report_table_set(struct report_table *t, size_t row, size_t col, const char *text)
{
    struct report_cell *c = report_table_cell(t, row, col);
    free(c->text);
    c->text = xstrdup(text);
}

void report_table_setf(struct report_table *t, size_t row, size_t col, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    struct report_cell *c = report_table_cell(t, row, col);
    free(c->text);
    c->text = buf_detach(&b);
}

void report_table_set_num(struct report_table *t, size_t row, size_t col, double num,
                          const char *fmt)
{
    struct report_cell *c = report_table_cell(t, row, col);
    free(c->text);
    c->text = NULL;
    c->has_num = 0;
    if (isnan(num))
        return;
    c->num = num;
    c->has_num = 1;
    c->text = xasprintf(fmt, num);
}

int report_table_col(const struct report_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcasecmp(t->cols[i], name))
            return (int)i;
    return -1;
}

/* qsort is not stable, so rows are sorted as indices with the original
 * position as the last key. */
struct sort_ctx {
    const struct report_table *t;
    size_t col;
    int desc, numeric;
};
/* glibc's qsort_r (the build is _GNU_SOURCE) carries the context, so
 * sorting keeps no global state. */
static int cmp_rows(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *g = arg;
    size_t ra = *(const size_t *)a, rb = *(const size_t *)b;
    const struct report_cell *ca = &g->t->cells[ra * g->t->ncols + g->col];
    const struct report_cell *cb = &g->t->cells[rb * g->t->ncols + g->col];
    int r = 0;
    if (g->numeric) {
        if (ca->has_num != cb->has_num)
            return ca->has_num ? -1 : 1;           /* missing last */
        if (ca->has_num)
            r = ca->num < cb->num ? -1 : ca->num > cb->num ? 1 : 0;
    } else {
        if (!ca->text != !cb->text)
            return ca->text ? -1 : 1;
        if (ca->text)
            r = strcasecmp(ca->text, cb->text);
    }
    if (g->desc)
        r = -r;
    if (r)
        return r;
    return ra < rb ? -1 : ra > rb ? 1 : 0;
}

int report_table_sort(struct report_table *t, const char *spec, struct bai_error *err)
{
    char name[128];
    snprintf(name, sizeof name, "%s", spec);
    int dir = 0;   /* 0 = by type, 1 = asc, 2 = desc */
    char *colon = strrchr(name, ':');
    if (colon) {
        if (!strcasecmp(colon + 1, "asc"))
            dir = 1;
        else if (!strcasecmp(colon + 1, "desc"))
            dir = 2;
        else {
            bai_error_set(err, BAI_EXIT_USAGE, "--sort %s: direction must be asc or desc", spec);
            return -1;
        }
        *colon = '\0';
    }
    int col = report_table_col(t, name);
    if (col < 0) {
        struct buf b = {0};
        for (size_t i = 0; i < t->ncols; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", t->cols[i]);
        bai_error_set(err, BAI_EXIT_USAGE, "--sort: no column '%s' (columns: %s)", name,
                      b.data ? b.data : "");
        buf_free(&b);
        return -1;
    }
    int numeric = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (t->cells[r * t->ncols + (size_t)col].has_num)
            numeric = 1;
    struct sort_ctx ctx = { t, (size_t)col, dir ? dir == 2 : numeric, numeric };
    size_t *idx = xcalloc(t->nrows ? t->nrows : 1, sizeof *idx);
    for (size_t r = 0; r < t->nrows; r++)
        idx[r] = r;
    qsort_r(idx, t->nrows, sizeof *idx, cmp_rows, &ctx);
    struct report_cell *cells = xcalloc(t->cap ? t->cap * t->ncols : 1, sizeof *cells);
    for (size_t r = 0; r < t->nrows; r++)
        memcpy(cells + r * t->ncols, t->cells + idx[r] * t->ncols, t->ncols * sizeof *cells);
    free(t->cells);
    t->cells = cells;
    free(idx);
    return 0;
}

static void md_cell(struct buf *out, const struct report_cell *c)
{
    const char *s = c->text && *c->text ? c->text : "-";
    if (c->bold && c->text)
        buf_puts(out, "**");
    report_md_escape(out, s, 0);
    if (c->bold && c->text)
        buf_puts(out, "**");
}

void report_md_escape(struct buf *out, const char *s, int br_newlines)
{
    if (!s)
        return;
    struct buf tmp = {0};
    for (; *s; s++) {
        char next = s[1];
        int letter = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z');
        switch (*s) {
        case '|': case '[':
            buf_putc(&tmp, '\\');
            buf_putc(&tmp, *s);
            break;
        case '<':   /* what CommonMark reads as a tag, comment or autolink */
            buf_puts(&tmp, letter || next == '/' || next == '!' || next == '?' ? "&lt;" : "<");
            break;
        case '&':   /* what it reads as an entity */
            buf_puts(&tmp, letter || next == '#' ? "&amp;" : "&");
            break;
        case '\n': buf_puts(&tmp, br_newlines ? "<br>" : " "); break;
        case '\r': break;
        default: buf_putc(&tmp, *s);
        }
    }
    esc_term_append(out, tmp.data ? tmp.data : "", tmp.len, ESC_TEXT);
    buf_free(&tmp);
}

static int csv_raw;

void report_csv_set_raw(int raw)
{
    csv_raw = raw;
}

void report_csv_field(struct buf *out, const char *s)
{
    if (!s)
        return;
    struct buf cell = {0};
    if (!csv_raw && strchr("=+-@\t\r", s[0]) && s[0] && !numtext_is_decimal(s))
        buf_putc(&cell, '\'');
    /* newline and tab are data here; every other control is made visible */
    esc_term_append(&cell, s, strlen(s), ESC_TEXT);
    const char *c = cell.data ? cell.data : "";
    if (!strpbrk(c, ",\"\r\n")) {
        buf_puts(out, c);
    } else {
        buf_putc(out, '"');
        for (; *c; c++) {
            if (*c == '"')
                buf_putc(out, '"');
            buf_putc(out, *c);
        }
        buf_putc(out, '"');
    }
    buf_free(&cell);
}

void report_xml_escape(struct buf *out, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (cp == UTF8_INVALID || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            cp == 0xFFFE || cp == 0xFFFF) {
            buf_puts(out, "\xEF\xBF\xBD");
        } else {
            switch (cp) {
            case '&': buf_puts(out, "&amp;"); break;
            case '<': buf_puts(out, "&lt;"); break;
            case '>': buf_puts(out, "&gt;"); break;
            case '"': buf_puts(out, "&quot;"); break;
            case '\'': buf_puts(out, "&apos;"); break;
            default: buf_append(out, s + i, k);
            }
        }
        i += k;
    }
}

char *report_utf8(const char *s)
{
    return s ? utf8_repair(s, strlen(s), NULL) : NULL;
}

void report_table_md(const struct report_table *t, struct buf *out)
{
    buf_puts(out, "|");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(out, " %s |", t->cols[i]);
    buf_puts(out, "\n|");
    for (size_t i = 0; i < t->ncols; i++)
        buf_puts(out, "---|");
    buf_putc(out, '\n');
    for (size_t r = 0; r < t->nrows; r++) {
        buf_puts(out, "|");
        for (size_t i = 0; i < t->ncols; i++) {
            buf_putc(out, ' ');
            md_cell(out, &t->cells[r * t->ncols + i]);
            buf_puts(out, " |");
        }
        buf_putc(out, '\n');
    }
}

void report_table_csv(const struct report_table *t, struct buf *out)
{
    for (size_t i = 0; i < t->ncols; i++) {
        if (i)
            buf_putc(out, ',');
        report_csv_field(out, t->cols[i]);
    }
    buf_putc(out, '\n');
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < t->ncols; i++) {
            const struct report_cell *c = &t->cells[r * t->ncols + i];
            if (i)
                buf_putc(out, ',');
            /* numbers at full precision so CSV consumers need not parse "%" */
            if (c->has_num) {
                char num[64];
                snprintf(num, sizeof num, "%.10g", c->num);
                buf_puts(out, num);
            } else
                report_csv_field(out, c->text);
        }
        buf_putc(out, '\n');
    }
}

void report_table_json(const struct report_table *t, struct buf *out)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t r = 0; r < t->nrows; r++) {
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < t->ncols; i++) {
            const struct report_cell *c = &t->cells[r * t->ncols + i];
            if (c->has_num)
                cJSON_AddNumberToObject(o, t->cols[i], c->num);
            else if (c->text && *c->text)
                cJSON_AddStringToObject(o, t->cols[i], c->text);
            else
                cJSON_AddNullToObject(o, t->cols[i]);
        }
        cJSON_AddItemToArray(arr, o);
    }
    report_json_emit(arr, 1, out);
}

void report_json_num(cJSON *o, const char *key, double v)
{
    if (isnan(v) || isinf(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

void report_json_measured(cJSON *o, const char *key, double v)
{
    report_json_num(o, key, v < 0 ? NAN : v);
}

void report_json_str(cJSON *o, const char *key, const char *s)
{
    if (!s) {
        cJSON_AddNullToObject(o, key);
    } else if (utf8_is_clean(s, strlen(s))) {
        cJSON_AddStringToObject(o, key, s);
    } else {
        /* JSON is UTF-8: a store written before answers were repaired on
         * arrival may hold invalid bytes */
        char *fixed = utf8_repair(s, strlen(s), NULL);
        cJSON_AddStringToObject(o, key, fixed);
        free(fixed);
    }
}

void report_json_emit(cJSON *doc, int pretty, struct buf *out)
{
    char *text = pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
    buf_puts(out, text ? text : "null");
    buf_putc(out, '\n');
    cJSON_free(text);
    cJSON_Delete(doc);
}

char *report_items_text(size_t run, int64_t total)
{
    if (total > 0 && (int64_t)run < total)
        return xasprintf("%zu of %lld", run, (long long)total);
    return xasprintf("%zu", run);
}

void report_html_escape(struct buf *out, const char *s)
{
    if (!s)
        return;
    /* control characters (not allowed in HTML text) shown as \x1b, invalid
     * UTF-8 likewise, first; then the markup characters */
    struct buf safe = {0};
    esc_term_append(&safe, s, strlen(s), ESC_TEXT);
    for (const char *p = safe.data ? safe.data : ""; *p; p++) {
        switch (*p) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_putc(out, *p);
        }
    }
    buf_free(&safe);
}

void report_table_html(const struct report_table *t, const char *cls, struct buf *out)
{
    buf_puts(out, "<table");
    if (cls) {
        buf_puts(out, " class=\"");
        report_html_escape(out, cls);
        buf_putc(out, '"');
    }
    buf_puts(out, ">\n<thead><tr>");
    for (size_t i = 0; i < t->ncols; i++) {
        buf_puts(out, "<th>");
        report_html_escape(out, t->cols[i]);
        buf_puts(out, "</th>");
    }
    buf_puts(out, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < t->nrows; r++) {
        buf_puts(out, "<tr>");
        for (size_t i = 0; i < t->ncols; i++) {
            const struct report_cell *c = &t->cells[r * t->ncols + i];
            buf_puts(out, c->has_num ? "<td class=\"num\">" : "<td>");
            if (c->bold)
                buf_puts(out, "<b>");
            report_html_escape(out, c->text && *c->text ? c->text : "-");
            if (c->bold)
                buf_puts(out, "</b>");
            buf_puts(out, "</td>");
        }
        buf_puts(out, "</tr>\n");
    }
    buf_puts(out, "</tbody></table>\n");
}

void report_table_render(const struct report_table *t, enum report_fmt fmt, struct buf *out)
{
    switch (fmt) {
    case REPORT_FMT_MD: report_table_md(t, out); break;
    case REPORT_FMT_CSV: report_table_csv(t, out); break;
    case REPORT_FMT_JSON: report_table_json(t, out); break;
    }
}
