/* status.c - `benchai status [RUN]`: how far a run is, from the store, in
 * another terminal while it runs: samples stored per (config, suite) of
 * the planned total the run recorded when it started, the rate, an ETA
 * and the last incident. Read-only (WAL: the running writer is not
 * disturbed and nothing waits for it). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/figures.h"
#include "plan/plan.h"
#include "report/format.h"
#include "report/shards.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/mem.h"

struct status_opts {
    const char *store, *format, *shards, *stalled_after;
    struct report_rules rules;
};

/* A running shard silent this long is shown as stalled: longer than any
 * model load seen, since the heartbeat is also written at each start. */
#define STALLED_AFTER_DEFAULT "15m"

static const struct cli_option status_options[] = {
    CMD_RULES_OPTIONS(struct status_opts, rules),
    CLI_OPT_FORMAT(struct status_opts, format, cli_formats_md_json, "output format"),
    CLI_OPT_STRING(0, "shards", struct status_opts, shards, "'PATTERN'",
                   "the shard stores of one run before they are merged (a quoted\nglob): progress per shard, "
                   "missing and stalled shards", .complete = CLI_COMP_FILE),
    CLI_OPT_STRING(0, "stalled-after", struct status_opts, stalled_after, "D",
                   "a running shard with no sign of life for D is stalled\n(default " STALLED_AFTER_DEFAULT ")"),
    CLI_OPT_STORE(struct status_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_status_cli = {
    .name = "status",
    .summary = "how far a run is: samples stored of the planned total, rate, ETA",
    .usage = "[RUN] [-o md|json] [--store PATH]\n"
             "[RUN] --shards 'results/shards/RUN-*.db' [--stalled-after D]",
    .description =
        "Shows a run's progress from the store, also while it runs in another\n"
        "terminal: per config and suite the samples stored (warm-ups left out) of the\n"
        "total the run planned when it started, the rate, an ETA from that rate, the\n"
        "errors and timeouts, the score so far (as show computes it), and the run's\n"
        "last incident. A run whose benchai process is gone (killed) reads \"stopped\n"
        "(no benchai process)\" (resume it with benchai resume RUN); one running on\n"
        "another host is not checked. RUN is an id, a unique prefix, tag:NAME\n"
        "or latest; without RUN, the newest running run, else the newest run.\n"
        "Runs started before benchai recorded planned totals show the stored counts.\n"
        "A sharded run also shows each shard (docs/distributed.md): its state (done,\n"
        "running, stalled, interrupted, failed, missing), samples of planned, host,\n"
        "versions, GPUs, last sign of life and ETA; --shards reads the shards' own\n"
        "stores while they run, before any merge.\n",
    .options = status_options,
    .args = "[RUN]", .max_args = 1, .args_complete = CLI_COMP_RUN,
    .run = cmd_status,
};

/* One (config, suite) of the run: what was planned and what is stored. */
struct line {
    const char *config, *suite;
    long long planned;           /* -1: not recorded */
    const struct store_progress_row *stored;   /* NULL: nothing stored yet */
    double score;                /* 0-100 (report/figures.c), NaN: none */
};

struct view {
    struct line *v;
    size_t n, cap;
};

static struct line *find_line(struct view *w, const char *config, const char *suite)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->v[i].config, config) && !strcmp(w->v[i].suite, suite))
            return &w->v[i];
    XGROW(w->v, w->n + 1, w->cap);
    w->v[w->n] = (struct line){ config, suite, -1, NULL, NAN };
    return &w->v[w->n++];
}

/* Planned rows from the plan JSON (borrowed strings point into plan). */
static void add_planned(struct view *w, const cJSON *plan)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(plan, "planned")) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "config");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(row, "suite");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(row, "samples");
        if (cJSON_IsString(c) && cJSON_IsString(s) && cJSON_IsNumber(n))
            find_line(w, c->valuestring, s->valuestring)->planned = (long long)n->valuedouble;
    }
}

/* Planned rows from the run's manifest, summed over its shards: the
 * whole run's plan, whichever shard's store this is. */
static void add_manifest(struct view *w, const struct store_planned_total *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        find_line(w, rows[i].config, rows[i].suite)->planned = rows[i].samples;
}

/* Samples per second between the first and the last send (NAN: fewer
 * than two, or no wall-clock times). */
static double rate_of(int64_t samples, double first_s, double last_s)
{
    if (samples < 2 || isnan(first_s) || isnan(last_s) || last_s <= first_s)
        return NAN;
    return (double)(samples - 1) / (last_s - first_s);
}

static void eta_text(int running, long long planned, int64_t stored, double rate, char *out, size_t size)
{
    if (planned >= 0 && stored >= planned)
        snprintf(out, size, "done");
    else if (!running || planned < 0 || isnan(rate))
        snprintf(out, size, "-");
    else
        clock_duration_text((double)(planned - stored) / rate, out, size);
}

/* Without a RUN: the newest running run, when there is one, rather than
 * the newest run. */
static void prefer_running(struct store *st, char id[STORE_RUN_ID_MAX])
{
    struct store_run_filter f = { .status = "running", .limit = 1 };
    struct store_run_info *runs = NULL;
    size_t n = 0;
    struct bai_error err = { 0 };
    if (store_runs_list(st, &f, &runs, &n, &err) == 0 && n)
        snprintf(id, STORE_RUN_ID_MAX, "%s", runs[0].id);
    store_runs_free(runs, n);
}

static void render_md(const struct store_run_info *run, struct view *w, const struct store_incident_info *last,
                      const struct report_rules *rules, struct buf *b)
{
    char state[320];
    const char *word;
    cmd_run_state(run, state, sizeof state, &word);
    int running = !strcmp(word, "running");
    long long planned = 0, stored = 0;
    int all_planned = w->n > 0;
    double first = NAN, lastt = NAN;
    static const char *const cols[] = { "config", "suite", "samples", "of", "done", "per min", "ETA", "errors",
                                        "timeouts", "score" };
    struct report_table t;
    report_table_init(&t, 10, cols);
    for (size_t i = 0; i < w->n; i++) {
        const struct line *l = &w->v[i];
        const struct store_progress_row *s = l->stored;
        int64_t n = s ? s->samples : 0;
        double rate = s ? rate_of(n, s->first_s, s->last_s) : NAN;
        char eta[32];
        eta_text(running, l->planned, n, rate, eta, sizeof eta);
        size_t r = report_table_add_row(&t);
        report_table_set(&t, r, 0, l->config);
        report_table_set(&t, r, 1, l->suite);
        report_table_set_num(&t, r, 2, (double)n, "%.0f");
        report_table_set_num(&t, r, 3, l->planned >= 0 ? (double)l->planned : NAN, "%.0f");
        report_table_set_num(&t, r, 4, l->planned > 0 ? 100.0 * (double)n / (double)l->planned : NAN, "%.0f%%");
        report_table_set_num(&t, r, 5, 60 * rate, "%.1f");
        report_table_set(&t, r, 6, eta);
        report_table_set_num(&t, r, 7, s ? (double)s->errors : NAN, "%.0f");
        report_table_set_num(&t, r, 8, s ? (double)s->timeouts : NAN, "%.0f");
        report_table_set_num(&t, r, 9, l->score, "%.1f");
        all_planned &= l->planned >= 0;
        planned += l->planned > 0 ? l->planned : 0;
        stored += n;
        if (s && !isnan(s->first_s) && (isnan(first) || s->first_s < first))
            first = s->first_s;
        if (s && !isnan(s->last_s) && (isnan(lastt) || s->last_s > lastt))
            lastt = s->last_s;
    }
    /* the whole run's rate includes server start-ups between points, which
     * the rest of the run will have too */
    double rate = rate_of(stored, first, lastt);
    char since[32], eta[32];
    int stopped = !strcmp(word, "stopped");
    double end_s = running ? clock_wall_s() : stopped ? lastt : clock_iso8601_parse(run->finished);
    clock_duration_text(end_s - clock_iso8601_parse(run->started), since, sizeof since);
    eta_text(running, all_planned ? planned : -1, stored, rate, eta, sizeof eta);
    buf_printf(b, "run %s: %s, started %s (%s %s)", run->id, state, run->started,
               running ? "running for" : stopped ? "last sample sent after" : "took", since);
    if (all_planned)
        buf_printf(b, "; %lld of %lld samples (%.0f%%)", stored, planned,
                   planned ? 100.0 * (double)stored / (double)planned : 100.0);
    else
        buf_printf(b, "; %lld samples stored", stored);
    if (!isnan(rate))
        buf_printf(b, ", %.1f/min", 60 * rate);
    if (running)
        buf_printf(b, ", ETA %s", eta);
    buf_puts(b, "\n\n");
    if (w->n)
        report_table_md(&t, b);
    else
        buf_puts(b, "(nothing planned or stored yet)\n");
    report_table_free(&t);
    if (w->n)
        buf_printf(b, "\nscore: 0-100, as benchai show computes it; %s.\n",
                   rules->exclude_failed ? report_exclude_failed_note
                                         : "requests that failed or timed out count as failures");
    if (stopped)
        buf_printf(b, "\nits benchai process (pid %ld) is gone; continue the run with: benchai resume %s\n",
                   run->owner.pid, run->id);
    if (last)
        buf_printf(b, "\nlast incident: %s %s: %s\n", last->t, last->kind, last->message ? last->message : "");
}

static void render_json(const struct store_run_info *run, struct view *w, const struct store_incident_info *last,
                        const struct report_rules *rules, cJSON *shards, struct buf *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run", run->id);
    char state[320];
    const char *word;
    cmd_run_state(run, state, sizeof state, &word);
    cJSON_AddStringToObject(o, "status", word);
    cJSON_AddStringToObject(o, "state", state);
    if (run->owner.pid > 0) {
        cJSON *own = cJSON_AddObjectToObject(o, "process");
        cJSON_AddNumberToObject(own, "pid", (double)run->owner.pid);
        cJSON_AddStringToObject(own, "host", run->owner.host);
    }
    cJSON_AddBoolToObject(o, "exclude_failed", rules->exclude_failed);
    cJSON_AddStringToObject(o, "started", run->started);
    cJSON *arr = cJSON_AddArrayToObject(o, "groups");
    for (size_t i = 0; i < w->n; i++) {
        const struct line *l = &w->v[i];
        const struct store_progress_row *s = l->stored;
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "config", l->config);
        cJSON_AddStringToObject(g, "suite", l->suite);
        cJSON_AddNumberToObject(g, "samples", s ? (double)s->samples : 0);
        if (l->planned >= 0)
            cJSON_AddNumberToObject(g, "planned", (double)l->planned);
        else
            cJSON_AddNullToObject(g, "planned");
        cJSON_AddNumberToObject(g, "errors", s ? (double)s->errors : 0);
        cJSON_AddNumberToObject(g, "timeouts", s ? (double)s->timeouts : 0);
        if (isnan(l->score))
            cJSON_AddNullToObject(g, "score");
        else
            cJSON_AddNumberToObject(g, "score", l->score);
        double rate = s ? rate_of(s->samples, s->first_s, s->last_s) : NAN;
        if (isnan(rate))
            cJSON_AddNullToObject(g, "per_min");
        else
            cJSON_AddNumberToObject(g, "per_min", 60 * rate);
        cJSON_AddItemToArray(arr, g);
    }
    if (last) {
        cJSON *inc = cJSON_AddObjectToObject(o, "last_incident");
        cJSON_AddStringToObject(inc, "t", last->t);
        cJSON_AddStringToObject(inc, "kind", last->kind);
        cJSON_AddStringToObject(inc, "message", last->message ? last->message : "");
    }
    if (shards)
        cJSON_AddItemToObject(o, "shards", shards);
    char *text = cJSON_Print(o);
    buf_printf(b, "%s\n", text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* The shards table of a sharded run (md). */
static void add_shards(const struct store_run_shards *sh, struct buf *b)
{
    struct buf line = { 0 };
    report_shards_summary(sh, &line);
    buf_printf(b, "\n%s\n\n", line.len ? line.data : "shards:");
    buf_free(&line);
    report_shards_table(sh, clock_wall_s(), b);
}

/* `status --shards PATTERN`: the shard stores of one run, not merged. */
static int status_of_shard_stores(const struct status_opts *o, const char *spec, double stalled_after_s)
{
    struct store_run_shards sh;
    char id[STORE_RUN_ID_MAX];
    size_t n_stores = 0;
    struct bai_error err = { 0 };
    if (report_shards_gather(o->shards, spec, &sh, id, &n_stores, &err) < 0)
        return bai_error_report(&err);
    store_run_shards_liveness(&sh, clock_wall_s(), stalled_after_s);
    const char *status = store_run_shards_status(&sh);
    struct buf b = { 0 };
    if (!strcmp(o->format, "json")) {
        cJSON *obj = cJSON_CreateObject();
        cJSON_AddStringToObject(obj, "run", id);
        cJSON_AddStringToObject(obj, "status", status ? status : "?");
        cJSON_AddNumberToObject(obj, "stores", (double)n_stores);
        cJSON_AddNumberToObject(obj, "samples", (double)sh.stored);
        cJSON_AddNumberToObject(obj, "planned", (double)sh.planned);
        cJSON_AddItemToObject(obj, "shards", report_shards_json(&sh));
        char *text = cJSON_Print(obj);
        buf_printf(&b, "%s\n", text);
        cJSON_free(text);
        cJSON_Delete(obj);
    } else {
        buf_printf(&b, "run %s: %s; %zu shard store%s; %lld of %lld samples (%.0f%%)\n", id, status ? status : "?",
                   n_stores, n_stores == 1 ? "" : "s", (long long)sh.stored, (long long)sh.planned,
                   sh.planned ? 100.0 * (double)sh.stored / (double)sh.planned : 100.0);
        struct buf line = { 0 };
        report_shards_summary(&sh, &line);
        if (line.len)
            buf_printf(&b, "%s\n", line.data);
        buf_free(&line);
        buf_puts(&b, "\n");
        report_shards_table(&sh, clock_wall_s(), &b);
    }
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
    store_run_shards_free(&sh);
    return fflush(stdout) == 0 ? BAI_EXIT_OK : BAI_EXIT_FAIL;
}

int cmd_status(int argc, char **argv)
{
    struct status_opts o = { .store = cli_default_store(), .format = cli_default_format(cli_formats_md_json, "md") };
    int rc = cmd_options(&cmd_status_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    double stalled_after_s = plan_parse_duration(o.stalled_after ? o.stalled_after : STALLED_AFTER_DEFAULT);
    if (stalled_after_s <= 0) {
        fprintf(stderr, "benchai status: --stalled-after: expected a duration such as 15m, 1h, 90s, not '%s'\n",
                o.stalled_after);
        return BAI_EXIT_USAGE;
    }
    if (o.shards)
        return status_of_shard_stores(&o, argc ? argv[0] : NULL, stalled_after_s);
    char id[STORE_RUN_ID_MAX];
    struct store *st = cmd_open_run(o.store, argc ? argv[0] : "latest", id, &rc);
    if (!st)
        return rc;
    if (!argc)
        prefer_running(st, id);
    struct bai_error err = { 0 };
    struct store_run_info run = { 0 };
    struct store_progress_row *rows = NULL;
    struct store_incident_info *inc = NULL;
    struct store_planned_total *manifest = NULL;
    struct store_run_shards shards = { 0 };
    size_t n_rows = 0, n_inc = 0, n_manifest = 0;
    if (store_run_get(st, id, &run, &err) < 0 || store_run_progress(st, id, &rows, &n_rows, &err) < 0 ||
        store_run_incidents(st, id, &inc, &n_inc, &err) < 0 ||
        store_run_planned(st, id, &manifest, &n_manifest, &err) < 0 || store_run_shards(st, id, &shards, &err) < 0) {
        rc = bai_error_report(&err);
        goto out;
    }
    cJSON *plan = run.plan_json ? cJSON_Parse(run.plan_json) : NULL;
    struct view w = { 0 };
    if (n_manifest)
        add_manifest(&w, manifest, n_manifest);
    else
        add_planned(&w, plan);
    for (size_t i = 0; i < n_rows; i++)
        find_line(&w, rows[i].config_label, rows[i].suite_name)->stored = &rows[i];
    /* the score so far, as every command computes it */
    struct store_group *g = NULL;
    size_t ng = 0;
    if (store_run_groups(st, id, &g, &ng, &err) < 0) {
        free(w.v);
        cJSON_Delete(plan);
        rc = bai_error_report(&err);
        goto out;
    }
    for (size_t i = 0; i < ng; i++) {
        long k = report_group_pick(&g[i], &o.rules);
        if (k < 0)
            continue;
        struct report_score f;
        report_group_score(&g[i], (size_t)k, &o.rules, &f);
        find_line(&w, g[i].config_label, g[i].suite_name)->score = f.score;
    }
    struct buf b = { 0 };
    /* live states (stalled) for a sharded run */
    store_run_shards_liveness(&shards, clock_wall_s(), stalled_after_s);
    if (!strcmp(o.format, "json"))
        render_json(&run, &w, n_inc ? &inc[n_inc - 1] : NULL, &o.rules,
                    shards.n_shards > 1 ? report_shards_json(&shards) : NULL, &b);
    else
        render_md(&run, &w, n_inc ? &inc[n_inc - 1] : NULL, &o.rules, &b);
    if (shards.n_shards > 1 && strcmp(o.format, "json"))
        add_shards(&shards, &b);
    store_groups_free(g, ng);
    rc = cmd_print(b.data ? b.data : "", b.len, !strcmp(o.format, "json"));
    buf_free(&b);
    free(w.v);
    cJSON_Delete(plan);
out:
    store_planned_free(manifest, n_manifest);
    store_run_shards_free(&shards);
    store_run_info_free(&run);
    store_progress_free(rows, n_rows);
    store_incidents_free(inc, n_inc);
    store_close(st);
    return rc;
}
