/* gate.h - the pass/fail rule of `benchai gate` over a compare_result, and
 * its text and JUnit XML renderings. Owns: the rule (docs/ci-gate.md) and
 * XML escaping. Does not own: pairing or statistics (compare.h, stats.h). */
#ifndef BAI_REPORT_GATE_H
#define BAI_REPORT_GATE_H

#include <stddef.h>

#include "report/compare.h"
#include "util/mem.h"

struct gate_opts {
    double max_drop_pp;      /* allowed score drop in percentage points (2.0) */
    double max_slowdown;     /* allowed gen tokens/s loss as a fraction (0.05) */
    double alpha;            /* significance level; CIs were computed at 1 - alpha */
};

enum gate_verdict { GATE_PASS = 0, GATE_FAIL, GATE_SKIP };

/* One check = one JUnit testcase: a suite's quality or a config's speed. */
struct gate_check {
    char *classname;         /* "benchai.gate.<config label>" */
    char *name;              /* "<suite> vN quality (<scorer>)" or "gen_tps" */
    enum gate_verdict verdict;
    char *reason;            /* one sentence with the numbers */
};

struct gate_result {
    struct gate_check *checks;
    size_t n;
    size_t failed, skipped;
};

/* Applies the rule to every compared suite and config pair:
 *  quality fails when  -delta > max_drop_pp  AND the drop is significant:
 *    pass/fail suites (every paired item scored exactly 0 or 1): McNemar's
 *    exact two-sided p < alpha; other suites: the paired bootstrap
 *    (1 - alpha) CI of delta lies entirely below 0;
 *  speed fails when the upper bound of the (1 - alpha) CI of the mean gen
 *    tokens/s ratio B/A is below 1 - max_slowdown.
 * Suites that were not paired are skipped (never failed). */
void gate_evaluate(const struct compare_result *r, const struct gate_opts *o,
                   struct gate_result *out);
void gate_result_free(struct gate_result *g);

/* "PASS  [label] check: reason" lines and a summary line that counts them
 * by verdict: "gate passed: 1 passed, 1 skipped" or "gate FAILED: 3 failed,
 * 1 passed, 1 skipped". */
void gate_text(const struct gate_result *g, struct buf *out);
/* A JUnit XML document (testsuites > testsuite > testcase with failure or
 * skipped), every attribute and text escaped. */
void gate_junit(const struct gate_result *g, const char *suite_name, struct buf *out);
/* Appends s with XML escaping (&<>"' and control characters, which XML 1.0
 * cannot carry, as U+FFFD). */
void gate_xml_escape(struct buf *out, const char *s);

/* "5%", "5 %" or "0.05" -> 0.05; -1 when not a number in [0, 1). */
int gate_parse_fraction(const char *s, double *out);

#endif
