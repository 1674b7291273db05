/* pareto.c - `benchai pareto`: stored configs as quality vs speed, the
 * frontier marked, dominated points naming their dominator, optional plot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/load.h"
#include "report/pareto.h"
#include "report/plot.h"
#include "report/roles.h"
#include "util/error.h"
#include "util/log.h"
#include "util/mem.h"


struct pareto_opts {
    struct strv suites, runs;
    const char *role, *roles, *x, *format, *plot, *store;
    int all_runs;
    struct report_rules rules;
};

static const char *const x_axes[] = { "gen_tps", "ttft_p95", "e2e_p50", "memory_gb", "gpu_gb", NULL };

static const struct cli_option pareto_options[] = {
    CLI_OPT_SUITES(struct pareto_opts, suites, "quality on these suites (item-weighted); default: all"),
    CLI_OPT_STRING(0, "role", struct pareto_opts, role, "R",
                   "quality = role R's weighted suites (from --roles)"),
    CLI_OPT_STRING(0, "roles", struct pareto_opts, roles, "FILE", "the roles file (default: roles_file of the config file,\n"
                   "./benchmarks/roles.yaml, else the installed one)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_CHOICE(0, "x", struct pareto_opts, x, "AXIS", x_axes,
                   "x axis: gen_tps (default, higher is better), ttft_p95,\ne2e_p50, memory_gb (the server's peak RSS) or gpu_gb\n(lower is better)"),
    CLI_OPT_RUNS(struct pareto_opts, runs, "only these runs (default: the newest run's point\nper model + config)"),
    CLI_OPT_FLAG(0, "all-runs", struct pareto_opts, all_runs, "keep every run's point"),
    CLI_OPT_FORMAT(struct pareto_opts, format, cli_formats_md_csv_json, "output format"),
    CMD_OPT_CSV_RAW,
    CLI_OPT_STRING(0, "plot", struct pareto_opts, plot, "FILE",
                   "also draw the scatter with gnuplot (.svg or .png); the\n.dat and .gp files are written next to it",
                   .complete = CLI_COMP_FILE),
    CMD_RULES_OPTIONS(struct pareto_opts, rules),
    CLI_OPT_STORE(struct pareto_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_pareto_cli = {
    .name = "pareto",
    .summary = "quality vs speed with the Pareto frontier marked (--plot draws it)",
    .usage = "[--suite S | --role R [--roles FILE]]\n"
             " [--x gen_tps|ttft_p95|e2e_p50|memory_gb|gpu_gb] [--run R]... [--all-runs]\n"
             " [-o md|csv|json] [--plot FILE.svg|FILE.png] [--store PATH]",
    .description =
        "Every stored model + config as (quality, speed); the Pareto frontier is marked\n"
        "and each dominated point names a frontier point that beats it. A point is\n"
        "dominated when another is at least as good on both axes and better on one;\n"
        "identical points both stay on the frontier. 'note' flags a dominated point\n"
        "whose quality CI overlaps its dominator's (see docs/reports.md).\n",
    .options = pareto_options,
    .run = cmd_pareto,
};

int cmd_pareto(int argc, char **argv)
{
    struct pareto_opts o = { .x = "gen_tps",
                             .format = cli_default_format(cli_formats_md_csv_json, "md"),
                             .store = cli_default_store() };
    int rc = cmd_options(&cmd_pareto_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct report_roles roles = { 0 };
    const char *role_name = o.role, *plot = o.plot;
    char *roles_file = NULL;
    enum report_xaxis x = REPORT_X_GEN_TPS;
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    rc = BAI_EXIT_OK;
    report_xaxis_parse(o.x, &x, &err);
    report_fmt_parse(o.format, &fmt, &err);
    if (role_name && o.suites.n) {
        fprintf(stderr, "benchai pareto: --role and --suite(s) exclude each other\n");
        rc = BAI_EXIT_USAGE;
        goto out;
    }
    struct report_qspec qs = { (const char *const *)o.suites.v, NULL, o.suites.n };
    const struct report_role *role = NULL;
    if (role_name) {
        if (!(roles_file = cmd_roles_file("pareto", o.roles, &rc)))
            goto out;
        if (report_roles_load(roles_file, &roles, &err) != 0) {
            rc = bai_error_report(&err);
            goto out;
        }
        for (size_t i = 0; i < roles.n; i++)
            if (!strcmp(roles.v[i].name, role_name))
                role = &roles.v[i];
        if (!role) {
            fprintf(stderr, "benchai pareto: no role '%s' in %s\n", role_name, roles_file);
            rc = BAI_EXIT_USAGE;
            goto out;
        }
        qs = (struct report_qspec){ (const char *const *)role->suites, role->weights, role->n_suites };
    }

    struct store *st;
    struct report_points pts;
    if (report_load(o.store, &o.runs, role ? NULL : &o.suites, !o.all_runs, &o.rules, &st, &pts, &err) != 0) {
        rc = bai_error_report(&err);
        goto out;
    }
    store_close(st);
    struct report_pareto pa;
    if (report_pareto_build(&pts, &qs, x, &pa, &err) != 0) {
        rc = bai_error_report(&err);
        report_points_free(&pts);
        goto out;
    }
    struct buf what = { 0 };
    if (role)
        buf_printf(&what, "role %s", role->name);
    else if (o.suites.n)
        for (size_t i = 0; i < o.suites.n; i++)
            buf_printf(&what, "%s%s", i ? ", " : "", o.suites.v[i]);
    else
        buf_puts(&what, "all suites");

    struct report_table t;
    report_pareto_table(&pa, &t);
    struct buf b = { 0 };
    if (fmt == REPORT_FMT_MD)
        buf_printf(&b, "### Pareto frontier: quality (%s) vs %s\n\n%ld of %zu points on the frontier.\n\n",
                   what.data, report_xaxis_label(x), pa.n_frontier, pa.n);
    report_table_render(&t, fmt, &b);
    if (fmt == REPORT_FMT_MD && pa.n_skipped) {
        buf_puts(&b, "\nNot plotted:\n");
        for (size_t i = 0; i < pa.n_skipped; i++)
            buf_printf(&b, "- %s\n", pa.skipped[i]);
    }
    cmd_print(b.data ? b.data : "", b.len, fmt == REPORT_FMT_JSON);
    buf_free(&b);
    report_table_free(&t);

    if (plot) {
        char *title = xasprintf("Quality (%s) vs %s", what.data,
                                x == REPORT_X_GEN_TPS ? "generation speed"
                                : x == REPORT_X_TTFT_P95 ? "time to first token"
                                : x == REPORT_X_E2E_P50 ? "end-to-end latency"
                                : x == REPORT_X_MEMORY_GB ? "server memory" : "GPU memory");
        int prc = report_pareto_plot(&pa, plot, title, &err);
        free(title);
        if (prc < 0)
            rc = bai_error_report(&err);
        else if (prc == REPORT_PLOT_NO_GNUPLOT)
            log_warn("gnuplot not found: wrote the data and script next to %s (run gnuplot on the .gp file)",
                     plot);
        else
            log_info("wrote %s", plot);
    }
    buf_free(&what);
    report_pareto_free(&pa);
    report_points_free(&pts);
out:
    free(roles_file);
    report_roles_free(&roles);
    cli_free(&cmd_pareto_cli, &o);
    return rc;
}
