/* select.c - `benchai select`: per role, the best stored configuration that
 * meets the role's constraints, the runner-up, the margin, and why the
 * others were excluded (the users' "Production Model Configuration"). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/load.h"
#include "report/roles.h"
#include "report/sweep.h"
#include "util/error.h"
#include "util/mem.h"


struct select_opts {
    struct strv roles_only, runs;
    const char *roles, *format, *store;
    int all_runs;
    struct report_rules rules;
    double np_p95_limit;
};

static const struct cli_option select_options[] = {
    CLI_OPT_STRING(0, "roles", struct select_opts, roles, "FILE", "the roles file (default: roles_file of the config file,\n"
                   "./benchmarks/roles.yaml, else the installed one)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_LIST(0, "role", struct select_opts, roles_only, "R", "only this role (repeatable, or a,b)"),
    CLI_OPT_RUNS(struct select_opts, runs, "only these runs (default: the newest run's point\nper model + config)"),
    CLI_OPT_FLAG(0, "all-runs", struct select_opts, all_runs, "every run's point"),
    CLI_OPT_DOUBLE(0, "np-p95-limit", struct select_opts, np_p95_limit, "X", 1.0, 1000.0,
                   "-np sweeps: exclude a point whose p95 E2E latency is above X\ntimes its np=1 point's, for roles without np_p95_limit\n(default " REPORT_NP_P95_LIMIT_TEXT ")"),
    CLI_OPT_FORMAT(struct select_opts, format, cli_formats_md_csv_json,
                   "md (default), csv (the summary table) or json\n(everything)"),
    CMD_RULES_OPTIONS(struct select_opts, rules),
    CLI_OPT_STORE(struct select_opts, store),
    CMD_OPT_CSV_RAW,
    CLI_OPT_END(),
};

const struct cli_command cmd_select_cli = {
    .name = "select",
    .summary = "per role (benchmarks/roles.yaml): best config meeting its constraints",
    .usage = "[--roles FILE] [--role R] [--run R]... [--all-runs] [--np-p95-limit X]\n"
             " [-o md|csv|json] [--store PATH]",
    .description =
        "For every role in the roles file (--roles; else roles_file of the config\n"
        "file, ./benchmarks/roles.yaml, <prefix>/share/benchai/roles.yaml): the best\n"
        "stored model + config meeting its constraints (min_score, min_tps, latency\n"
        "percentiles max_ttft_p50_ms .. max_e2e_p99_ms, max_size_gb, np_p95_limit),\n"
        "its readiness rules per item tier (tiers: {1: 100, 2: 75}) and its memory\n"
        "budget (budget: {memory_gb, gpu_gb}), ranked quality-first or speed-first as\n"
        "the role prefers, with the runner-up, the margin, what bound the choice, and\n"
        "why every other config was excluded. Pools of roles that must be resident\n"
        "together (pools: {NAME: {roles: [...], budget: {...}}}) get the best choices\n"
        "that fit their budget together, earlier roles first. A role nothing\n"
        "satisfies is reported as such (exit status stays 0).\n",
    .options = select_options,
    .run = cmd_select,
};

static void constraints_text(const struct report_role *r, struct buf *b)
{
    size_t start = b->len;
    if (!isnan(r->min_score_pct))
        buf_printf(b, "score >= %.0f%%, ", r->min_score_pct);
    if (!isnan(r->min_tps))
        buf_printf(b, ">= %.1f tok/s, ", r->min_tps);
    if (!isnan(r->max_ttft_ms))
        buf_printf(b, "TTFT p50 <= %.0f ms, ", r->max_ttft_ms);
    static const char *const metric[] = { "TTFT", "E2E" };
    static const int pct[] = { 50, 90, 95, 99 };
    for (int m = 0; m < REPORT_LAT_N; m++)
        for (int p = 0; p < REPORT_LAT_NP; p++)
            if (r->max_latency_ms[m][p] > 0 && !(m == REPORT_LAT_TTFT && p == REPORT_LAT_P50 && !isnan(r->max_ttft_ms)))
                buf_printf(b, "%s p%d <= %.0f ms, ", metric[m], pct[p], r->max_latency_ms[m][p]);
    if (!isnan(r->max_size_gb))
        buf_printf(b, "size <= %.1f GB, ", r->max_size_gb);
    for (size_t i = 0; i < r->n_tiers; i++)
        buf_printf(b, "T%d >= %g%%, ", r->tiers[i].tier, r->tiers[i].min_pct);
    if (r->budget.memory_gb > 0)
        buf_printf(b, "memory <= %g GB, ", r->budget.memory_gb);
    if (r->budget.gpu_gb > 0)
        buf_printf(b, "GPU memory <= %g GB, ", r->budget.gpu_gb);
    if (r->np_p95_limit > 0)
        buf_printf(b, "-np p95 <= %.2gx np=1's, ", r->np_p95_limit);
    if (b->len > start)
        b->len -= 2, b->data[b->len] = '\0';
    else
        buf_puts(b, "none");
}

static void md_details(const struct report_selection *s, struct buf *b)
{
    const struct report_role *r = s->role;
    buf_printf(b, "\n#### %s\n\n", r->name);
    if (r->description)
        buf_printf(b, "%s  \n", r->description);
    buf_puts(b, "Suites: ");
    for (size_t i = 0; i < r->n_suites; i++)
        buf_printf(b, "%s%s x%g", i ? ", " : "", r->suites[i], r->weights[i]);
    buf_puts(b, "; constraints: ");
    constraints_text(r, b);
    buf_printf(b, "; prefer %s.\n\n", r->prefer == REPORT_PREFER_SPEED ? "speed" : "quality");
    if (!s->n_eligible)
        buf_puts(b, "**No stored configuration satisfies this role.**\n\n");
    buf_printf(b, "Bound by: %s.  \n", s->bound_by ? s->bound_by : "-");
    if (s->pool_note)
        buf_printf(b, "%s.  \n", s->pool_note);
    buf_putc(b, '\n');
    for (size_t i = 0; i < s->n; i++) {
        const struct report_candidate *c = &s->c[i];
        char *title = report_point_title(c->p);
        buf_printf(b, "%zu. %s (run %s): ", i + 1, title, c->p->run_id);
        free(title);
        if (!isnan(c->q.mean))
            buf_printf(b, "%.1f%% [%.1f, %.1f], ", 100 * c->q.mean, 100 * c->q.lo, 100 * c->q.hi);
        if (isnan(c->tps))
            buf_puts(b, "tok/s not measured");
        else
            buf_printf(b, "%.1f tok/s", c->tps);
        if (!isnan(c->memory_gb))
            buf_printf(b, ", %.2f GB", c->memory_gb);
        if (c->excluded)
            buf_printf(b, " - excluded: %s", c->excluded);
        else if (i == s->chosen)
            buf_puts(b, " - **selected**");
        else if (i < s->chosen && s->pool)
            buf_printf(b, " - does not fit pool %s", s->pool->name);
        else if (i == s->chosen + 1)
            buf_puts(b, " - runner-up");
        buf_putc(b, '\n');
    }
}

/* Per pool: its roles, budget, and what the chosen configurations use. */
static void md_pools(const struct report_roles *roles, const struct report_selection *sels, size_t ns, struct buf *b)
{
    for (size_t k = 0; k < roles->n_pools; k++) {
        const struct report_pool *p = &roles->pools[k];
        buf_printf(b, "\nPool **%s** (%s", p->name, p->description ? p->description : "resident together");
        buf_puts(b, "): ");
        const struct report_point **seen = xcalloc(p->n_roles + 1, sizeof *seen);
        size_t n_seen = 0;
        double mem = 0, gpu = 0;
        int unknown = 0;
        for (size_t i = 0; i < p->n_roles; i++) {
            const struct report_selection *s = NULL;
            for (size_t j = 0; j < ns; j++)
                if (!strcmp(sels[j].role->name, p->roles[i]))
                    s = &sels[j];
            buf_printf(b, "%s%s", i ? ", " : "", p->roles[i]);
            if (!s || !s->n_eligible)
                continue;
            const struct report_candidate *c = &s->c[s->chosen];
            int dup = 0;
            for (size_t j = 0; j < n_seen && !dup; j++)
                dup = seen[j] == c->p;
            if (dup)
                continue;
            seen[n_seen++] = c->p;
            if (isnan(c->memory_gb))
                unknown = 1;
            else
                mem += c->memory_gb;
            if (!isnan(c->gpu_gb))
                gpu += c->gpu_gb;
        }
        free(seen);
        buf_puts(b, "; budget");
        if (p->budget.memory_gb > 0)
            buf_printf(b, " memory %g GB", p->budget.memory_gb);
        if (p->budget.gpu_gb > 0)
            buf_printf(b, "%s GPU %g GB", p->budget.memory_gb > 0 ? "," : "", p->budget.gpu_gb);
        buf_printf(b, "; the selected configurations use %.2f GB%s", mem, unknown ? " (some not measured)" : "");
        if (p->budget.gpu_gb > 0)
            buf_printf(b, " and %.2f GB GPU", gpu);
        buf_puts(b, ".\n");
    }
}

static cJSON *json_selection(const struct report_selection *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "role", s->role->name);
    cJSON_AddStringToObject(o, "prefer", s->role->prefer == REPORT_PREFER_SPEED ? "speed" : "quality");
    cJSON_AddNumberToObject(o, "eligible", (double)s->n_eligible);
    if (isnan(s->margin))
        cJSON_AddNullToObject(o, "margin");
    else
        cJSON_AddNumberToObject(o, "margin", s->margin);
    cJSON_AddStringToObject(o, "margin_unit", s->role->prefer == REPORT_PREFER_SPEED ? "pct_tps" : "score_points");
    cJSON_AddBoolToObject(o, "quality_ci_overlap", s->margin_within_ci);
    report_json_str(o, "bound_by", s->bound_by);
    report_json_str(o, "pool", s->pool ? s->pool->name : NULL);
    report_json_str(o, "pool_note", s->pool_note);
    cJSON *arr = cJSON_AddArrayToObject(o, "candidates");
    for (size_t i = 0; i < s->n; i++) {
        const struct report_candidate *c = &s->c[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "run", c->p->run_id);
        cJSON_AddStringToObject(x, "model", c->p->name);
        cJSON_AddStringToObject(x, "config", c->p->label ? c->p->label : "");
        /* scores 0-100, as every command prints a percentage */
        const double nums[] = { 100 * c->q.mean, 100 * c->q.lo, 100 * c->q.hi, c->tps, c->ttft_ms, c->size_gb,
                                c->memory_gb, c->gpu_gb, c->p->speed.e2e_p95_ms, c->np_mult };
        const char *keys[] = { "score", "ci_lo", "ci_hi", "gen_tps", "ttft_p50_ms", "size_gb", "memory_gb",
                               "gpu_gb", "e2e_p95_ms", "np_p95_multiplier" };
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            if (isnan(nums[k]))
                cJSON_AddNullToObject(x, keys[k]);
            else
                cJSON_AddNumberToObject(x, keys[k], nums[k]);
        }
        cJSON_AddStringToObject(x, "status", c->excluded ? "excluded" : i == s->chosen ? "selected"
                                           : i == s->chosen + 1 ? "runner_up" : "eligible");
        if (c->excluded)
            cJSON_AddStringToObject(x, "why", c->excluded);
        cJSON_AddItemToArray(arr, x);
    }
    return o;
}

int cmd_select(int argc, char **argv)
{
    struct select_opts o = { .format = cli_default_format(cli_formats_md_csv_json, "md"),
                             .store = cli_default_store() };
    int rc = cmd_options(&cmd_select_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct report_roles roles = { 0 };
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    rc = BAI_EXIT_OK;
    char *roles_file = cmd_roles_file("select", o.roles, &rc);
    if (!roles_file)
        goto out;
    report_fmt_parse(o.format, &fmt, &err);
    if (report_roles_load(roles_file, &roles, &err) != 0) {
        rc = bai_error_report(&err);
        goto out;
    }
    for (size_t i = 0; i < o.roles_only.n; i++) {
        int found = 0;
        for (size_t j = 0; j < roles.n; j++)
            found |= !strcmp(roles.v[j].name, o.roles_only.v[i]);
        if (!found) {
            fprintf(stderr, "benchai select: no role '%s' in %s\n", o.roles_only.v[i], roles_file);
            rc = BAI_EXIT_USAGE;
            goto out;
        }
    }
    struct store *st;
    struct report_points pts;
    if (report_load(o.store, &o.runs, NULL, !o.all_runs, &o.rules, &st, &pts, &err) != 0) {
        rc = bai_error_report(&err);
        goto out;
    }
    store_close(st);
    struct report_selection *all = xcalloc(roles.n ? roles.n : 1, sizeof *all);
    int *want = xcalloc(roles.n ? roles.n : 1, sizeof *want);
    for (size_t i = 0; i < roles.n; i++) {
        want[i] = !o.roles_only.n;
        for (size_t j = 0; j < o.roles_only.n; j++)
            want[i] |= !strcmp(o.roles_only.v[j], roles.v[i].name);
    }
    report_select_all(&roles, &pts, o.np_p95_limit, want, all);
    /* the selections asked for, in file order */
    struct report_selection *sels = xcalloc(roles.n ? roles.n : 1, sizeof *sels);
    size_t ns = 0;
    for (size_t i = 0; i < roles.n; i++)
        if (want[i])
            sels[ns++] = all[i];
    free(all);
    free(want);
    struct buf b = { 0 };
    if (fmt == REPORT_FMT_JSON) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < ns; i++)
            cJSON_AddItemToArray(arr, json_selection(&sels[i]));
        char *s = cJSON_Print(arr);
        buf_puts(&b, s);
        buf_putc(&b, '\n');
        cJSON_free(s);
        cJSON_Delete(arr);
    } else {
        struct report_table t;
        report_selection_table(sels, ns, &t);
        if (fmt == REPORT_FMT_MD)
            buf_printf(&b, "### Production Model Configuration\n\n(from %zu stored configs; roles: %s)\n\n",
                       pts.n, roles_file);
        report_table_render(&t, fmt, &b);
        report_table_free(&t);
        if (fmt == REPORT_FMT_MD)
            md_pools(&roles, sels, ns, &b);
        if (fmt == REPORT_FMT_MD)
            for (size_t i = 0; i < ns; i++)
                md_details(&sels[i], &b);
    }
    cmd_print(b.data ? b.data : "", b.len, fmt == REPORT_FMT_JSON);
    buf_free(&b);
    for (size_t i = 0; i < ns; i++)
        report_selection_free(&sels[i]);
    free(sels);
    report_points_free(&pts);
out:
    free(roles_file);
    report_roles_free(&roles);
    cli_free(&cmd_select_cli, &o);
    return rc;
}
