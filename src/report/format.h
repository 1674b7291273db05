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
