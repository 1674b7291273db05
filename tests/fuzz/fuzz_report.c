/* libFuzzer target: the writers of what leaves benchai (report/format.c,
 * util/escape.c) on arbitrary cell text: Markdown, CSV, JSON and HTML
 * tables, the CSV/Markdown/XML/HTML cell escapes, terminal escaping in its
 * three modes and shell quoting. Checks the promises, not only the
 * absence of crashes: terminal text holds no control byte but newline and
 * tab and is valid UTF-8; XML text holds no character XML 1.0 forbids;
 * JSON output parses back; a Markdown row has as many cells as the header;
 * a CSV cell never starts with a formula character unless it is a number.
 * Input: cells separated by \x1f, rows by \x1e. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report/format.h"
#include "util/escape.h"
#include "util/mem.h"
#include "util/utf8.h"

#define NCOLS 3

static void check_terminal(const struct buf *b, int keep_nl)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if ((c < 0x20 && !(keep_nl && (c == '\n' || c == '\t'))) || c == 0x7f)
            abort();
    }
    if (!utf8_is_clean(b->data ? b->data : "", b->len))
        abort();
}

static void check_xml(const struct buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            abort();
        if (c == '<' || c == '>')
            abort();    /* every markup character of a text is escaped */
    }
    if (!utf8_is_clean(b->data ? b->data : "", b->len))
        abort();
}

/* Cells of a Markdown row: | not preceded by a backslash. */
static size_t md_cells(const char *line, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xstrndup((const char *)data, size);
    size_t n = strlen(in);    /* up to the first NUL, as a C string cell */

    struct buf b = {0};
    esc_term_append(&b, (const char *)data, size, ESC_TEXT);
    check_terminal(&b, 1);
    buf_reset(&b);
    esc_term_append(&b, (const char *)data, size, ESC_LINE);
    check_terminal(&b, 0);
    buf_reset(&b);
    esc_term_append(&b, (const char *)data, size, ESC_JSON);
    if (!utf8_is_clean(b.data ? b.data : "", b.len))
        abort();
    buf_reset(&b);
    esc_shell_quote(&b, in);
    buf_reset(&b);
    report_xml_escape(&b, in);
    check_xml(&b);
    buf_reset(&b);
    report_html_escape(&b, in);
    check_xml(&b);
    buf_reset(&b);
    report_md_escape(&b, in, 1);
    check_terminal(&b, 1);
    if (memchr(b.data ? b.data : "", '\n', b.len))
        abort();    /* one cell stays on its line */
    buf_reset(&b);
    report_csv_field(&b, in);
    const char *cell = b.data ? b.data : "";
    if (*cell == '"')
        cell++;
    if (*cell && strchr("=+-@\t\r", *cell) && strtod(in, NULL) == 0 && strspn(in, "+-.0123456789eE") != n)
        abort();    /* a formula character leads only a number */
    buf_free(&b);

    static const char *const cols[NCOLS] = { "config", "suite", "value" };
    struct report_table t;
    report_table_init(&t, NCOLS, cols);
    char *p = in;
    while (p && *p && t.nrows < 64) {
        char *row_end = strchr(p, '\x1e');
        if (row_end)
            *row_end = '\0';
        size_t r = report_table_add_row(&t);
        char *c = p;
        for (size_t col = 0; col < NCOLS && c; col++) {
            char *cell_end = strchr(c, '\x1f');
            if (cell_end)
                *cell_end = '\0';
            if (col == 2 && c[0] >= '0' && c[0] <= '9')
                report_table_set_num(&t, r, col, atof(c), "%.3g");
            else
                report_table_set(&t, r, col, c);
            c = cell_end ? cell_end + 1 : NULL;
        }
        p = row_end ? row_end + 1 : NULL;
    }
    struct buf out = {0};
    report_table_md(&t, &out);
    check_terminal(&out, 1);
    const char *line = out.data;
    size_t header = 0;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        size_t cells = md_cells(line, len);
        if (!header)
            header = cells;
        else if (cells != header)
            abort();
        line = eol ? eol + 1 : NULL;
    }
    buf_reset(&out);
    report_table_csv(&t, &out);
    buf_reset(&out);
    report_table_json(&t, &out);
    cJSON *j = cJSON_Parse(out.data);
    if (!j)
        abort();
    cJSON_Delete(j);
    buf_reset(&out);
    report_table_html(&t, "c", &out);
    buf_free(&out);
    report_table_sort(&t, "value", NULL);
    report_table_free(&t);
    free(in);
    return 0;
}
