/* gate.c - the regression gate rule, its text lines and JUnit XML. */
#include "report/gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct gate_check *check_add(struct gate_result *g, const char *config,
                                    enum gate_verdict v, char *name, char *reason)
{
    g->checks = xrealloc(g->checks, (g->n + 1) * sizeof *g->checks);
    struct gate_check *c = &g->checks[g->n++];
    c->classname = xasprintf("benchai.gate.%s", config);
    c->name = name;
    c->verdict = v;
    c->reason = reason;
    g->failed += v == GATE_FAIL;
    g->skipped += v == GATE_SKIP;
    return c;
}

static void quality_check(const struct compare_pair *p, const struct compare_suite *cs,
                          const struct gate_opts *o, struct gate_result *g)
{
    int v = cs->version_a ? cs->version_a : cs->version_b;
    char *name = cs->scorer ? xasprintf("%s v%d quality (%s)", cs->name, v, cs->scorer)
                            : xasprintf("%s v%d quality", cs->name, v);
    if (!cs->paired || !cs->scorer || cs->n_paired == 0 || isnan(cs->delta)) {
        check_add(g, p->label_a, GATE_SKIP, name,
                  xstrdup(cs->note ? cs->note : "not compared: no scored items in common"));
        return;
    }
    double drop = -cs->delta;
    int significant;
    char *why;
    if (cs->pass_fail) {
        significant = cs->delta < 0 && cs->mcnemar_p < o->alpha;
        why = xasprintf("McNemar exact p = %.3g %s %g; %lld pass→fail, %lld fail→pass",
                        cs->mcnemar_p, cs->mcnemar_p < o->alpha ? "<" : ">=", o->alpha,
                        (long long)cs->pass_to_fail, (long long)cs->fail_to_pass);
    } else {
        significant = cs->delta_hi < 0;
        why = xasprintf("paired bootstrap %g%% CI [%+.2f, %+.2f] %s 0",
                        100 * (1 - o->alpha), cs->delta_lo, cs->delta_hi,
                        significant ? "excludes" : "includes");
    }
    enum gate_verdict verdict = GATE_PASS;
    char *reason;
    if (drop > o->max_drop_pp && significant) {
        verdict = GATE_FAIL;
        reason = xasprintf("score dropped %.2f pp (%.2f -> %.2f over %zu items), more than "
                           "%.2f, and the drop is significant (%s)", drop, cs->score_a,
                           cs->score_b, cs->n_paired, o->max_drop_pp, why);
    } else if (drop > o->max_drop_pp) {
        reason = xasprintf("score dropped %.2f pp (%.2f -> %.2f over %zu items), more than "
                           "%.2f, but the drop is not significant (%s)", drop, cs->score_a,
                           cs->score_b, cs->n_paired, o->max_drop_pp, why);
    } else {
        reason = xasprintf("Δ %+.2f pp (%.2f -> %.2f over %zu items) is within the allowed "
                           "drop of %.2f (%s)", cs->delta, cs->score_a, cs->score_b,
                           cs->n_paired, o->max_drop_pp, why);
    }
    free(why);
    if (cs->excluded_b > cs->excluded_a) {
        char *more = xasprintf("%s; note: %zu paired items went unscored in the candidate against "
                               "%zu in the baseline (not counted above)",
                               reason, cs->excluded_b, cs->excluded_a);
        free(reason);
        reason = more;
    }
    if (cs->failed_a || cs->failed_b) {
        char *more = xasprintf("%s; %zu requests failed or timed out in the candidate and %zu in the "
                               "baseline, counted as failures", reason, cs->failed_b, cs->failed_a);
        free(reason);
        reason = more;
    }
    check_add(g, p->label_a, verdict, name, reason);
}

static void speed_check(const struct compare_pair *p, const struct gate_opts *o,
                        struct gate_result *g)
{
    const struct compare_speed *sp = &p->speed[COMPARE_GEN_TPS];
    char *name = xstrdup("speed gen_tps");
    if (!sp->ok) {
        check_add(g, p->label_a, GATE_SKIP, name,
                  xasprintf("not compared: gen tokens/s measured on %zu baseline and %zu "
                            "candidate samples", sp->n_a, sp->n_b));
        return;
    }
    double floor_ratio = 1.0 - o->max_slowdown;
    int fail = sp->hi < floor_ratio;
    char *reason = xasprintf("gen tokens/s p50 %.2f -> %.2f, ratio %.3f, %g%% CI [%.3f, %.3f]; "
                             "%s (fails when the upper bound < %.3f)",
                             sp->a, sp->b, sp->ratio, 100 * (1 - o->alpha), sp->lo, sp->hi,
                             fail ? "slower beyond the allowed slowdown"
                                  : "not slower beyond the allowed slowdown", floor_ratio);
    check_add(g, p->label_a, fail ? GATE_FAIL : GATE_PASS, name, reason);
}

void gate_evaluate(const struct compare_result *r, const struct gate_opts *o,
                   struct gate_result *out)
{
    memset(out, 0, sizeof *out);
    for (size_t p = 0; p < r->n_pairs; p++) {
        const struct compare_pair *cp = &r->pairs[p];
        for (size_t s = 0; s < cp->n_suites; s++)
            quality_check(cp, &cp->suites[s], o, out);
        speed_check(cp, o, out);
    }
}

void gate_result_free(struct gate_result *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->checks[i].classname);
        free(g->checks[i].name);
        free(g->checks[i].reason);
    }
    free(g->checks);
    memset(g, 0, sizeof *g);
}

static const char *verdict_word(enum gate_verdict v)
{
    return v == GATE_FAIL ? "FAIL" : v == GATE_SKIP ? "SKIP" : "PASS";
}

void gate_text(const struct gate_result *g, struct buf *out)
{
    for (size_t i = 0; i < g->n; i++) {
        const struct gate_check *c = &g->checks[i];
        const char *config = c->classname + strlen("benchai.gate.");
        buf_printf(out, "%s  [%s] %s: %s\n", verdict_word(c->verdict), config, c->name,
                   c->reason);
    }
    /* the counts are of the lines above, by their verdict word */
    size_t passed = g->n - g->failed - g->skipped;
    if (g->failed)
        buf_printf(out, "gate FAILED: %zu failed, %zu passed, %zu skipped\n", g->failed, passed,
                   g->skipped);
    else
        buf_printf(out, "gate passed: %zu passed, %zu skipped\n", passed, g->skipped);
}

void gate_xml_escape(struct buf *out, const char *s)
{
    report_xml_escape(out, s);   /* the one XML rule (report/format.h) */
}

void gate_junit(const struct gate_result *g, const char *suite_name, struct buf *out)
{
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_printf(out, "<testsuites name=\"benchai gate\" tests=\"%zu\" failures=\"%zu\" "
               "errors=\"0\" skipped=\"%zu\">\n", g->n, g->failed, g->skipped);
    buf_puts(out, "  <testsuite name=\"");
    gate_xml_escape(out, suite_name);
    buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", g->n,
               g->failed, g->skipped);
    for (size_t i = 0; i < g->n; i++) {
        const struct gate_check *c = &g->checks[i];
        buf_puts(out, "    <testcase classname=\"");
        gate_xml_escape(out, c->classname);
        buf_puts(out, "\" name=\"");
        gate_xml_escape(out, c->name);
        buf_puts(out, "\"");
        if (c->verdict == GATE_PASS) {
            buf_puts(out, ">\n      <system-out>");
            gate_xml_escape(out, c->reason);
            buf_puts(out, "</system-out>\n    </testcase>\n");
            continue;
        }
        const char *tag = c->verdict == GATE_FAIL ? "failure" : "skipped";
        buf_printf(out, ">\n      <%s message=\"", tag);
        gate_xml_escape(out, c->reason);
        if (c->verdict == GATE_FAIL) {
            buf_puts(out, "\" type=\"regression\">");
            gate_xml_escape(out, c->reason);
            buf_puts(out, "</failure>\n");
        } else {
            buf_puts(out, "\"/>\n");
        }
        buf_puts(out, "    </testcase>\n");
    }
    buf_puts(out, "  </testsuite>\n</testsuites>\n");
}

int gate_parse_fraction(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end == ' ')
        end++;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || !(v >= 0.0 && v < 1.0))
        return -1;
    *out = v;
    return 0;
}
