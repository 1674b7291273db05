/* gate.c - `benchai gate --baseline RUN --candidate RUN`: exit 1 when a
 * suite's score drops by more than --max-drop and significantly, or gen
 * tokens/s drops beyond --max-slowdown (the rule: report/gate.h and
 * docs/ci-gate.md). Optionally writes JUnit XML for CI systems. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/compare.h"
#include "report/gate.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"

struct gate_cmd_opts {
    struct compare_opts c;
    struct gate_opts g;
    struct strv suites;
    const char *baseline, *candidate, *junit, *store;
    int allow_different;
};

static int parse_slowdown(void *opts, const char *v, struct bai_error *err)
{
    struct gate_cmd_opts *o = opts;
    if (gate_parse_fraction(v, &o->g.max_slowdown) == 0)
        return 0;
    bai_error_set(err, BAI_EXIT_USAGE, "expected '5%%' or 0.05 (below 100%%), got '%s'", v);
    return -1;
}

static const struct cli_option gate_options[] = {
    CLI_OPT_STRING(0, "baseline", struct gate_cmd_opts, baseline, "RUN", "the run to compare against (required)",
                   .flags = CLI_REQUIRED, .complete = CLI_COMP_RUN),
    CLI_OPT_STRING(0, "candidate", struct gate_cmd_opts, candidate, "RUN", "the run under test (required)",
                   .flags = CLI_REQUIRED, .complete = CLI_COMP_RUN),
    CLI_OPT_DOUBLE(0, "max-drop", struct gate_cmd_opts, g.max_drop_pp, "PP", 0, 100,
                   "allowed score drop, percentage points (default 2.0)"),
    CLI_OPT_CALLBACK(0, "max-slowdown", "PCT", parse_slowdown,
                     "allowed gen tokens/s loss, '5%' or 0.05 (default 5%)"),
    CLI_OPT_DOUBLE(0, "alpha", struct gate_cmd_opts, g.alpha, "A", 0, 0.5, "significance level (default 0.05)",
                   .flags = CLI_ABOVE_MIN),
    CMD_COMPARE_OPTIONS(struct gate_cmd_opts),
    CLI_OPT_FLAG(0, "allow-different-configs", struct gate_cmd_opts, allow_different,
                 "gate configs that differ in model, backend, draft or\nlaunch parameters (the differences are noted)"),
    CLI_OPT_STRING(0, "junit", struct gate_cmd_opts, junit, "FILE",
                   "also write JUnit XML (one testcase per suite and metric)", .complete = CLI_COMP_FILE),
    CLI_OPT_STORE(struct gate_cmd_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_gate_cli = {
    .name = "gate",
    .summary = "fail (exit 1) when a candidate run regresses significantly against a baseline",
    .usage = "--baseline RUN --candidate RUN [--max-drop PP] [--max-slowdown PCT]\n"
             " [--alpha A] [--suite S]... [--config A[:B]] [--allow-different-configs]\n"
             " [--junit FILE] [--store PATH]",
    .description =
        "Fails (exit 1) when, for any suite, the candidate's score is lower than the\n"
        "baseline's by more than --max-drop percentage points AND the drop is\n"
        "significant (McNemar exact p < alpha for pass/fail suites, otherwise the\n"
        "paired bootstrap (1-alpha) CI of the delta lies below 0); or when the upper\n"
        "bound of the (1-alpha) CI of the gen tokens/s ratio candidate/baseline is\n"
        "below 1 - max-slowdown. Prints one line per check; see docs/ci-gate.md.\n"
        "Refuses (exit 2) when a paired config differs in model, backend, draft or\n"
        "launch parameters, naming each difference, unless --allow-different-configs.\n"
        "RUN is a full id, a unique prefix or tag:NAME (newest run with that tag).\n",
    .footer = "Exit: 0 passed, 1 regression, 2 usage error, no items in common or configs\n"
              "that differ, 4 store.\n",
    .options = gate_options,
    .run = cmd_gate,
};

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
    struct buf msg = {0};   /* labels come from files: printed with cmd_eprint */
    buf_printf(&msg, "benchai gate: %s:\n", why.data);
    for (size_t p = 0; p < r->n_pairs; p++) {
        const struct compare_pair *cp = &r->pairs[p];
        if (!cp->n_differences)
            continue;
        buf_printf(&msg, "  '%s' vs '%s':\n", cp->label_a, cp->label_b);
        for (size_t i = 0; i < cp->n_differences; i++)
            buf_printf(&msg, "    %s\n", cp->differences[i]);
        char *w = compare_pair_differences_text(cp);
        buf_printf(&why, "; %s", w);
        free(w);
    }
    cmd_eprint(msg.data);
    buf_free(&msg);
    fprintf(stderr, "Check the run ids; to gate them anyway, pass --allow-different-configs.\n");
    if (junit)
        junit_nothing(junit, name, why.data);
    buf_free(&why);
}

int cmd_gate(int argc, char **argv)
{
    struct gate_cmd_opts go = { .g = { 2.0, 0.05, 0.05 }, .store = cli_default_store() };
    compare_opts_init(&go.c);
    int rc = cmd_options(&cmd_gate_cli, &go, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct compare_opts o = go.c;
    struct gate_opts g = go.g;
    struct bai_error err = {0};
    const char *junit = go.junit;
    rc = BAI_EXIT_USAGE;
    o.alpha = g.alpha;
    o.suites = (const char *const *)go.suites.v;
    o.n_suites = go.suites.n;
    char id_a[STORE_RUN_ID_MAX], id_b[STORE_RUN_ID_MAX];
    struct store *st = compare_open(go.store, go.baseline, go.candidate, id_a, id_b, &err);
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
    if (r.n_differing && !go.allow_different) {
        refuse_different(&r, id_a, id_b, junit, name);
        free(name);
        compare_result_free(&r);
        goto out;
    }
    if (r.n_common == 0) {
        char *why = xasprintf("baseline %s and candidate %s have no items in common", id_a, id_b);
        struct buf msg = {0};
        buf_printf(&msg, "benchai gate: %s\n", why);
        for (size_t i = 0; i < r.n_notes; i++)
            buf_printf(&msg, "  %s\n", r.notes[i]);
        cmd_eprint(msg.data);
        buf_free(&msg);
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
    cmd_print(b.data ? b.data : "", b.len, 0);
    buf_free(&b);
    rc = gr.failed ? BAI_EXIT_FAIL : BAI_EXIT_OK;
    if (junit && write_junit(junit, &gr, name))
        rc = BAI_EXIT_USAGE;
    free(name);
    gate_result_free(&gr);
    compare_result_free(&r);
out:
    cli_free(&cmd_gate_cli, &go);
    return rc;
}
