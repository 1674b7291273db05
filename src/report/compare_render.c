/* compare_render.c - a compare_result as aligned Markdown, CSV or JSON. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "report/figures.h"

static const char *const speed_keys[COMPARE_SPEED_N] = {
    "gen_tps", "ttft_p50_ms", "ttft_p95_ms", "draft_acceptance", "prompt_tps_p50"
};
static const char *const speed_titles[COMPARE_SPEED_N] = {
    "gen tokens/s p50", "TTFT p50 (ms)", "TTFT p95 (ms)", "draft acceptance", "prompt tokens/s p50"
};

const char *compare_speed_key(enum compare_speed_metric m)
{
    return m < COMPARE_SPEED_N ? speed_keys[m] : "?";
}

const char *compare_speed_title(enum compare_speed_metric m)
{
    return m < COMPARE_SPEED_N ? speed_titles[m] : "?";
}

/* --- aligned markdown ------------------------------------------------------ */

static size_t utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

static const char *cell_text(const struct report_cell *c)
{
    return c->text && *c->text ? c->text : "-";
}

/* A cell as Markdown (report_md_escape: no raw HTML, no cell breaks,
 * control characters visible), padded to width columns. */
static void put_padded(struct buf *out, const char *s, size_t width)
{
    struct buf e = {0};
    report_md_escape(&e, s, 0);
    const char *t = e.data ? e.data : "";
    buf_puts(out, t);
    for (size_t w = utf8_width(t); w < width; w++)
        buf_putc(out, ' ');
    buf_free(&e);
}

static size_t md_len(const char *s)
{
    struct buf e = {0};
    report_md_escape(&e, s, 0);
    size_t w = utf8_width(e.data ? e.data : "");
    buf_free(&e);
    return w;
}

void compare_table_md_aligned(const struct report_table *t, struct buf *out)
{
    size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof *w);
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = md_len(t->cols[c]);
        if (w[c] < 3)
            w[c] = 3;
        for (size_t r = 0; r < t->nrows; r++) {
            size_t l = md_len(cell_text(&t->cells[r * t->ncols + c]));
            if (l > w[c])
                w[c] = l;
        }
    }
    buf_putc(out, '|');
    for (size_t c = 0; c < t->ncols; c++) {
        buf_putc(out, ' ');
        put_padded(out, t->cols[c], w[c]);
        buf_puts(out, " |");
    }
    buf_puts(out, "\n|");
    for (size_t c = 0; c < t->ncols; c++) {
        for (size_t i = 0; i < w[c] + 2; i++)
            buf_putc(out, '-');
        buf_putc(out, '|');
    }
    buf_putc(out, '\n');
    for (size_t r = 0; r < t->nrows; r++) {
        buf_putc(out, '|');
        for (size_t c = 0; c < t->ncols; c++) {
            buf_putc(out, ' ');
            put_padded(out, cell_text(&t->cells[r * t->ncols + c]), w[c]);
            buf_puts(out, " |");
        }
        buf_putc(out, '\n');
    }
    free(w);
}

/* --- shared cell text ---------------------------------------------------- */

static char *suite_label(const struct compare_suite *cs)
{
    int v = cs->version_a ? cs->version_a : cs->version_b;
    if (cs->version_a && cs->version_b && cs->version_a != cs->version_b)
        return xasprintf("%s v%d/v%d", cs->name, cs->version_a, cs->version_b);
    return xasprintf("%s v%d", cs->name, v);
}

/* "3 only in A; 1 excluded in B (error or unscored)" plus the suite note. */
static char *suite_note(const struct compare_suite *cs)
{
    struct buf b = {0};
    if (cs->note)
        buf_puts(&b, cs->note);
    if (cs->paired) {
        if (cs->only_a)
            buf_printf(&b, "%s%zu only in A", b.len ? "; " : "", cs->only_a);
        if (cs->only_b)
            buf_printf(&b, "%s%zu only in B", b.len ? "; " : "", cs->only_b);
        if (cs->excluded_a || cs->excluded_b)
            buf_printf(&b, "%sexcluded (unscored%s): %zu in A, %zu in B",
                       b.len ? "; " : "", cs->failed_a + cs->failed_b == 0 ? " or failed" : "",
                       cs->excluded_a, cs->excluded_b);
        if (cs->failed_a || cs->failed_b)
            buf_printf(&b, "%sfailed or timed-out requests counted as failures: %zu in A, %zu in B",
                       b.len ? "; " : "", cs->failed_a, cs->failed_b);
    }
    return b.len ? buf_detach(&b) : NULL;
}

static double pct_level(const struct compare_result *r)
{
    return 100.0 * (1.0 - r->alpha);
}

size_t compare_passk_table(const struct compare_pair *p, struct report_table *t,
                           struct buf *notes, const char *prefix)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_suites; s++) {
        const struct compare_suite *cs = &p->suites[s];
        if (!cs->has_passk)
            continue;
        if (!n++) {
            static const char *const cols[] = {"suite", "scorer", "k", "A %", "B %", "Δ pp"};
            report_table_init(t, 6, cols);
        }
        char *label = suite_label(cs);
        for (size_t k = 0; k < cs->passk_a.n_k; k++) {
            size_t row = report_table_add_row(t);
            char name[16];
            report_passk_name(cs->passk_a.k[k], name);
            report_table_set(t, row, 0, label);
            report_table_set(t, row, 1, cs->scorer);
            report_table_set(t, row, 2, name);
            report_table_set_num(t, row, 3, 100 * cs->passk_a.value[k], "%.1f");
            report_table_set_num(t, row, 4, 100 * cs->passk_b.value[k], "%.1f");
            report_table_set_num(t, row, 5, 100 * (cs->passk_b.value[k] - cs->passk_a.value[k]),
                                 "%+.1f");
        }
        char *note = notes ? report_passk_note(&cs->passk_a) : NULL;
        if (note)
            buf_printf(notes, "%s%s (%s): %s\n", prefix ? prefix : "", label, cs->scorer, note);
        free(note);
        free(label);
    }
    return n;
}

/* --- markdown ---------------------------------------------------------------- */

static void md_trimmed_output(struct buf *out, const char *label, const char *s)
{
    const size_t max = 400;
    buf_printf(out, "      %s: ", label);
    size_t i = 0;
    for (; s[i] && i < max; i++) {
        if (s[i] == '\n')
            buf_puts(out, "\\n");
        else if (s[i] != '\r')
            buf_putc(out, s[i]);
    }
    if (s[i])
        buf_printf(out, " ... (%zu more bytes)", strlen(s + i));
    buf_putc(out, '\n');
}

static void md_pair(const struct compare_result *r, const struct compare_pair *p, int show_flips,
                    struct buf *out)
{
    char ci[32];
    snprintf(ci, sizeof ci, "%g%% CI", pct_level(r));
    if (!strcmp(p->label_a, p->label_b))
        buf_printf(out, "\n## config '%s': %zu paired items\n\n", p->label_a, p->n_common);
    else
        buf_printf(out, "\n## config '%s' (A) vs '%s' (B): %zu paired items\n\n", p->label_a,
                   p->label_b, p->n_common);
    const char *cols[] = {"suite", "scorer", "items", "A %", "B %", "Δ pp", ci,
                          "McNemar p", "pass→fail", "fail→pass", "note"};
    struct report_table t;
    report_table_init(&t, 11, cols);
    for (size_t s = 0; s < p->n_suites; s++) {
        const struct compare_suite *cs = &p->suites[s];
        size_t row = report_table_add_row(&t);
        char *label = suite_label(cs), *note = suite_note(cs);
        report_table_set(&t, row, 0, label);
        report_table_set(&t, row, 1, cs->scorer);
        if (cs->paired)
            report_table_setf(&t, row, 2, "%zu", cs->n_paired);
        report_table_set_num(&t, row, 3, cs->score_a, "%.1f");
        report_table_set_num(&t, row, 4, cs->score_b, "%.1f");
        report_table_set_num(&t, row, 5, cs->delta, "%+.1f");
        if (!isnan(cs->delta_lo))
            report_table_setf(&t, row, 6, "[%+.1f, %+.1f]", cs->delta_lo, cs->delta_hi);
        if (!isnan(cs->mcnemar_p))
            report_table_setf(&t, row, 7, "%.3g", cs->mcnemar_p);
        if (cs->n_pass_fail) {
            report_table_setf(&t, row, 8, "%lld", (long long)cs->pass_to_fail);
            report_table_setf(&t, row, 9, "%lld", (long long)cs->fail_to_pass);
        }
        report_table_set(&t, row, 10, note);
        free(label);
        free(note);
    }
    compare_table_md_aligned(&t, out);
    report_table_free(&t);

    struct buf notes = {0};
    if (compare_passk_table(p, &t, &notes, "note: ")) {
        buf_puts(out, "\npass@k over the paired items (unbiased estimator; Δ = B - A):\n\n");
        compare_table_md_aligned(&t, out);
        report_table_free(&t);
        if (notes.len)
            buf_puts(out, notes.data);
    }
    buf_free(&notes);

    const char *scols[] = {"speed (paired items)", "A", "B", "B/A", ci, "n A", "n B"};
    report_table_init(&t, 7, scols);
    for (int k = 0; k < COMPARE_SPEED_N; k++) {
        const struct compare_speed *sp = &p->speed[k];
        if (!sp->n_a && !sp->n_b)
            continue;
        size_t row = report_table_add_row(&t);
        report_table_set(&t, row, 0, speed_titles[k]);
        const char *fmt = k == COMPARE_ACCEPT ? "%.3f" : "%.1f";
        report_table_set_num(&t, row, 1, sp->a, fmt);
        report_table_set_num(&t, row, 2, sp->b, fmt);
        report_table_set_num(&t, row, 3, sp->ratio, "%.3f");
        if (sp->ok)
            report_table_setf(&t, row, 4, "[%.3f, %.3f]", sp->lo, sp->hi);
        report_table_setf(&t, row, 5, "%zu", sp->n_a);
        report_table_setf(&t, row, 6, "%zu", sp->n_b);
    }
    /* one figure per side (the first server start): no interval */
    const struct { const char *title; double a, b; } once[] = {
        { "load time, first start (s)", p->load_ms_a / 1000, p->load_ms_b / 1000 },
        { "first request gen tokens/s", p->first_tps_a, p->first_tps_b },
    };
    for (size_t k = 0; k < sizeof once / sizeof once[0]; k++) {
        if (isnan(once[k].a) && isnan(once[k].b))
            continue;
        size_t row = report_table_add_row(&t);
        report_table_set(&t, row, 0, once[k].title);
        report_table_set_num(&t, row, 1, once[k].a, k ? "%.1f" : "%.2f");
        report_table_set_num(&t, row, 2, once[k].b, k ? "%.1f" : "%.2f");
        report_table_set_num(&t, row, 3, once[k].b / once[k].a, "%.3f");
        report_table_set(&t, row, 4, "(one start)");
        report_table_set(&t, row, 5, "1");
        report_table_set(&t, row, 6, "1");
    }
    if (t.nrows) {
        buf_putc(out, '\n');
        compare_table_md_aligned(&t, out);
    }
    report_table_free(&t);

    if (!show_flips)
        return;
    for (size_t s = 0; s < p->n_suites; s++) {
        const struct compare_suite *cs = &p->suites[s];
        if (!cs->n_flips)
            continue;
        buf_printf(out, "\nflipped items in %s (%s):\n", cs->name, cs->scorer);
        for (size_t f = 0; f < cs->n_flips; f++) {
            const struct compare_flip *fl = &cs->flips[f];
            buf_printf(out, "  %s  %s#%d\n", fl->to_pass ? "fail→pass" : "pass→fail",
                       fl->item_id, fl->rep);
            if (fl->output_a)
                md_trimmed_output(out, "A", fl->output_a);
            if (fl->output_b)
                md_trimmed_output(out, "B", fl->output_b);
        }
    }
}

static void render_md(const struct compare_result *r, int show_flips, struct buf *out)
{
    buf_printf(out, "# compare  A = %s  B = %s\n\n", r->run_a, r->run_b);
    buf_printf(out, "Δ = B - A in percentage points with a paired bootstrap %g%% CI "
               "(%d resamples, seed %llu); McNemar exact p over pass/fail items; "
               "speed as B/A ratios with bootstrap CIs.\n",
               pct_level(r), r->resamples, (unsigned long long)r->seed);
    buf_printf(out, "Scores: %s.\n", r->exclude_failed ? report_exclude_failed_note
                                                      : "a request that failed or timed out is a failure (worth 0)");
    for (size_t p = 0; p < r->n_pairs; p++) {
        char *w = compare_pair_differences_text(&r->pairs[p]);
        if (w)
            buf_printf(out, "\n**warning**: %s; the deltas compare different setups.\n", w);
        free(w);
    }
    for (size_t p = 0; p < r->n_pairs; p++)
        md_pair(r, &r->pairs[p], show_flips, out);
    if (r->n_notes) {
        buf_puts(out, "\nnotes:\n");
        for (size_t i = 0; i < r->n_notes; i++)
            buf_printf(out, "  - %s\n", r->notes[i]);
    }
}

/* --- csv ------------------------------------------------------------------- */

static void render_csv(const struct compare_result *r, struct buf *out)
{
    const char *cols[] = {"run_a", "run_b", "config_a", "config_b", "suite", "version_a",
                          "version_b", "scorer", "metric", "n", "a", "b", "delta_pp",
                          "ratio", "lo", "hi", "mcnemar_p", "pass_to_fail", "fail_to_pass",
                          "only_a", "only_b", "excluded_a", "excluded_b", "note"};
    struct report_table t;
    report_table_init(&t, sizeof cols / sizeof cols[0], cols);
    for (size_t p = 0; p < r->n_pairs; p++) {
        const struct compare_pair *cp = &r->pairs[p];
        for (size_t s = 0; s < cp->n_suites; s++) {
            const struct compare_suite *cs = &cp->suites[s];
            size_t row = report_table_add_row(&t);
            char *note = suite_note(cs);
            report_table_set(&t, row, 0, r->run_a);
            report_table_set(&t, row, 1, r->run_b);
            report_table_set(&t, row, 2, cp->label_a);
            report_table_set(&t, row, 3, cp->label_b);
            report_table_set(&t, row, 4, cs->name);
            if (cs->version_a)
                report_table_setf(&t, row, 5, "%d", cs->version_a);
            if (cs->version_b)
                report_table_setf(&t, row, 6, "%d", cs->version_b);
            report_table_set(&t, row, 7, cs->scorer);
            report_table_set(&t, row, 8, "score");
            report_table_setf(&t, row, 9, "%zu", cs->n_paired);
            report_table_set_num(&t, row, 10, cs->score_a, "%.6g");
            report_table_set_num(&t, row, 11, cs->score_b, "%.6g");
            report_table_set_num(&t, row, 12, cs->delta, "%.6g");
            report_table_set_num(&t, row, 14, cs->delta_lo, "%.6g");
            report_table_set_num(&t, row, 15, cs->delta_hi, "%.6g");
            report_table_set_num(&t, row, 16, cs->mcnemar_p, "%.6g");
            if (cs->n_pass_fail) {
                report_table_setf(&t, row, 17, "%lld", (long long)cs->pass_to_fail);
                report_table_setf(&t, row, 18, "%lld", (long long)cs->fail_to_pass);
            }
            report_table_setf(&t, row, 19, "%zu", cs->only_a);
            report_table_setf(&t, row, 20, "%zu", cs->only_b);
            report_table_setf(&t, row, 21, "%zu", cs->excluded_a);
            report_table_setf(&t, row, 22, "%zu", cs->excluded_b);
            report_table_set(&t, row, 23, note);
            free(note);
            for (size_t k = 0; cs->has_passk && k < cs->passk_a.n_k; k++) {
                char name[16];
                report_passk_name(cs->passk_a.k[k], name);
                row = report_table_add_row(&t);
                report_table_set(&t, row, 0, r->run_a);
                report_table_set(&t, row, 1, r->run_b);
                report_table_set(&t, row, 2, cp->label_a);
                report_table_set(&t, row, 3, cp->label_b);
                report_table_set(&t, row, 4, cs->name);
                report_table_setf(&t, row, 5, "%d", cs->version_a);
                report_table_setf(&t, row, 6, "%d", cs->version_b);
                report_table_set(&t, row, 7, cs->scorer);
                report_table_set(&t, row, 8, name);
                report_table_setf(&t, row, 9, "%zu", cs->passk_a.n_items);
                report_table_set_num(&t, row, 10, 100 * cs->passk_a.value[k], "%.6g");
                report_table_set_num(&t, row, 11, 100 * cs->passk_b.value[k], "%.6g");
                report_table_set_num(&t, row, 12,
                                     100 * (cs->passk_b.value[k] - cs->passk_a.value[k]), "%.6g");
            }
        }
        for (int k = 0; k < COMPARE_SPEED_N; k++) {
            const struct compare_speed *sp = &cp->speed[k];
            if (!sp->n_a && !sp->n_b)
                continue;
            size_t row = report_table_add_row(&t);
            report_table_set(&t, row, 0, r->run_a);
            report_table_set(&t, row, 1, r->run_b);
            report_table_set(&t, row, 2, cp->label_a);
            report_table_set(&t, row, 3, cp->label_b);
            report_table_set(&t, row, 8, speed_keys[k]);
            report_table_setf(&t, row, 9, "%zu", sp->n_a < sp->n_b ? sp->n_a : sp->n_b);
            report_table_set_num(&t, row, 10, sp->a, "%.6g");
            report_table_set_num(&t, row, 11, sp->b, "%.6g");
            report_table_set_num(&t, row, 13, sp->ratio, "%.6g");
            report_table_set_num(&t, row, 14, sp->lo, "%.6g");
            report_table_set_num(&t, row, 15, sp->hi, "%.6g");
        }
    }
    report_table_csv(&t, out);
    report_table_free(&t);
}

/* --- json ------------------------------------------------------------------ */

static cJSON *json_suite(const struct compare_suite *cs, int show_flips)
{
    cJSON *o = cJSON_CreateObject();
    report_json_str(o, "suite", cs->name);
    cJSON_AddNumberToObject(o, "version_a", cs->version_a);
    cJSON_AddNumberToObject(o, "version_b", cs->version_b);
    report_json_str(o, "sha256_a", cs->sha_a[0] ? cs->sha_a : NULL);
    report_json_str(o, "sha256_b", cs->sha_b[0] ? cs->sha_b : NULL);
    report_json_str(o, "scorer", cs->scorer);
    cJSON_AddBoolToObject(o, "paired", cs->paired);
    cJSON_AddBoolToObject(o, "forced", cs->forced);
    report_json_str(o, "note", cs->note);
    cJSON_AddNumberToObject(o, "n_paired", (double)cs->n_paired);
    cJSON_AddNumberToObject(o, "only_a", (double)cs->only_a);
    cJSON_AddNumberToObject(o, "only_b", (double)cs->only_b);
    cJSON_AddNumberToObject(o, "excluded_a", (double)cs->excluded_a);
    cJSON_AddNumberToObject(o, "excluded_b", (double)cs->excluded_b);
    cJSON_AddNumberToObject(o, "failed_a", (double)cs->failed_a);
    cJSON_AddNumberToObject(o, "failed_b", (double)cs->failed_b);
    cJSON_AddBoolToObject(o, "graded", cs->graded);
    report_json_num(o, "score_a", cs->score_a);
    report_json_num(o, "score_b", cs->score_b);
    report_json_num(o, "delta_pp", cs->delta);
    report_json_num(o, "delta_lo", cs->delta_lo);
    report_json_num(o, "delta_hi", cs->delta_hi);
    cJSON_AddBoolToObject(o, "pass_fail", cs->pass_fail);
    cJSON_AddNumberToObject(o, "n_pass_fail", (double)cs->n_pass_fail);
    cJSON_AddNumberToObject(o, "pass_to_fail", (double)cs->pass_to_fail);
    cJSON_AddNumberToObject(o, "fail_to_pass", (double)cs->fail_to_pass);
    report_json_num(o, "mcnemar_p", cs->mcnemar_p);
    if (cs->has_passk) {
        cJSON *pk = cJSON_AddObjectToObject(o, "pass_at_k");
        cJSON_AddItemToObject(pk, "a", report_passk_json(&cs->passk_a, 100));
        cJSON_AddItemToObject(pk, "b", report_passk_json(&cs->passk_b, 100));
        cJSON *d = cJSON_AddObjectToObject(pk, "delta_pp");
        for (size_t k = 0; k < cs->passk_a.n_k; k++) {
            char key[16];
            snprintf(key, sizeof key, "%d", cs->passk_a.k[k]);
            report_json_num(d, key, 100 * (cs->passk_b.value[k] - cs->passk_a.value[k]));
        }
    }
    if (show_flips) {
        cJSON *arr = cJSON_AddArrayToObject(o, "flipped");
        for (size_t f = 0; f < cs->n_flips; f++) {
            const struct compare_flip *fl = &cs->flips[f];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "item_id", fl->item_id);
            cJSON_AddNumberToObject(x, "rep", fl->rep);
            cJSON_AddStringToObject(x, "direction", fl->to_pass ? "fail_to_pass"
                                                                : "pass_to_fail");
            if (fl->output_a)
                cJSON_AddStringToObject(x, "output_a", fl->output_a);
            if (fl->output_b)
                cJSON_AddStringToObject(x, "output_b", fl->output_b);
            cJSON_AddItemToArray(arr, x);
        }
    }
    return o;
}

static void render_json(const struct compare_result *r, int show_flips, struct buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "run_a", r->run_a);
    cJSON_AddStringToObject(root, "run_b", r->run_b);
    cJSON_AddNumberToObject(root, "resamples", r->resamples);
    cJSON_AddNumberToObject(root, "seed", (double)r->seed);
    cJSON_AddNumberToObject(root, "alpha", r->alpha);
    cJSON_AddBoolToObject(root, "exclude_failed", r->exclude_failed);
    cJSON_AddNumberToObject(root, "n_common", (double)r->n_common);
    cJSON *warnings = cJSON_AddArrayToObject(root, "warnings");
    for (size_t p = 0; p < r->n_pairs; p++) {
        char *w = compare_pair_differences_text(&r->pairs[p]);
        if (w)
            cJSON_AddItemToArray(warnings, cJSON_CreateString(w));
        free(w);
    }
    cJSON *pairs = cJSON_AddArrayToObject(root, "configs");
    for (size_t p = 0; p < r->n_pairs; p++) {
        const struct compare_pair *cp = &r->pairs[p];
        cJSON *po = cJSON_CreateObject();
        cJSON_AddStringToObject(po, "config_a", cp->label_a);
        cJSON_AddStringToObject(po, "config_b", cp->label_b);
        cJSON_AddNumberToObject(po, "n_common", (double)cp->n_common);
        cJSON *diffs = cJSON_AddArrayToObject(po, "differences");
        for (size_t i = 0; i < cp->n_differences; i++)
            cJSON_AddItemToArray(diffs, cJSON_CreateString(cp->differences[i]));
        cJSON *suites = cJSON_AddArrayToObject(po, "suites");
        for (size_t s = 0; s < cp->n_suites; s++)
            cJSON_AddItemToArray(suites, json_suite(&cp->suites[s], show_flips));
        cJSON *speed = cJSON_AddObjectToObject(po, "speed");
        for (int k = 0; k < COMPARE_SPEED_N; k++) {
            const struct compare_speed *sp = &cp->speed[k];
            cJSON *so = cJSON_AddObjectToObject(speed, speed_keys[k]);
            report_json_num(so, "a", sp->a);
            report_json_num(so, "b", sp->b);
            report_json_num(so, "ratio", sp->ratio);
            report_json_num(so, "lo", sp->lo);
            report_json_num(so, "hi", sp->hi);
            cJSON_AddNumberToObject(so, "n_a", (double)sp->n_a);
            cJSON_AddNumberToObject(so, "n_b", (double)sp->n_b);
        }
        cJSON *start = cJSON_AddObjectToObject(po, "first_start");
        report_json_num(start, "load_s_a", cp->load_ms_a / 1000);
        report_json_num(start, "load_s_b", cp->load_ms_b / 1000);
        report_json_num(start, "first_gen_tps_a", cp->first_tps_a);
        report_json_num(start, "first_gen_tps_b", cp->first_tps_b);
        cJSON_AddItemToArray(pairs, po);
    }
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (size_t i = 0; i < r->n_notes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));
    report_json_emit(root, 1, out);
}

void compare_render(const struct compare_result *r, enum report_fmt fmt, int show_flips,
                    struct buf *out)
{
    switch (fmt) {
    case REPORT_FMT_MD: render_md(r, show_flips, out); break;
    case REPORT_FMT_CSV: render_csv(r, out); break;
    case REPORT_FMT_JSON: render_json(r, show_flips, out); break;
    }
}
