/* records.c - CSV (RFC 4180), JSON Lines and JSON arrays -> JSON records
 * with line numbers, and the UTF-8 check every reader runs first. */
#include "suite/records.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void suite_text_position(const char *text, size_t offset, int *line, int *column)
{
    int l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    /* column counts characters, not bytes: skip UTF-8 continuation bytes */
    int c = 1;
    for (size_t i = start; i < offset; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            c++;
    *column = c;
}

int suite_utf8_check(const char *name, const char *s, size_t len, struct bai_error *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t need;
        unsigned int min;
        if (c == 0) {
            int line, col;
            suite_text_position(s, i, &line, &col);
            bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: NUL byte in a text file", name, line, col);
            return -1;
        }
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            need = 1;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3;
            min = 0x10000;
        } else {
            goto bad;
        }
        unsigned int cp = c & (0x3F >> need);
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += need + 1;
    }
    return 0;
bad:;
    int line, col;
    suite_text_position(s, i, &line, &col);
    bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: not valid UTF-8 (byte 0x%02X); convert the "
                  "file to UTF-8", name, line, col, p[i]);
    return -1;
}

void suite_records_free(struct suite_records *r)
{
    cJSON_Delete(r->rows);
    free(r->lines);
    for (size_t i = 0; i < r->n_columns; i++)
        free(r->columns[i]);
    free(r->columns);
    memset(r, 0, sizeof *r);
}

static void add_row(struct suite_records *r, cJSON *row, int line, size_t *cap)
{
    XGROW(r->lines, r->n + 1, *cap);
    r->lines[r->n++] = line;
    cJSON_AddItemToArray(r->rows, row);
}

/* ---- CSV ---------------------------------------------------------- */

/* Parses one record starting at *pos; cells go to cells (reset first).
 * Returns 1 for a record, 0 at end of input, -1 on error. */
static int csv_record(const char *name, const char *t, size_t len, size_t *pos, int *line,
                      char ***cells, size_t *n, size_t *cap, struct bai_error *err)
{
    size_t i = *pos;
    *n = 0;
    if (i >= len)
        return 0;
    struct buf cell = {0};
    for (;;) {
        buf_reset(&cell);
        buf_puts(&cell, "");
        if (i < len && t[i] == '"') {
            int qline = *line;
            size_t qpos = i;
            i++;
            for (;;) {
                if (i >= len) {
                    int l, c;
                    suite_text_position(t, qpos, &l, &c);
                    bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: quoted field never closed "
                                  "(started on line %d)", name, l, c, qline);
                    buf_free(&cell);
                    return -1;
                }
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        buf_putc(&cell, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (t[i] == '\n')
                    (*line)++;
                buf_putc(&cell, t[i++]);
            }
            if (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                int l, c;
                suite_text_position(t, i, &l, &c);
                bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: unexpected character after a "
                              "closing quote (a '\"' inside a field must be doubled)", name, l, c);
                buf_free(&cell);
                return -1;
            }
        } else {
            size_t s = i;
            while (i < len && t[i] != ',' && t[i] != '\n' && !(t[i] == '\r' && i + 1 < len &&
                                                               t[i + 1] == '\n'))
                i++;
            buf_append(&cell, t + s, i - s);
        }
        XGROW(*cells, *n + 1, *cap);
        (*cells)[(*n)++] = buf_detach(&cell);
        if (i < len && t[i] == ',') {
            i++;
            continue;
        }
        if (i < len && t[i] == '\r')
            i++;
        if (i < len && t[i] == '\n') {
            i++;
            (*line)++;
        }
        break;
    }
    buf_free(&cell);
    *pos = i;
    return 1;
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
}

static int parse_csv(const char *name, const char *t, size_t len, struct suite_records *r,
                     struct bai_error *err)
{
    size_t pos = 0, n = 0, cap = 0, lcap = 0;
    char **cells = NULL;
    int line = 1;
    if (len >= 3 && !memcmp(t, "\xEF\xBB\xBF", 3))
        pos = 3;
    int rc = csv_record(name, t, len, &pos, &line, &cells, &n, &cap, err);
    if (rc <= 0) {
        if (rc == 0)
            bai_error_set(err, BAI_EXIT_USAGE, "%s:1:1: empty CSV file (expected a header row)", name);
        free_cells(cells, n);
        free(cells);
        return -1;
    }
    r->columns = cells;
    r->n_columns = n;
    cells = NULL;
    cap = 0;
    for (;;) {
        int start = line;
        if (pos < len && (t[pos] == '\n' || (t[pos] == '\r' && pos + 1 < len && t[pos + 1] == '\n'))) {
            pos += t[pos] == '\r' ? 2 : 1;   /* blank line */
            line++;
            continue;
        }
        rc = csv_record(name, t, len, &pos, &line, &cells, &n, &cap, err);
        if (rc < 0) {
            free_cells(cells, n);
            free(cells);
            return -1;
        }
        if (rc == 0)
            break;
        if (n != r->n_columns) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:1: row has %zu fields, the header has %zu",
                          name, start, n, r->n_columns);
            free_cells(cells, n);
            free(cells);
            return -1;
        }
        cJSON *row = cJSON_CreateObject();
        for (size_t i = 0; i < n; i++) {
            cJSON_AddItemToObject(row, r->columns[i], cJSON_CreateString(cells[i]));
            free(cells[i]);
        }
        add_row(r, row, start, &lcap);
    }
    free(cells);
    return 0;
}

/* ---- JSON --------------------------------------------------------- */

static void json_error(const char *name, const char *text, const char *at, size_t base,
                       struct bai_error *err, const char *what)
{
    int l, c;
    size_t off = at ? (size_t)(at - text) : base;
    suite_text_position(text, off, &l, &c);
    bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: %s", name, l, c, what);
}

static int parse_jsonl(const char *name, const char *t, size_t len, size_t max, struct suite_records *r,
                       struct bai_error *err)
{
    size_t pos = 0, lcap = 0;
    int line = 0;
    while (pos < len) {
        if (max && r->n == max) {    /* a release of many GB, imported with --limit */
            r->truncated = 1;
            break;
        }
        line++;
        size_t end = pos;
        while (end < len && t[end] != '\n')
            end++;
        size_t s = pos;
        while (s < end && (t[s] == ' ' || t[s] == '\t' || t[s] == '\r'))
            s++;
        if (s < end) {
            const char *ep = NULL;
            cJSON *row = cJSON_ParseWithLengthOpts(t + s, end - s, &ep, 0);
            if (!row || !cJSON_IsObject(row)) {
                int col = 1 + (int)((ep && row == NULL ? ep : t + s) - (t + pos));
                bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: %s", name, line, col,
                              row ? "line is JSON but not an object" : "line is not valid JSON");
                cJSON_Delete(row);
                return -1;
            }
            add_row(r, row, line, &lcap);
        }
        pos = end + 1;
    }
    return 0;
}

/* cJSON keeps no positions, so find where each top-level array element
 * starts with a small scanner (strings and nesting only). */
static size_t *element_offsets(const char *t, size_t len, int object, size_t *n_out)
{
    size_t *offs = NULL, n = 0, cap = 0;
    int depth = 0, in_str = 0, want = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (want && depth == 1 && c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != ']') {
            XGROW(offs, n + 1, cap);
            offs[n++] = i;
            want = 0;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '[' || c == '{') {
            if (++depth == 1 && c == '[' && !object)
                want = 1;
        } else if (c == ']' || c == '}')
            depth--;
        else if (c == (object ? ':' : ',') && depth == 1)
            want = 1;     /* an array's next element, or an object's next value */
    }
    *n_out = n;
    return offs;
}

/* A JSON array of records, or (object) a JSON object whose values are the
 * records: each gets its key as the field "_key" (USACO-bench's problem
 * dictionaries are keyed by problem id). */
static int parse_json(const char *name, const char *t, size_t len, int object, struct suite_records *r,
                      struct bai_error *err)
{
    const char *ep = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(t, len, &ep, 0);
    if (!doc) {
        json_error(name, t, ep, 0, err, "not valid JSON");
        return -1;
    }
    if (object ? !cJSON_IsObject(doc) : !cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        json_error(name, t, NULL, 0, err, object ? "expected a JSON object of records (key: record)"
                                                 : "expected a JSON array of records");
        return -1;
    }
    size_t n_offs = 0, lcap = 0, i = 0;
    size_t *offs = element_offsets(t, len, object, &n_offs);
    cJSON *el;
    while ((el = cJSON_DetachItemFromArray(doc, 0)) != NULL) {
        if (object && cJSON_IsObject(el) && !cJSON_GetObjectItemCaseSensitive(el, "_key"))
            cJSON_AddStringToObject(el, "_key", el->string);
        int l = 1, c = 1;
        if (i < n_offs)
            suite_text_position(t, offs[i], &l, &c);
        if (!cJSON_IsObject(el)) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: record %zu is not a JSON object",
                          name, l, c, i);
            cJSON_Delete(el);
            cJSON_Delete(doc);
            free(offs);
            return -1;
        }
        add_row(r, el, l, &lcap);
        i++;
    }
    cJSON_Delete(doc);
    free(offs);
    return 0;
}

static const char *format_from_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    if (!strcmp(dot, ".csv"))
        return "csv";
    if (!strcmp(dot, ".jsonl") || !strcmp(dot, ".ndjson"))
        return "jsonl";
    if (!strcmp(dot, ".json"))
        return "json";
    return NULL;
}

static int records_parse(const char *name, const char *format, const char *text, size_t len, size_t max,
                         struct suite_records *out, struct bai_error *err);

int suite_records_parse(const char *name, const char *format, const char *text, size_t len,
                        struct suite_records *out, struct bai_error *err)
{
    return records_parse(name, format, text, len, 0, out, err);
}

static int records_parse(const char *name, const char *format, const char *text, size_t len, size_t max,
                         struct suite_records *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    if (!format)
        format = format_from_name(name);
    if (!format) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: cannot tell the format from the name; say "
                      "format: csv, jsonl or json", name);
        return -1;
    }
    if (suite_utf8_check(name, text, len, err) != 0)
        return -1;
    out->rows = cJSON_CreateArray();
    int rc;
    if (!strcmp(format, "csv"))
        rc = parse_csv(name, text, len, out, err);
    else if (!strcmp(format, "jsonl"))
        rc = parse_jsonl(name, text, len, max, out, err);
    else if (!strcmp(format, "json"))
        rc = parse_json(name, text, len, 0, out, err);
    else if (!strcmp(format, "json_object"))
        rc = parse_json(name, text, len, 1, out, err);
    else {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: unknown data format '%s' (known: csv, jsonl, json)",
                      name, format);
        rc = -1;
    }
    if (rc != 0)
        suite_records_free(out);
    return rc;
}

int suite_records_read(const char *path, const char *format, struct suite_records *out,
                       struct bai_error *err)
{
    return suite_records_read_max(path, format, 0, out, err);
}

int suite_records_read_max(const char *path, const char *format, size_t max, struct suite_records *out,
                           struct bai_error *err)
{
    size_t len;
    char *text = fs_read_file(path, &len, err);
    if (!text) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    if (strlen(text) != len) {
        int l, c;
        suite_text_position(text, strlen(text), &l, &c);
        bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: NUL byte in a text file", path, l, c);
        free(text);
        memset(out, 0, sizeof *out);
        return -1;
    }
    int rc = records_parse(path, format, text, len, max, out, err);
    free(text);
    return rc;
}

int suite_records_require(const struct suite_records *r, const char *name,
                          const char *const *cols, struct bai_error *err)
{
    for (size_t k = 0; cols[k]; k++) {
        size_t i;
        for (i = 0; i < r->n_columns; i++)
            if (!strcmp(r->columns[i], cols[k]))
                break;
        if (i == r->n_columns) {
            struct buf b = {0};
            for (i = 0; i < r->n_columns; i++)
                buf_printf(&b, "%s'%s'", i ? ", " : "", r->columns[i]);
            bai_error_set(err, BAI_EXIT_USAGE, "%s:1:1: missing column '%s' (the header has: %s)",
                          name, cols[k], b.data ? b.data : "nothing");
            buf_free(&b);
            return -1;
        }
    }
    return 0;
}
