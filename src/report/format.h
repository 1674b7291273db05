/* format.h - one small table model (rows x named columns of text cells, with
 * an optional number per cell) rendered as Markdown, CSV, JSON or HTML.
 * Owns: rendering, escaping and sorting, the one rule for null in every
 * command's JSON output, the "3 of 5" items text. Does not own: what goes
 * into the cells (points.c, the report commands build them). */
#ifndef BAI_REPORT_FORMAT_H
#define BAI_REPORT_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"
#include "util/mem.h"

enum report_fmt { REPORT_FMT_MD = 0, REPORT_FMT_CSV, REPORT_FMT_JSON };

/* "md" | "csv" | "json" -> *out; -1 and err (usage) otherwise. */
int report_fmt_parse(const char *s, enum report_fmt *out, struct bai_error *err);

struct report_cell {
    char *text;        /* shown in md/csv/html; NULL = empty ("-" in md) */
    double num;        /* value used for sorting and for JSON when has_num */
    int has_num;
    int bold;          /* md: **text**, html: <b> */
};

struct report_table {
    size_t ncols, nrows, cap;
    char **cols;                 /* column names, also the JSON keys */
    struct report_cell *cells;   /* nrows * ncols, row-major */
};

void report_table_init(struct report_table *t, size_t ncols, const char *const *cols);
void report_table_free(struct report_table *t);
/* Appends an empty row and returns its index. */
size_t report_table_add_row(struct report_table *t);
struct report_cell *report_table_cell(struct report_table *t, size_t row, size_t col);
void report_table_set(struct report_table *t, size_t row, size_t col, const char *text);
void report_table_setf(struct report_table *t, size_t row, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets a numeric cell: the number is kept for sorting/JSON, the text is
 * printf(fmt, num) ("-" is shown when num is NaN). */
void report_table_set_num(struct report_table *t, size_t row, size_t col, double num,
                          const char *fmt);
/* Column index by name (case-insensitive), -1 when absent. */
int report_table_col(const struct report_table *t, const char *name);

/* Sorts rows by the column named in spec: "COL", "COL:asc" or "COL:desc".
 * Without a direction numeric columns sort descending (best first for
 * scores and tokens/s) and text columns ascending. Cells without a number
 * sort last either way. Stable. -1 with err (usage, naming the columns)
 * when the column is unknown. */
int report_table_sort(struct report_table *t, const char *spec, struct bai_error *err);

void report_table_md(const struct report_table *t, struct buf *out);
void report_table_csv(const struct report_table *t, struct buf *out);
/* A JSON array of objects, one per row: numeric cells as numbers, empty
 * cells as null, others as strings. */
void report_table_json(const struct report_table *t, struct buf *out);
/* An HTML <table> (escaped), with class attribute cls (may be NULL). */
void report_table_html(const struct report_table *t, const char *cls, struct buf *out);
void report_table_render(const struct report_table *t, enum report_fmt fmt, struct buf *out);

/* "3 of 5" when fewer items ran than the suite has (--limit, --shard, a
 * stopped run), else "5"; total 0 = not recorded ("3"). Allocated. */
char *report_items_text(size_t run, int64_t total);

/* Appends s with &, <, >, ", ' escaped for HTML text and attributes. */
void report_html_escape(struct buf *out, const char *s);

/* --- escaping for the files benchai writes (one rule per format) ----------
 * CSV: RFC 4180 quoting, and the OWASP rule against formula injection: a
 * cell that starts with =, +, -, @, tab or carriage return (a model's
 * "=HYPERLINK(...)", a model named "=1+2") gets a leading ' so a
 * spreadsheet shows it as text instead of running it. A cell that is a
 * plain decimal number ("-3.5", "+2", "1e-3") is left as it is: no
 * spreadsheet runs a number. report_csv_set_raw(1) (--csv-raw) turns the
 * rule off for the whole process. Control characters are shown as "\x1b"
 * (util/escape.h): the lossless format is JSON. */
void report_csv_field(struct buf *out, const char *s);
void report_csv_set_raw(int raw);
/* Markdown table cell text: | and [ backslash-escaped (no cell breaks, no
 * links or images a renderer would load), < where it would open a tag,
 * comment or autolink (<script>, <img onerror=...>, </, <!) and & where it
 * would start an entity, written as &lt; and &amp; (so "a < b" stays as it
 * is), line breaks as spaces unless br_newlines ("<br>"), control
 * characters shown as "\x1b". */
void report_md_escape(struct buf *out, const char *s, int br_newlines);
/* XML 1.0 text and attribute values (SVG): &, <, >, ", ' as entities, and
 * the characters XML 1.0 cannot hold at all (C0 controls but tab and line
 * breaks, U+FFFE/U+FFFF, invalid UTF-8) as U+FFFD, so the document is
 * well-formed whatever the name. */
void report_xml_escape(struct buf *out, const char *s);
/* s made valid UTF-8 (U+FFFD for what is not), allocated; for text from
 * stores written before answers were repaired on arrival. */
char *report_utf8(const char *s);

/* --- JSON output: the one rule for null ------------------------------------
 * Every command that writes JSON (show, export, compare, table, ...) uses
 * these, so "null" means the same everywhere: a figure that could not be
 * computed (NaN, an infinity) is null, and so is a measurement the store
 * records as "not measured" (negative; see store.h). Never a made-up 0. */
struct cJSON;
/* v, or null when v is NaN or infinite (a figure that was not computed). */
void report_json_num(struct cJSON *o, const char *key, double v);
/* Like report_json_num, and also null when v < 0: the store's "not measured"
 * for timings, token counts and draft counts, which are never negative. */
void report_json_measured(struct cJSON *o, const char *key, double v);
/* s, or null when s is NULL. */
void report_json_str(struct cJSON *o, const char *key, const char *s);
/* Appends doc (indented when pretty, else one line) and a newline to out,
 * then deletes doc. */
void report_json_emit(struct cJSON *doc, int pretty, struct buf *out);

#endif
