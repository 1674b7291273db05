/* gate.c - `benchai gate --baseline RUN --candidate RUN`: exit 1 when a
 * suite's score drops by more than --max-drop and significantly, or gen
 * tokens/s drops beyond --max-slowdown (the rule: report/gate.h and
 * docs/ci-gate.md). Optionally writes JUnit XML for CI systems. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/compare.h"
#include "report/gate.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/strlist.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: benchai gate --baseline RUN --candidate RUN [--max-drop PP]\n"
            "                    [--max-slowdown PCT] [--alpha A] [--suite S]...\n"
            "                    [--config A[:B]] [--allow-different-configs]\n"
            "                    [--junit FILE] [--store PATH]\n"
            "\n"
            "Fails (exit 1) when, for any suite, the candidate's score is lower than the\n"
            "baseline's by more than --max-drop percentage points AND the drop is\n"
            "significant (McNemar exact p < alpha for pass/fail suites, otherwise the\n"
            "paired bootstrap (1-alpha) CI of the delta lies below 0); or when the upper\n"
            "bound of the (1-alpha) CI of the gen tokens/s ratio candidate/baseline is\n"
            "below 1 - max-slowdown. Prints one line per check; see docs/ci-gate.md.\n"
            "Refuses (exit 2) when a paired config differs in model, backend, draft or\n"
            "launch parameters, naming each difference, unless --allow-different-configs.\n"
            "RUN is a full id, a unique prefix or tag:NAME (newest run with that tag).\n"
            "  --max-drop PP       allowed score drop, percentage points (default 2.0)\n"
            "  --max-slowdown PCT  allowed gen tokens/s loss, '5%%' or 0.05 (default 5%%)\n"
            "  --alpha A           significance level (default 0.05)\n"
            "  --suite S           only suite S (repeatable, or S1,S2)\n"
            "  --config A[:B]      which configs to pair (default: by label)\n"
            "  --allow-different-configs  gate configs that differ in model, backend,\n"
            "                      draft or launch parameters (the differences are noted)\n"
            "  --junit FILE        also write JUnit XML (one testcase per suite and metric)\n"
            "  --resamples N       bootstrap resamples, >= 10000 (default 10000)\n"
            "  --seed N            bootstrap seed (default 1)\n"
            "  --store PATH        the store (default $BENCHAI_STORE or %s)\n"
            "Exit: 0 passed, 1 regression, 2 usage error, no items in common or configs\n"
            "that differ, 4 store.\n",
            STORE_DEFAULT_PATH);
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int write_junit(const char *path, const struct gate_result *g, const char *name)
{
    struct buf x = {0};
    struct bai_error err = {0};
    gate_junit(g, name, &x);
    int rc = fs_write_atomic(path, x.data, x.len, &err);
    buf_free(&x);
    if (rc)
        bai_error_report(&err);
    return rc;
}

/* The JUnit report when nothing could be compared: one failing testcase,
 * so a CI dashboard shows why instead of an empty green suite. */
static void junit_nothing(const char *path, const char *name, const char *why)
{
    struct gate_check c = {(char *)"benchai.gate", (char *)"comparison", GATE_FAIL, (char *)why};
    struct gate_result g = {&c, 1, 1, 0};
    write_junit(path, &g, name);
}

/* A baseline and a candidate of different setups (a swapped run id, another
 * model or backend) would pass or fail for reasons that are not a
 * regression: say what differs and stop, unless the user allowed it. */
static void refuse_different(const struct compare_result *r, const char *id_a, const char *id_b,
                             const char *junit, const char *name)
{
    struct buf why = {0};
    buf_printf(&why, "baseline %s and candidate %s pair configurations that differ", id_a, id_b);
    fprintf(stderr, "benchai gate: %s:\n", why.data);
    for (size_t p = 0; p < r->n_pairs; p++) {
        const struct compare_pair *cp = &r->pairs[p];
        if (!cp->n_differences)
            continue;
        fprintf(stderr, "  '%s' vs '%s':\n", cp->label_a, cp->label_b);
        for (size_t i = 0; i < cp->n_differences; i++)
            fprintf(stderr, "    %s\n", cp->differences[i]);
        char *w = compare_pair_differences_text(cp);
        buf_printf(&why, "; %s", w);
        free(w);
    }
    fprintf(stderr, "Check the run ids; to gate them anyway, pass --allow-different-configs.\n");
    if (junit)
        junit_nothing(junit, name, why.data);
    buf_free(&why);
}

int cmd_gate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"baseline", required_argument, NULL, 'b'},
        {"candidate", required_argument, NULL, 'c'},
        {"max-drop", required_argument, NULL, 'd'},
        {"max-slowdown", required_argument, NULL, 'w'},
        {"alpha", required_argument, NULL, 'a'},
        {"suite", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'C'},
        {"allow-different-configs", no_argument, NULL, 'A'},
        {"junit", required_argument, NULL, 'j'},
        {"resamples", required_argument, NULL, 'R'},
        {"seed", required_argument, NULL, 'S'},
        {"store", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct compare_opts o;
    struct gate_opts g = {2.0, 0.05, 0.05};
    struct bai_error err = {0};
    const char *baseline = NULL, *candidate = NULL, *junit = NULL, *store_path = NULL;
    char **suites = NULL;
    size_t n_suites = 0, cap_suites = 0;
    int rc = BAI_EXIT_USAGE, c, allow_different = 0;
    compare_opts_init(&o);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': baseline = optarg; break;
        case 'c': candidate = optarg; break;
        case 'j': junit = optarg; break;
        case 'D': store_path = optarg; break;
        case 'C': o.config_a = optarg; break;
        case 'A': allow_different = 1; break;
        case 's': strlist_add_csv(&suites, &n_suites, &cap_suites, optarg); break;
        case 'd':
            if (parse_num(optarg, 0, 100, &g.max_drop_pp)) {
                fprintf(stderr, "benchai gate: --max-drop takes percentage points in [0, 100]\n");
                goto out;
            }
            break;
        case 'w':
            if (gate_parse_fraction(optarg, &g.max_slowdown)) {
                fprintf(stderr, "benchai gate: --max-slowdown takes '5%%' or 0.05 (below 100%%)\n");
                goto out;
            }
            break;
        case 'a':
            if (parse_num(optarg, 1e-9, 0.5, &g.alpha)) {
                fprintf(stderr, "benchai gate: --alpha must be in (0, 0.5]\n");
                goto out;
            }
            break;
        case 'R':
            if (compare_parse_resamples("gate", optarg, &o))
                goto out;
            break;
        case 'S':
            if (compare_parse_seed("gate", optarg, &o))
                goto out;
            break;
        case 'h': usage(stdout); rc = BAI_EXIT_OK; goto out;
        default: usage(stderr); goto out;
        }
    }
    if (!baseline || !candidate || optind != argc) {
        fprintf(stderr, "benchai gate: --baseline RUN and --candidate RUN are required\n");
        usage(stderr);
        goto out;
    }
    o.alpha = g.alpha;
    o.suites = (const char *const *)suites;
    o.n_suites = n_suites;
    char id_a[STORE_RUN_ID_MAX], id_b[STORE_RUN_ID_MAX];
    struct store *st = compare_open(store_path, baseline, candidate, id_a, id_b, &err);
    if (!st) {
        rc = bai_error_report(&err);
        goto out;
    }
    struct compare_result r;
    int crc = compare_runs(st, id_a, id_b, &o, &r, &err);
    store_close(st);
    if (crc) {
        rc = bai_error_report(&err);
        goto out;
    }
    char *name = xasprintf("benchai gate %s -> %s", id_a, id_b);
    if (r.n_differing && !allow_different) {
        refuse_different(&r, id_a, id_b, junit, name);
        free(name);
        compare_result_free(&r);
        goto out;
    }
    if (r.n_common == 0) {
        char *why = xasprintf("baseline %s and candidate %s have no items in common", id_a, id_b);
        fprintf(stderr, "benchai gate: %s\n", why);
        for (size_t i = 0; i < r.n_notes; i++)
            fprintf(stderr, "  %s\n", r.notes[i]);
        if (junit)
            junit_nothing(junit, name, why);
        free(why);
        free(name);
        compare_result_free(&r);
        goto out;
    }
    struct gate_result gr;
    gate_evaluate(&r, &g, &gr);
    struct buf b = {0};
    buf_printf(&b, "gate: baseline %s, candidate %s (max drop %.2f pp, max slowdown %.1f%%, "
               "alpha %g)\n", id_a, id_b, g.max_drop_pp, 100 * g.max_slowdown, g.alpha);
    for (size_t i = 0; i < r.n_notes; i++)
        buf_printf(&b, "note: %s\n", r.notes[i]);
    for (size_t p = 0; p < r.n_pairs; p++) {
        char *w = compare_pair_differences_text(&r.pairs[p]);
        if (w)
            buf_printf(&b, "note: %s (allowed by --allow-different-configs)\n", w);
        free(w);
    }
    gate_text(&gr, &b);
    fwrite(b.data, 1, b.len, stdout);
    fflush(stdout);
    buf_free(&b);
    rc = gr.failed ? BAI_EXIT_FAIL : BAI_EXIT_OK;
    if (junit && write_junit(junit, &gr, name))
        rc = BAI_EXIT_USAGE;
    free(name);
    gate_result_free(&gr);
    compare_result_free(&r);
out:
    strlist_free(suites, n_suites);
    return rc;
}
