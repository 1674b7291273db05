/* compare.c - pair the samples of two runs and compute the per-suite and
 * speed statistics of the pairs (reading: compare_load.c; rendering:
 * compare_render.c).
 *
 * Pairing: configs by label (or the only config of each run, or --config);
 * within a config pair, suites by (name, version, sha256); within a suite,
 * samples by (item id, rep). Each side's samples are read with one query,
 * sorted, and merge-joined, so 100,000-sample runs compare in well under a
 * second (the bootstrap paths in stats/ are the rest of the budget). */
#include "report/compare.h"
#include "report/resources.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare_int.h"
#include "stats/stats.h"
#include "util/mem.h"

/* --- statistics of one suite pair ----------------------------------------- */

/* Speed vectors of one config pair, filled while pairing items. */
struct speed_acc {
    struct dvec gen[2], ttft[2], acc[2], accw[2], ptps[2];
};

static void speed_add(struct speed_acc *sa, int side, const struct side_sample *s)
{
    if (s->error)
        return;
    if (s->gen_tps > 0)
        dvec_push(&sa->gen[side], s->gen_tps);
    if (s->ttft_ms >= 0)
        dvec_push(&sa->ttft[side], s->ttft_ms);
    if (s->prompt_tps > 0)
        dvec_push(&sa->ptps[side], s->prompt_tps);
    if (s->draft_n > 0 && s->draft_accepted >= 0) {
        dvec_push(&sa->acc[side], (double)s->draft_accepted / (double)s->draft_n);
        dvec_push(&sa->accw[side], (double)s->draft_n);
    }
}

static void speed_free(struct speed_acc *sa)
{
    for (int i = 0; i < 2; i++) {
        free(sa->gen[i].v);
        free(sa->ttft[i].v);
        free(sa->acc[i].v);
        free(sa->accw[i].v);
        free(sa->ptps[i].v);
    }
}

static const struct side_score *score_of(const struct side_sample *s, const char *scorer)
{
    for (size_t i = 0; i < s->n_scores; i++)
        if (!strcmp(s->scores[i].scorer, scorer))
            return &s->scores[i];
    return NULL;
}

/* Pairs of sample indices (A, B) of one suite pair, by (item id, rep). */
struct match {
    size_t *a, *b;
    size_t n, cap_a, cap_b;
};

static void match_suite(const struct side *A, const struct side_suite *sa, const struct side *B,
                        const struct side_suite *sb, struct match *m, size_t *only_a,
                        size_t *only_b)
{
    size_t i = sa->first, ie = sa->first + sa->count;
    size_t j = sb->first, je = sb->first + sb->count;
    *only_a = *only_b = 0;
    while (i < ie && j < je) {
        const struct side_sample *x = &A->samples[i], *y = &B->samples[j];
        int c = strcmp(x->item_id, y->item_id);
        if (!c)
            c = (x->rep > y->rep) - (x->rep < y->rep);
        if (c < 0) {
            (*only_a)++;
            i++;
        } else if (c > 0) {
            (*only_b)++;
            j++;
        } else {
            XGROW(m->a, m->n + 1, m->cap_a);
            XGROW(m->b, m->n + 1, m->cap_b);
            m->a[m->n] = i++;
            m->b[m->n] = j++;
            m->n++;
        }
    }
    *only_a += ie - i;
    *only_b += je - j;
}

static void add_flip(struct compare_suite *cs, const struct side_sample *x,
                     const struct side_sample *y, int to_pass)
{
    cs->flips = xrealloc(cs->flips, (cs->n_flips + 1) * sizeof *cs->flips);
    struct compare_flip *f = &cs->flips[cs->n_flips++];
    memset(f, 0, sizeof *f);
    f->item_id = xstrdup(x->item_id);
    f->rep = x->rep;
    f->to_pass = to_pass;
    f->sample_a = x->id;
    f->sample_b = y->id;
}

static int cmp_flip(const void *pa, const void *pb)
{
    const struct compare_flip *a = pa, *b = pb;
    if (a->to_pass != b->to_pass)
        return a->to_pass - b->to_pass;
    int c = strcmp(a->item_id, b->item_id);
    return c ? c : (a->rep > b->rep) - (a->rep < b->rep);
}

/* Fills the score statistics of cs for one scorer over the matched items. */
static void score_suite(const struct side *A, const struct side *B, const struct match *m,
                        const char *scorer, const struct compare_opts *o,
                        struct compare_suite *cs)
{
    struct dvec va = {0}, vb = {0};
    struct report_passk_counts pa = {0}, pb = {0};
    int pure = 1;
    /* graded or pass/fail: the scorer's kind, else A's stored values */
    struct dvec vals = {0};
    for (size_t k = 0; k < m->n; k++) {
        const struct side_score *sx = score_of(&A->samples[m->a[k]], scorer);
        if (sx && sx->outcome == REPORT_SCORED)
            dvec_push(&vals, sx->value);
    }
    cs->graded = report_scorer_graded(scorer, vals.v, NULL, vals.n);
    free(vals.v);
    for (size_t k = 0; k < m->n; k++) {
        const struct side_sample *x = &A->samples[m->a[k]], *y = &B->samples[m->b[k]];
        double wx = 0, wy = 0;
        int px = -1, py = -1, okx = 0, oky = 0;
        /* one worth per side, as report/figures.c counts a sample */
        for (int side = 0; side < 2; side++) {
            const struct side_sample *s = side ? y : x;
            const struct side_score *sc = score_of(s, scorer);
            enum report_outcome oc = s->error ? (s->timeout ? REPORT_TIMEOUT : REPORT_ERROR)
                                   : sc ? sc->outcome : REPORT_SCORE_ERROR;
            int ok = report_sample_worth(oc, cs->graded, sc && !s->error ? sc->value : 0,
                                         sc && !s->error ? sc->passed : 0, o->exclude_failed,
                                         side ? &wy : &wx, side ? &py : &px);
            if (side)
                oky = ok;
            else
                okx = ok;
            if (ok && s->error)
                *(side ? &cs->failed_b : &cs->failed_a) += 1;
        }
        if (!okx || !oky) {
            cs->excluded_a += !okx;
            cs->excluded_b += !oky;
            continue;
        }
        dvec_push(&va, wx * 100.0);
        dvec_push(&vb, wy * 100.0);
        report_passk_count(&pa, x->item_id, px == 1);
        report_passk_count(&pb, y->item_id, py == 1);
        int pfx = px == 0 || px == 1, pfy = py == 0 || py == 1;
        if (!pfx || !pfy || wx != (double)px || wy != (double)py)
            pure = 0;
        if (pfx && pfy) {
            cs->n_pass_fail++;
            if (px && !py) {
                cs->pass_to_fail++;
                add_flip(cs, x, y, 0);
            } else if (!px && py) {
                cs->fail_to_pass++;
                add_flip(cs, x, y, 1);
            }
        }
    }
    cs->n_paired = va.n;
    cs->pass_fail = pure && va.n > 0;
    if (cs->pass_fail) {
        cs->has_passk = report_passk_compute(pa.n, pa.passed, pa.len, &cs->passk_a);
        report_passk_compute(pb.n, pb.passed, pb.len, &cs->passk_b);
    }
    report_passk_counts_free(&pa);
    report_passk_counts_free(&pb);
    cs->mcnemar_p = cs->n_pass_fail ? stats_mcnemar_exact(cs->pass_to_fail, cs->fail_to_pass)
                                    : NAN;
    cs->score_a = cs->score_b = cs->delta = cs->delta_lo = cs->delta_hi = NAN;
    if (va.n) {
        stats_mean_sd(va.v, va.n, &cs->score_a, NULL);
        stats_mean_sd(vb.v, vb.n, &cs->score_b, NULL);
        stats_bootstrap_paired_delta(va.v, vb.v, va.n, o->resamples, o->seed, o->alpha,
                                     &cs->delta, &cs->delta_lo, &cs->delta_hi);
    }
    if (cs->n_flips > 1)
        qsort(cs->flips, cs->n_flips, sizeof *cs->flips, cmp_flip);
    free(va.v);
    free(vb.v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct scorer names of A's matched samples, sorted (borrowed from A).
 * A scorer B lacks shows up as every item excluded on B's side. */
static size_t scorers_of(const struct side *A, const struct match *m, char ***out)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t k = 0; k < m->n; k++) {
        const struct side_sample *x = &A->samples[m->a[k]];
        for (size_t s = 0; s < x->n_scores; s++) {
            size_t i = 0;
            while (i < n && strcmp(names[i], x->scores[s].scorer))
                i++;
            if (i == n) {
                XGROW(names, n + 1, cap);
                names[n++] = x->scores[s].scorer;
            }
        }
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    *out = names;
    return n;
}

static struct compare_suite *suite_add(struct compare_pair *p, size_t *cap)
{
    XGROW(p->suites, p->n_suites + 1, *cap);
    struct compare_suite *cs = &p->suites[p->n_suites++];
    memset(cs, 0, sizeof *cs);
    cs->score_a = cs->score_b = cs->delta = cs->delta_lo = cs->delta_hi = NAN;
    cs->mcnemar_p = NAN;
    return cs;
}

static void suite_ident(struct compare_suite *cs, const struct side_suite *sa,
                        const struct side_suite *sb)
{
    const struct side_suite *any = sa ? sa : sb;
    cs->name = xstrdup(any->name);
    if (sa) {
        cs->version_a = sa->version;
        memcpy(cs->sha_a, sa->sha, sizeof cs->sha_a);
    }
    if (sb) {
        cs->version_b = sb->version;
        memcpy(cs->sha_b, sb->sha, sizeof cs->sha_b);
    }
}

/* Compares one matched suite pair, adding one compare_suite per scorer. */
static void compare_suite_pair(const struct side *A, const struct side_suite *sa,
                               const struct side *B, const struct side_suite *sb, int forced,
                               const struct compare_opts *o, struct compare_pair *p,
                               size_t *cap, struct speed_acc *speed)
{
    struct match m = {0};
    size_t only_a, only_b;
    match_suite(A, sa, B, sb, &m, &only_a, &only_b);
    for (size_t k = 0; k < m.n; k++) {
        speed_add(speed, 0, &A->samples[m.a[k]]);
        speed_add(speed, 1, &B->samples[m.b[k]]);
    }
    p->n_common += m.n;
    char **scorers;
    size_t ns = scorers_of(A, &m, &scorers);
    for (size_t s = 0; s < (ns ? ns : 1); s++) {
        struct compare_suite *cs = suite_add(p, cap);
        suite_ident(cs, sa, sb);
        cs->paired = 1;
        cs->forced = forced;
        cs->only_a = only_a;
        cs->only_b = only_b;
        if (forced)
            cs->note = xasprintf("suite differs (A v%d %.12s, B v%d %.12s): paired by item id "
                                 "because of --force", sa->version, sa->sha, sb->version,
                                 sb->sha);
        if (!ns) {
            cs->note = cs->note ? cs->note
                                : xstrdup(m.n ? "no scores stored" : "no items in common");
            continue;
        }
        cs->scorer = xstrdup(scorers[s]);
        score_suite(A, B, &m, scorers[s], o, cs);
    }
    free(scorers);
    free(m.a);
    free(m.b);
}

static void speed_finish(struct speed_acc *sa, const struct compare_opts *o,
                         struct compare_speed out[COMPARE_SPEED_N])
{
    for (int k = 0; k < COMPARE_SPEED_N; k++) {
        struct dvec *a = NULL, *b = NULL;
        const double *wa = NULL, *wb = NULL;
        double pct = STATS_STAT_MEAN;
        switch ((enum compare_speed_metric)k) {
        case COMPARE_GEN_TPS: a = &sa->gen[0]; b = &sa->gen[1]; pct = 50; break;
        case COMPARE_TTFT_P50: a = &sa->ttft[0]; b = &sa->ttft[1]; pct = 50; break;
        case COMPARE_TTFT_P95: a = &sa->ttft[0]; b = &sa->ttft[1]; pct = 95; break;
        case COMPARE_ACCEPT:
            a = &sa->acc[0]; b = &sa->acc[1];
            wa = sa->accw[0].v; wb = sa->accw[1].v;
            break;
        case COMPARE_PROMPT_TPS: a = &sa->ptps[0]; b = &sa->ptps[1]; pct = 50; break;
        case COMPARE_SPEED_N: break;
        }
        struct compare_speed *c = &out[k];
        memset(c, 0, sizeof *c);
        c->a = c->b = c->ratio = c->lo = c->hi = NAN;
        c->n_a = a->n;
        c->n_b = b->n;
        if (!a->n || !b->n)
            continue;
        if (pct >= 0) {            /* sorted once; later sorts see sorted data */
            stats_sort(a->v, a->n);
            stats_sort(b->v, b->n);
        }
        uint64_t seed = o->seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(k + 1);
        if (stats_bootstrap_ratio_ci(a->v, wa, a->n, b->v, wb, b->n, pct, o->resamples, seed,
                                     o->alpha, &c->ratio, &c->lo, &c->hi) != 0)
            continue;
        c->ok = 1;
        if (pct >= 0) {
            c->a = stats_percentile(a->v, a->n, pct);
            c->b = stats_percentile(b->v, b->n, pct);
        } else {
            double sw[2] = {0, 0}, swv[2] = {0, 0};
            for (int side = 0; side < 2; side++) {
                struct dvec *d = side ? b : a;
                const double *w = side ? wb : wa;
                for (size_t i = 0; i < d->n; i++) {
                    sw[side] += w ? w[i] : 1.0;
                    swv[side] += (w ? w[i] : 1.0) * d->v[i];
                }
            }
            c->a = swv[0] / sw[0];
            c->b = swv[1] / sw[1];
        }
    }
}

static void add_note(struct compare_result *r, char *note)
{
    r->notes = xrealloc(r->notes, (r->n_notes + 1) * sizeof *r->notes);
    r->notes[r->n_notes++] = note;
}

/* Matches the suites of one config pair and compares each match. */
static void compare_config_pair(const struct side *A, const struct side *B,
                                const struct compare_opts *o, struct compare_pair *p)
{
    size_t cap = 0;
    struct speed_acc speed;
    memset(&speed, 0, sizeof speed);
    for (size_t i = 0; i < A->n_suites; i++) {
        struct side_suite *sa = &A->suites[i];
        for (size_t j = 0; j < B->n_suites; j++) {
            struct side_suite *sb = &B->suites[j];
            if (!sb->used && !strcmp(sa->name, sb->name) && sa->version == sb->version &&
                !strcmp(sa->sha, sb->sha)) {
                sa->used = sb->used = 1;
                compare_suite_pair(A, sa, B, sb, 0, o, p, &cap, &speed);
                break;
            }
        }
    }
    for (size_t i = 0; i < A->n_suites; i++) {
        struct side_suite *sa = &A->suites[i];
        if (sa->used)
            continue;
        struct side_suite *sb = NULL;
        for (size_t j = 0; j < B->n_suites && !sb; j++)
            if (!B->suites[j].used && !strcmp(sa->name, B->suites[j].name))
                sb = &B->suites[j];
        sa->used = 1;
        if (sb && o->force) {
            sb->used = 1;
            compare_suite_pair(A, sa, B, sb, 1, o, p, &cap, &speed);
            continue;
        }
        struct compare_suite *cs = suite_add(p, &cap);
        suite_ident(cs, sa, sb);
        cs->only_a = sa->count;
        if (sb) {
            sb->used = 1;
            cs->only_b = sb->count;
            cs->note = xasprintf("not paired: the suite differs (A v%d %.12s, B v%d %.12s); "
                                 "--force pairs it by item id",
                                 sa->version, sa->sha, sb->version, sb->sha);
        } else {
            cs->note = xstrdup("not paired: the suite is only in A");
        }
    }
    for (size_t j = 0; j < B->n_suites; j++) {
        if (B->suites[j].used)
            continue;
        struct compare_suite *cs = suite_add(p, &cap);
        suite_ident(cs, NULL, &B->suites[j]);
        cs->only_b = B->suites[j].count;
        cs->note = xstrdup("not paired: the suite is only in B");
    }
    speed_finish(&speed, o, p->speed);
    speed_free(&speed);
}

static int load_outputs(struct store *st, struct compare_result *r, struct bai_error *err)
{
    for (size_t p = 0; p < r->n_pairs; p++)
        for (size_t s = 0; s < r->pairs[p].n_suites; s++) {
            struct compare_suite *cs = &r->pairs[p].suites[s];
            for (size_t f = 0; f < cs->n_flips; f++)
                for (int side = 0; side < 2; side++) {
                    char *text = NULL;
                    if (store_sample_output(st, side ? cs->flips[f].sample_b : cs->flips[f].sample_a, &text,
                                            err) < 0)
                        return -1;
                    if (!text)
                        text = xstrdup("");
                    if (side)
                        cs->flips[f].output_b = text;
                    else
                        cs->flips[f].output_a = text;
                }
        }
    return 0;
}

/* A run that is still running or was interrupted compares fine, but only
 * over the items it has: say so. */
static int note_unfinished(struct store *st, struct compare_result *r, const char *run,
                           const char *side, struct bai_error *err)
{
    struct store_run_info info;
    if (store_run_get(st, run, &info, err) != 0)
        return -1;
    if (info.status && strcmp(info.status, "done"))
        add_note(r, xasprintf("run %s (%s) is %s: only its stored samples are compared", run, side,
                              info.status));
    store_run_info_free(&info);
    return 0;
}

void compare_opts_init(struct compare_opts *o)
{
    memset(o, 0, sizeof *o);
    o->resamples = 10000;
    o->seed = 1;
    o->alpha = 0.05;
}

static int compare_one(struct store *db, struct compare_result *r, const struct store_config_info *ca,
                       const struct store_config_info *cb, const struct compare_opts *o,
                       struct bai_error *err)
{
    struct side A, B;
    if (compare_side_load(db, r->run_a, ca->id, o, &A, err))
        return -1;
    if (compare_side_load(db, r->run_b, cb->id, o, &B, err)) {
        compare_side_free(&A);
        return -1;
    }
    r->pairs = xrealloc(r->pairs, (r->n_pairs + 1) * sizeof *r->pairs);
    struct compare_pair *p = &r->pairs[r->n_pairs++];
    memset(p, 0, sizeof *p);
    p->label_a = xstrdup(ca->label);
    p->label_b = xstrdup(cb->label);
    p->n_differences = compare_config_differences(ca, cb, &p->differences, 0);
    r->n_differing += p->n_differences > 0;
    compare_config_pair(&A, &B, o, p);
    r->n_common += p->n_common;
    struct report_resources ra, rb;
    struct bai_error ignored = {0};
    p->load_ms_a = p->load_ms_b = p->first_tps_a = p->first_tps_b = NAN;
    if (report_resources_load(store_db(db), ca->id, &ra, &ignored) == 0 &&
        report_resources_load(store_db(db), cb->id, &rb, &ignored) == 0) {
        p->load_ms_a = ra.load_ms;
        p->load_ms_b = rb.load_ms;
        p->first_tps_a = ra.first_gen_tps;
        p->first_tps_b = rb.first_gen_tps;
    }
    compare_side_free(&A);
    compare_side_free(&B);
    return 0;
}

int compare_runs(struct store *st, const char *run_a, const char *run_b,
                 const struct compare_opts *o, struct compare_result *r, struct bai_error *err)
{
    struct store *db = st;
    struct store_config_info *ca = NULL, *cb = NULL;
    size_t na = 0, nb = 0;
    int rc = -1;
    memset(r, 0, sizeof *r);
    snprintf(r->run_a, sizeof r->run_a, "%s", run_a);
    snprintf(r->run_b, sizeof r->run_b, "%s", run_b);
    r->resamples = o->resamples;
    r->seed = o->seed;
    r->alpha = o->alpha;
    r->exclude_failed = o->exclude_failed;
    if (o->resamples < 1 || !(o->alpha > 0 && o->alpha < 1)) {
        bai_error_set(err, BAI_EXIT_USAGE, "compare: resamples must be >= 1 and alpha in (0, 1)");
        return -1;
    }
    if (store_run_configs(st, run_a, &ca, &na, err) || store_run_configs(st, run_b, &cb, &nb, err))
        goto out;
    if (note_unfinished(db, r, run_a, "A", err) || note_unfinished(db, r, run_b, "B", err))
        goto out;
    if (o->config_a) {
        /* "A:B" names a label in each run, unless A's run has a label that
         * is the whole string (labels may contain ':'). */
        char *la = xstrdup(o->config_a), *lb = o->config_b ? xstrdup(o->config_b) : NULL;
        char *colon = strchr(la, ':');
        if (!lb && colon && compare_config_find(ca, na, la) < 0) {
            *colon = '\0';
            lb = xstrdup(colon + 1);
        }
        if (!lb)
            lb = xstrdup(la);
        long ia = compare_config_find(ca, na, la), ib = compare_config_find(cb, nb, lb);
        if (ia < 0)
            compare_config_missing(run_a, la, ca, na, err);
        else if (ib < 0)
            compare_config_missing(run_b, lb, cb, nb, err);
        free(la);
        free(lb);
        if (ia < 0 || ib < 0)
            goto out;
        if (compare_one(db, r, &ca[ia], &cb[ib], o, err))
            goto out;
    } else if (na == 1 && nb == 1 && strcmp(ca[0].label, cb[0].label)) {
        add_note(r, xasprintf("configs paired as each run's only one: '%s' vs '%s'",
                              ca[0].label, cb[0].label));
        if (compare_one(db, r, &ca[0], &cb[0], o, err))
            goto out;
    } else {
        size_t matched = 0;
        for (size_t i = 0; i < na; i++) {
            long j = compare_config_find(cb, nb, ca[i].label);
            if (j < 0) {
                add_note(r, xasprintf("config '%s' is only in A", ca[i].label));
                continue;
            }
            matched++;
            if (compare_one(db, r, &ca[i], &cb[j], o, err))
                goto out;
        }
        for (size_t j = 0; j < nb; j++)
            if (compare_config_find(ca, na, cb[j].label) < 0)
                add_note(r, xasprintf("config '%s' is only in B", cb[j].label));
        if (!matched && na && nb)
            add_note(r, xstrdup("no config labels in common: choose a pair with "
                                "--config LABEL_A:LABEL_B"));
    }
    if (o->with_outputs && load_outputs(db, r, err))
        goto out;
    rc = 0;
out:
    store_configs_free(ca, na);
    store_configs_free(cb, nb);
    if (rc)
        compare_result_free(r);
    return rc;
}

void compare_result_free(struct compare_result *r)
{
    for (size_t p = 0; p < r->n_pairs; p++) {
        struct compare_pair *cp = &r->pairs[p];
        for (size_t s = 0; s < cp->n_suites; s++) {
            struct compare_suite *cs = &cp->suites[s];
            for (size_t f = 0; f < cs->n_flips; f++) {
                free(cs->flips[f].item_id);
                free(cs->flips[f].output_a);
                free(cs->flips[f].output_b);
            }
            free(cs->flips);
            free(cs->name);
            free(cs->scorer);
            free(cs->note);
        }
        free(cp->suites);
        for (size_t i = 0; i < cp->n_differences; i++)
            free(cp->differences[i]);
        free(cp->differences);
        free(cp->label_a);
        free(cp->label_b);
    }
    free(r->pairs);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}

char *compare_pair_differences_text(const struct compare_pair *p)
{
    if (!p->n_differences)
        return NULL;
    struct buf b = {0};
    if (strcmp(p->label_a, p->label_b))
        buf_printf(&b, "config '%s' (A) vs '%s' (B) differ: ", p->label_a, p->label_b);
    else
        buf_printf(&b, "config '%s' differs between the runs: ", p->label_a);
    for (size_t i = 0; i < p->n_differences; i++)
        buf_printf(&b, "%s%s", i ? "; " : "", p->differences[i]);
    return buf_detach(&b);
}

struct store *compare_open(const char *store_path, const char *spec_a, const char *spec_b,
                           char id_a[STORE_RUN_ID_MAX], char id_b[STORE_RUN_ID_MAX],
                           struct bai_error *err)
{
    struct store *st = store_open_readonly(store_path, err);
    if (!st)
        return NULL;
    if (store_resolve_run(st, spec_a, id_a, err) || store_resolve_run(st, spec_b, id_b, err)) {
        store_close(st);
        return NULL;
    }
    return st;
}
