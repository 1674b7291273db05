/* records.h - reading tabular data files into JSON records with the line
 * each record starts on: RFC 4180 CSV, JSON Lines and JSON arrays, plus a
 * UTF-8 check. Shared by source: items and the importers.
 *
 * Owns: the cJSON arrays and line arrays it returns (caller frees).
 * Does not own: what the fields mean.
 */
#ifndef BAI_SUITE_RECORDS_H
#define BAI_SUITE_RECORDS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "util/error.h"

/* 0 when s[0..len) is valid UTF-8, else -1 with
 * "name:line:column: not valid UTF-8 (byte 0xE9)" in err. */
int suite_utf8_check(const char *name, const char *s, size_t len, struct bai_error *err);

/* 1-based line and column of offset in text. */
void suite_text_position(const char *text, size_t offset, int *line, int *column);

struct suite_records {
    cJSON *rows;      /* array of objects */
    int *lines;       /* lines[i]: the line record i starts on */
    size_t n;
    char **columns;   /* CSV only: header names, n_columns of them */
    size_t n_columns;
    int truncated;    /* suite_records_read_max stopped at its maximum */
};

/* Reads path as format "csv", "jsonl" or "json" (NULL: from the
 * extension). CSV: first row is the header; every cell is a string;
 * multi-line quoted fields allowed; a row with a different number of
 * fields is an error. JSON: a top-level array of objects. Errors name
 * file:line:column and what is wrong. */
int suite_records_read(const char *path, const char *format, struct suite_records *out,
                       struct bai_error *err);
/* suite_records_read, but JSON Lines stop after max records (0: all; the
 * other formats read everything): importing the first N problems of a
 * release of several GB parses only those. format "json_object" reads a
 * JSON object whose values are the records (each gets its key as "_key"). */
int suite_records_read_max(const char *path, const char *format, size_t max, struct suite_records *out,
                           struct bai_error *err);
/* The same on text in memory (name is used in messages). */
int suite_records_parse(const char *name, const char *format, const char *text, size_t len,
                        struct suite_records *out, struct bai_error *err);
void suite_records_free(struct suite_records *r);

/* For CSV records: -1 with "file:1: missing column 'X' (the header has: ...)"
 * unless every name in cols[] is a header column. */
int suite_records_require(const struct suite_records *r, const char *name,
                          const char *const *cols, struct bai_error *err);

#endif
