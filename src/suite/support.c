/* support.c - diagnostics, the PRNG, choice shuffling and
 * the content hash. */
#include "suite/internal.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/sha256.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void suite_diag_add_raw(struct suite_diags *d, const char *file, int line, int column,
                        const char *msg)
{
    if (!d)
        return;
    XGROW(d->v, d->n + 1, d->cap);
    struct suite_diag *g = &d->v[d->n++];
    g->file = xstrdup(file);
    g->line = line;
    g->column = column;
    g->message = xstrdup(msg);
}

void suite_diag_add(struct suite_diags *d, const char *file, int line, int column,
                    const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    suite_diag_add_raw(d, file, line, column, msg);
}

void suite_diags_free(struct suite_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].message);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

struct diag_ref {
    const struct suite_diag *g;
    size_t i;
};

static int cmp_diag(const void *a, const void *b)
{
    const struct diag_ref *x = a, *y = b;
    int c = strcmp(x->g->file, y->g->file);
    if (c)
        return c;
    if (x->g->line != y->g->line)
        return x->g->line < y->g->line ? -1 : 1;
    if (x->g->column != y->g->column)
        return x->g->column < y->g->column ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void suite_diags_sort(struct suite_diags *d, size_t first)
{
    size_t n = d->n - first;
    if (n < 2)
        return;
    struct diag_ref *r = xmalloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i].g = &d->v[first + i];
        r[i].i = i;
    }
    qsort(r, n, sizeof *r, cmp_diag);
    struct suite_diag *tmp = xmalloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = *r[i].g;
    memcpy(d->v + first, tmp, n * sizeof *tmp);
    free(tmp);
    free(r);
}

char *suite_diags_format(const struct suite_diags *d)
{
    struct buf b = {0};
    for (size_t i = 0; i < d->n; i++) {
        const struct suite_diag *g = &d->v[i];
        if (i)
            buf_putc(&b, '\n');
        if (g->line > 0)
            buf_printf(&b, "%s:%d:%d: %s", g->file, g->line, g->column, g->message);
        else
            buf_printf(&b, "%s: %s", g->file, g->message);
    }
    return buf_detach(&b);
}

char *suite_data_path(const char *suite_path, const char *rel, const struct suite_load_options *opts,
                      char **why)
{
    *why = NULL;
    char *dir = fs_dirname(suite_path);
    char *full = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", dir, rel);
    if (opts && opts->allow_outside_source) {
        free(dir);
        return full;
    }
    if (rel[0] == '/') {
        *why = xasprintf("'%s' is an absolute path: a suite reads data only from its own folder "
                         "(%s allows more)", rel, SUITE_ALLOW_OUTSIDE_FLAG);
        free(dir);
        free(full);
        return NULL;
    }
    char *real_dir = realpath(dir, NULL);
    char *real_file = realpath(full, NULL);
    int outside = 0;
    if (real_dir && real_file) {
        size_t n = strlen(real_dir);
        outside = !(strncmp(real_file, real_dir, n) == 0 &&
                    (real_file[n] == '/' || (n == 1 && real_dir[0] == '/')));
    } else if (!real_file) {
        /* missing: refuse a path that climbs out anyway, else let the read
         * say the file is missing */
        for (const char *p = rel; *p;) {
            size_t seg = strcspn(p, "/");
            if (seg == 2 && p[0] == '.' && p[1] == '.')
                outside = 1;
            p += seg + (p[seg] == '/');
        }
    }
    if (outside)
        *why = xasprintf("'%s' is outside the suite's folder %s (symbolic links resolved): a "
                         "suite reads data only from its own folder (%s allows more)", rel,
                         real_dir ? real_dir : dir, SUITE_ALLOW_OUTSIDE_FLAG);
    free(real_dir);
    free(real_file);
    free(dir);
    if (outside) {
        free(full);
        return NULL;
    }
    return full;
}

uint64_t suite_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t suite_fnv1a64(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001B3ULL;
    }
    return h;
}

void suite_shuffle_choices(struct suite_item *it, uint64_t seed)
{
    cJSON *choices = cJSON_GetObjectItemCaseSensitive(it->data, "choices");
    cJSON *correct = cJSON_GetObjectItemCaseSensitive(it->data, "correct");
    int n = cJSON_GetArraySize(choices);
    if (!cJSON_IsArray(choices) || n < 2 || n > 26)
        return;
    int order[26];
    for (int i = 0; i < n; i++)
        order[i] = i;
    /* Fisher-Yates from the top; state = seed + FNV-1a(id). The modulo
     * bias is < n / 2^64, far below anything measurable. */
    uint64_t state = seed + suite_fnv1a64(it->id);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(suite_splitmix64(&state) % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    cJSON *shuffled = cJSON_CreateArray();
    cJSON *rec = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON_AddItemToArray(shuffled, cJSON_Duplicate(cJSON_GetArrayItem(choices, order[i]), 1));
        cJSON_AddItemToArray(rec, cJSON_CreateNumber(order[i]));
    }
    cJSON_ReplaceItemInObjectCaseSensitive(it->data, "choices", shuffled);
    cJSON_AddItemToObject(it->data, "choice_order", rec);
    if (cJSON_IsString(correct) && correct->valuestring[0] >= 'A' &&
        correct->valuestring[0] - 'A' < n) {
        int orig = correct->valuestring[0] - 'A';
        for (int i = 0; i < n; i++)
            if (order[i] == orig) {
                char letter[2] = { (char)('A' + i), 0 };
                cJSON_ReplaceItemInObjectCaseSensitive(it->data, "correct",
                                                       cJSON_CreateString(letter));
            }
    }
}

/* ---- hashing ------------------------------------------------------- */

static int cmp_json_key(const void *a, const void *b)
{
    const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* Sorts object keys (bytewise) at every level, in place. */
static void sort_keys(cJSON *j)
{
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return;
    size_t n = 0;
    for (cJSON *c = j->child; c; c = c->next) {
        sort_keys(c);
        n++;
    }
    if (!cJSON_IsObject(j) || n < 2)
        return;
    cJSON **v = xmalloc(n * sizeof *v);
    size_t i = 0;
    for (cJSON *c = j->child; c; c = c->next)
        v[i++] = c;
    qsort(v, n, sizeof *v, cmp_json_key);
    for (i = 0; i < n; i++) {
        v[i]->prev = i ? v[i - 1] : v[n - 1];   /* cJSON: child->prev is the last item */
        v[i]->next = i + 1 < n ? v[i + 1] : NULL;
    }
    j->child = v[0];
    free(v);
}

/* Canonical JSON written straight into a buffer: the same text
 * cJSON_PrintUnformatted gives for the key-sorted document (same string
 * escapes, same number format), without building a tree per item. */
static void canon_string(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 32 && c != '"' && c != '\\')
            continue;
        buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\b': buf_puts(b, "\\b"); break;
        case '\f': buf_puts(b, "\\f"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default: buf_printf(b, "\\u%04x", c);
        }
    }
    buf_append(b, run, (size_t)(s - run));
    buf_putc(b, '"');
}

static void canon_number(struct buf *b, double d)
{
    char tmp[32];
    if (isnan(d) || isinf(d)) {
        buf_puts(b, "null");
        return;
    }
    if (d >= INT_MIN && d <= INT_MAX && d == (double)(int)d) {
        buf_printf(b, "%d", (int)d);
        return;
    }
    snprintf(tmp, sizeof tmp, "%1.15g", d);
    double back = strtod(tmp, NULL);
    if (fabs(back - d) > fmax(fabs(back), fabs(d)) * DBL_EPSILON)
        snprintf(tmp, sizeof tmp, "%1.17g", d);
    buf_puts(b, tmp);
}

static void canon_json(struct buf *b, const cJSON *j)
{
    if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
        int obj = cJSON_IsObject(j);
        buf_putc(b, obj ? '{' : '[');
        for (const cJSON *c = j->child; c; c = c->next) {
            if (c != j->child)
                buf_putc(b, ',');
            if (obj) {
                canon_string(b, c->string);
                buf_putc(b, ':');
            }
            canon_json(b, c);
        }
        buf_putc(b, obj ? '}' : ']');
    } else if (cJSON_IsString(j)) {
        canon_string(b, j->valuestring);
    } else if (cJSON_IsNumber(j)) {
        canon_number(b, j->valuedouble);
    } else if (cJSON_IsBool(j)) {
        buf_puts(b, cJSON_IsTrue(j) ? "true" : "false");
    } else {
        buf_puts(b, "null");
    }
}

/* ,"images":[{"mime":M,"sha256":H},...] when there are images: the bytes'
 * hash, not the path, so moving a file changes nothing and changing a pixel
 * changes the hash. Absent (not []) without images, so suites without
 * images keep the hashes they had. */
static void canon_images(struct buf *b, const struct suite_image *v, size_t n)
{
    if (!n)
        return;
    buf_puts(b, ",\"images\":[");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ",{\"mime\":" : "{\"mime\":");
        canon_string(b, v[i].mime);
        buf_puts(b, ",\"sha256\":");
        canon_string(b, v[i].sha256);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* One item's canonical object, keys in byte order (data sorted in place
 * first: scorers do not depend on key order). */
static void item_canonical(struct buf *b, struct suite_item *it)
{
    sort_keys(it->data);
    buf_puts(b, "{\"data\":");
    canon_json(b, it->data);
    buf_puts(b, ",\"id\":");
    canon_string(b, it->id);
    canon_images(b, it->images, it->n_images);
    buf_puts(b, ",\"max_tokens\":");
    canon_number(b, it->max_tokens);
    if (it->messages) {
        buf_puts(b, ",\"messages\":[");
        for (size_t i = 0; i < it->n_messages; i++) {
            buf_puts(b, i ? ",{\"content\":" : "{\"content\":");
            canon_string(b, it->messages[i].content);
            canon_images(b, it->messages[i].images, it->messages[i].n_images);
            buf_puts(b, ",\"role\":");
            canon_string(b, it->messages[i].role);
            buf_putc(b, '}');
        }
        buf_putc(b, ']');
    }
    buf_puts(b, it->chat ? ",\"mode\":\"chat\"" : ",\"mode\":\"completion\"");
    if (it->prompt) {
        buf_puts(b, ",\"prompt\":");
        canon_string(b, it->prompt);
    }
    buf_puts(b, ",\"reps\":");
    canon_number(b, it->reps);
    buf_puts(b, ",\"scorer\":");
    canon_string(b, it->scorer);
    buf_puts(b, ",\"stop\":[");
    for (size_t i = 0; i < it->n_stop; i++) {
        if (i)
            buf_putc(b, ',');
        canon_string(b, it->stop[i]);
    }
    buf_puts(b, "],\"system\":");
    if (it->system)
        canon_string(b, it->system);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"temperature\":");
    canon_number(b, it->temperature);
    buf_puts(b, ",\"tier\":");
    canon_number(b, it->tier);
    if (it->time_limit_s > 0) {     /* absent when unset: older hashes stay */
        buf_puts(b, ",\"time_limit_s\":");
        canon_number(b, it->time_limit_s);
    }
    buf_putc(b, '}');
}

void suite_compute_hash(struct suite *s)
{
    /* The hashed text is the canonical JSON
     * {"items":[...],"kind":K,"name":N,"speed":S,"version":V}, streamed
     * item by item so a large suite is never printed whole. */
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, "{\"items\":[", 10);
    struct buf b = {0};
    for (size_t i = 0; i < s->n_items; i++) {
        buf_reset(&b);
        if (i)
            buf_putc(&b, ',');
        item_canonical(&b, &s->items[i]);
        sha256_update(&h, b.data, b.len);
    }
    buf_free(&b);
    cJSON *tail = cJSON_CreateObject();
    cJSON_AddStringToObject(tail, "kind", s->kind);
    cJSON_AddStringToObject(tail, "name", s->name);
    if (!strcmp(s->kind, "speed")) {
        cJSON *sp = cJSON_AddObjectToObject(tail, "speed");
        cJSON_AddBoolToObject(sp, "ignore_eos", s->speed.ignore_eos);
        cJSON_AddNumberToObject(sp, "pp", s->speed.pp);
        cJSON_AddNumberToObject(sp, "tg", s->speed.tg);
    } else {
        cJSON_AddNullToObject(tail, "speed");
    }
    cJSON_AddNumberToObject(tail, "version", s->version);
    char *txt = cJSON_PrintUnformatted(tail);
    /* txt is {"kind":...}: continue the outer object after the items */
    sha256_update(&h, "],", 2);
    sha256_update(&h, txt + 1, strlen(txt) - 1);
    free(txt);
    cJSON_Delete(tail);
    unsigned char d[32];
    sha256_final(&h, d);
    sha256_to_hex(d, s->hash);
}
