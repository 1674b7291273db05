/* show.c - `benchai show RUN`: one run per config and suite: score with a
 * 95% CI, passed/scored, unparsed, errors, items, pass@k, speed percentiles;
 * its configs (with skipped/failed reasons) and incidents; optionally its
 * items. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/figures.h"
#include "report/format.h"
#include "report/master.h"
#include "report/passk.h"
#include "report/resources.h"
#include "report/shards.h"
#include "report/sweep.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"

struct show_opts {
    int items, failed, unscored;
    const char *format, *store;
    struct report_rules rules;
    double np_p95_limit;
};

static const struct cli_option show_options[] = {
    CLI_OPT_FLAG(0, "items", struct show_opts, items, "also list every item with its output"),
    CLI_OPT_FLAG(0, "failed", struct show_opts, failed,
                 "list only the items that failed: wrong, unparsed or not\n"
                 "scored answers first, then requests that failed or timed out"),
    CLI_OPT_FLAG(0, "unscored", struct show_opts, unscored,
                 "with --failed, also the answers no scorer scores (speed\nsuites), last"),
    CMD_RULES_OPTIONS(struct show_opts, rules),
    CLI_OPT_DOUBLE(0, "np-p95-limit", struct show_opts, np_p95_limit, "X", 1.0, 1000.0,
                   "-np sweeps: choose the largest aggregate tok/s whose p95\nE2E latency is at most X times np=1's (default " REPORT_NP_P95_LIMIT_TEXT ")"),
    CLI_OPT_FORMAT(struct show_opts, format, cli_formats_md_json, "output format"),
    CLI_OPT_STORE(struct show_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_show_cli = {
    .name = "show",
    .summary = "one run per config and suite: scores with CIs, speed, incidents",
    .usage = "RUN [--items | --failed [--unscored]] [--exclude-failed] [--judge TEXT]\n"
             " [--scorer NAME] [--np-p95-limit X] [-o md|json] [--store PATH]",
    .description =
        "Prints one run: per config, suite and scorer the score (0-100) with its 95%\n"
        "CI (the mean grade with a bootstrap CI for graded scorers: judge, f1, ifeval,\n"
        "needle; the pass rate with a Wilson CI for pass/fail ones), passed of the\n"
        "counted samples and the pass rate, unparsed answers, failed and timed-out\n"
        "requests (failures in the score: worth 0, unless --exclude-failed), items\n"
        "run (\"3 of 5\" when fewer than the suite has), pass@k when items have\n"
        "several samples, and speed (generation tok/s p50 with its 95% CI, TTFT\n"
        "p50/p95, E2E p50, draft acceptance, where the speed came from: server\n"
        "timings, usage or chunks, and prompt cache hits) of the answered samples, warm-ups\n"
        "excluded; then the configs (with the model's path) and the run's incidents.\n"
        "Two judges of one suite are two rows; \"shown\" marks the one table, status\n"
        "and the closing table of run show (--judge, --scorer choose).\n"
        "RUN is a full id, a unique prefix, tag:NAME (newest with that tag) or latest.\n",
    .options = show_options,
    CLI_ARGS_ONE_RUN,
    .run = cmd_show,
};

/* Sorts the group's vectors in place (they are ours). */
static void speed_figures(struct store_group *g, struct report_speed *f)
{
    report_group_speed(g, f);
}

/* ---- markdown ---------------------------------------------------------------- */

static void print_table(const struct report_table *t, struct buf *out)
{
    report_table_md(t, out);
}

static void md_header(const struct store_run_info *r, struct buf *out)
{
    char state[320];
    buf_printf(out, "# Run %s (%s)\n\n", r->id, cmd_run_state(r, state, sizeof state, NULL));
    buf_printf(out, "- started %s, finished %s\n", r->started, r->finished ? r->finished : "-");
    buf_printf(out, "- benchai %s, llama.cpp build %s\n",
               r->benchai_version ? r->benchai_version : "?",
               r->llama_build ? r->llama_build : "-");
    cJSON *h = r->host_json ? cJSON_Parse(r->host_json) : NULL;
    if (h) {
        const cJSON *cpu = cJSON_GetObjectItem(h, "cpu"), *cores = cJSON_GetObjectItem(h, "cores");
        const cJSON *ram = cJSON_GetObjectItem(h, "ram_bytes"), *gpu = cJSON_GetObjectItem(h, "gpu");
        const cJSON *name = cJSON_GetObjectItem(h, "hostname");
        buf_printf(out, "- host %s: %s, %d cores, %.1f GiB RAM",
                   cJSON_IsString(name) ? name->valuestring : "?",
                   cJSON_IsString(cpu) ? cpu->valuestring : "?",
                   cJSON_IsNumber(cores) ? cores->valueint : 0,
                   cJSON_IsNumber(ram) ? ram->valuedouble / 1073741824.0 : 0.0);
        int ngpu = cJSON_IsArray(gpu) ? cJSON_GetArraySize(gpu) : 0;
        for (int i = 0; i < ngpu; i++) {
            const cJSON *g = cJSON_GetArrayItem(gpu, i);
            buf_printf(out, "%s%s", i ? ", " : ", GPU ", cJSON_IsString(g) ? g->valuestring : "?");
        }
        buf_puts(out, ngpu ? "\n" : ", no GPU\n");
        cJSON_Delete(h);
    }
    if (r->tags && *r->tags)
        buf_printf(out, "- tags: %s\n", r->tags);
    if (r->shard)
        buf_printf(out, "- shard: %s\n", r->shard);
    if (r->note)
        buf_printf(out, "- note: %s\n", r->note);
    buf_printf(out, "- %lld samples in %lld configs\n\n", (long long)r->n_samples,
               (long long)r->n_configs);
}

/* The pass@k table, when some pass/fail scorer has items with several
 * samples, with a note line for every k left out. */
static void md_passk(const struct store_group *g, size_t n, const struct report_rules *rules, struct buf *out)
{
    static const char *const lead_cols[] = { "config", "suite", "scorer" };
    struct report_passk_rows rows = { .lead_cols = lead_cols, .n_lead = 3 };
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < g[i].n_scores; k++) {
            struct report_score f;
            report_group_score(&g[i], k, rules, &f);
            if (!f.has_passk)
                continue;
            char suite[256];
            snprintf(suite, sizeof suite, "%s v%d", g[i].suite_name, g[i].suite_version);
            const char *lead[] = { g[i].config_label, suite, g[i].scores[k].scorer };
            report_passk_rows_add(&rows, lead, &f.passk);
        }
    if (rows.n) {
        struct report_table t;
        struct buf notes = { 0 };
        report_passk_rows_table(&rows, &t, &notes, "note: ");
        buf_puts(out, "\n## pass@k (unbiased estimator, Chen et al. 2021; unparsed = failed)\n\n");
        print_table(&t, out);
        if (notes.len)
            buf_printf(out, "\n%s", notes.data);
        report_table_free(&t);
        buf_free(&notes);
    }
    report_passk_rows_free(&rows);
}

static void md_groups(struct store_group *g, size_t n, const struct report_rules *rules, struct buf *out)
{
    static const char *const qcols[] = { "config", "suite", "scorer", "score", "95% CI", "passed",
                                         "pass rate", "unparsed", "errors", "timeouts", "items",
                                         "samples" };
    static const char *const scols[] = { "config", "suite", "gen tok/s p50", "95% CI", "TTFT p50 ms",
                                         "TTFT p95 ms", "E2E p50 ms", "acceptance", "n",
                                         "speed from", "prompt cache hits", "prompt tok/s p50 [95% CI]" };
    struct report_table q, s;
    report_table_init(&q, 12, qcols);
    report_table_init(&s, 12, scols);
    struct buf notes = { 0 };
    int several = 0;
    for (size_t i = 0; i < n; i++) {
        char suite[256];
        snprintf(suite, sizeof suite, "%s v%d", g[i].suite_name, g[i].suite_version);
        char *items = report_items_text(g[i].n_items, g[i].suite_n_items);
        long shown = report_group_pick(&g[i], rules);
        several |= g[i].n_scores > 1;
        for (size_t k = 0; k < g[i].n_scores || (k == 0 && g[i].n_scores == 0); k++) {
            size_t r = report_table_add_row(&q);
            report_table_set(&q, r, 0, g[i].config_label);
            report_table_set(&q, r, 1, suite);
            report_table_set(&q, r, 10, items);
            report_table_set_num(&q, r, 11, (double)g[i].n_samples, "%.0f");
            if (g[i].n_scores == 0) {
                report_table_set(&q, r, 2, "(none)");
                report_table_set_num(&q, r, 8, (double)g[i].n_errors, "%.0f");
                report_table_set_num(&q, r, 9, (double)g[i].n_timeouts, "%.0f");
                continue;
            }
            struct report_score f;
            report_group_score(&g[i], k, rules, &f);
            if (g[i].n_scores > 1 && (long)k == shown)
                report_table_setf(&q, r, 2, "%s (shown)", f.scorer);
            else
                report_table_set(&q, r, 2, f.scorer);
            report_table_set_num(&q, r, 3, f.score, "%.1f");
            if (!isnan(f.lo))
                report_table_setf(&q, r, 4, "[%.1f, %.1f]", f.lo, f.hi);
            if (f.pass_n) {
                report_table_setf(&q, r, 5, "%zu/%zu", f.passed, f.pass_n);
                report_table_set_num(&q, r, 6, f.pass_rate, "%.1f");
            }
            report_table_set_num(&q, r, 7, (double)f.n_unparsed, "%.0f");
            report_table_set_num(&q, r, 8, (double)f.n_errors, "%.0f");
            report_table_set_num(&q, r, 9, (double)f.n_timeouts, "%.0f");
            if (f.n_score_errors)
                buf_printf(&notes, "- %s / %s / %s: %zu answer%s not scored (the scorer failed; "
                                   "benchai rescore scores %s)\n",
                           g[i].config_label, suite, f.scorer, f.n_score_errors, f.n_score_errors == 1 ? "" : "s",
                           f.n_score_errors == 1 ? "it" : "them");
            if (f.n_missing)
                buf_printf(&notes, "- %s / %s / %s: %zu answer%s without a score of this scorer "
                                   "(not counted)\n",
                           g[i].config_label, suite, f.scorer, f.n_missing, f.n_missing == 1 ? "" : "s");
        }
        free(items);
        struct report_speed sp;
        speed_figures(&g[i], &sp);
        size_t r = report_table_add_row(&s);
        report_table_set(&s, r, 0, g[i].config_label);
        report_table_set(&s, r, 1, suite);
        report_table_set_num(&s, r, 2, sp.gen_tps_p50, "%.1f");
        if (!isnan(sp.gen_tps_lo))
            report_table_setf(&s, r, 3, "[%.1f, %.1f]", sp.gen_tps_lo, sp.gen_tps_hi);
        report_table_set_num(&s, r, 4, sp.ttft_p50_ms, "%.1f");
        report_table_set_num(&s, r, 5, sp.ttft_p95_ms, "%.1f");
        report_table_set_num(&s, r, 6, sp.e2e_p50_ms, "%.0f");
        report_table_set_num(&s, r, 7, sp.acceptance, "%.3f");
        report_table_set_num(&s, r, 8, (double)sp.n, "%.0f");
        report_table_set(&s, r, 9, report_speed_source(g[i].n_speed_server, g[i].n_speed_usage,
                                                       g[i].n_speed_chunks));
        if (g[i].n_cache_known)
            report_table_setf(&s, r, 10, "%zu/%zu", g[i].n_cache_hits, g[i].n_cache_known);
        report_median_cell(&s, r, 11, g[i].prompt_tps, g[i].n_prompt_tps);
    }
    buf_puts(out, "## Quality\n\n");
    if (n)
        print_table(&q, out);
    else
        buf_puts(out, "(no samples stored)\n");
    if (n)
        buf_printf(out, "\nscore: the mean grade (judge, f1, ifeval, needle; bootstrap CI) or the pass rate "
                        "(Wilson CI), 0-100; %s.\n",
                   rules->exclude_failed ? report_exclude_failed_note
                                         : "requests that failed or timed out count as failures (worth 0)");
    if (several)
        buf_puts(out, "(shown): the score that table, status and run's closing table use for that suite "
                      "(--judge, --scorer choose another).\n");
    if (notes.len)
        buf_printf(out, "\n%s", notes.data);
    buf_free(&notes);
    md_passk(g, n, rules, out);
    buf_puts(out, "\n## Speed (answered samples; warm-ups, failed and timed-out requests excluded)\n\n");
    if (n)
        print_table(&s, out);
    buf_putc(out, '\n');
    report_table_free(&q);
    report_table_free(&s);
}

static void md_configs(const struct store_config_info *c, size_t n, struct buf *out)
{
    static const char *const cols[] = { "config", "backend", "model", "draft", "status", "reason" };
    struct report_table t;
    report_table_init(&t, 6, cols);
    for (size_t i = 0; i < n; i++) {
        size_t r = report_table_add_row(&t);
        report_table_set(&t, r, 0, c[i].label);
        report_table_set(&t, r, 1, c[i].backend);
        report_table_set(&t, r, 2, c[i].model);
        report_table_set(&t, r, 3, c[i].draft);
        report_table_set(&t, r, 4, c[i].status);
        report_table_set(&t, r, 5, c[i].reason);
    }
    buf_puts(out, "## Configs\n\n");
    print_table(&t, out);
    buf_putc(out, '\n');
    report_table_free(&t);
}

static const char *config_label(const struct store_config_info *c, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].id == id)
            return c[i].label;
    return NULL;
}

static void md_incidents(const struct store_incident_info *v, size_t n,
                         const struct store_config_info *c, size_t nc, struct buf *out)
{
    buf_puts(out, "## Incidents\n\n");
    if (!n)
        buf_puts(out, "none\n");
    for (size_t i = 0; i < n; i++) {
        const char *label = config_label(c, nc, v[i].config_id);
        buf_printf(out, "- %s %s%s%s%s: %s\n", v[i].t, v[i].kind, label ? " [" : "",
                   label ? label : "", label ? "]" : "", v[i].message ? v[i].message : "");
    }
}

/* ---- items ------------------------------------------------------------------- */

struct items_ctx {
    int json;
    struct report_table table;
    cJSON *array;
};

/* One line of text for a table cell: newlines shown as "\n", cut at max. */
static char *one_line(const char *s, size_t max)
{
    struct buf b = { 0 };
    if (!s)
        return NULL;
    for (const char *p = s; *p && b.len < max; p++) {
        if (*p == '\n')
            buf_puts(&b, "\\n");
        else if (*p == '\r' || *p == '\t')
            buf_putc(&b, ' ');
        else
            buf_putc(&b, *p);
    }
    if (strlen(s) > max)
        buf_puts(&b, "...");
    return buf_detach(&b);
}

static int item_row(void *vctx, const struct store_sample_row *r)
{
    struct items_ctx *ctx = vctx;
    if (ctx->json) {
        cJSON *o = cJSON_CreateObject();
        report_json_str(o, "config", r->config_label);
        report_json_str(o, "suite", r->suite_name);
        report_json_str(o, "item", r->item_id);
        cJSON_AddNumberToObject(o, "rep", r->rep);
        report_json_str(o, "status", r->status);
        report_json_str(o, "error", r->error);
        report_json_str(o, "scorer", r->scorer);
        if (r->scorer)
            cJSON_AddNumberToObject(o, "value", r->value);
        if (r->passed >= 0)
            cJSON_AddBoolToObject(o, "passed", r->passed);
        else
            cJSON_AddNullToObject(o, "passed");
        report_json_str(o, "score_status", r->score_status);
        report_json_str(o, "extracted", r->extracted);
        report_json_str(o, "output", r->output);
        cJSON_AddBoolToObject(o, "warmup", r->warmup);
        cJSON_AddItemToArray(ctx->array, o);
        return 0;
    }
    size_t row = report_table_add_row(&ctx->table);
    report_table_set(&ctx->table, row, 0, r->config_label);
    report_table_set(&ctx->table, row, 1, r->suite_name);
    report_table_setf(&ctx->table, row, 2, "%s#%d%s", r->item_id, r->rep, r->warmup ? " (warmup)" : "");
    int failed = r->status && strcmp(r->status, "ok");
    if (failed)
        report_table_set(&ctx->table, row, 3, !strcmp(r->status, "timeout") ? "timeout" : "error");
    else if (!r->scorer)
        report_table_set(&ctx->table, row, 3, "unscored");
    else if (r->score_status && strcmp(r->score_status, "scored"))
        report_table_set(&ctx->table, row, 3, r->score_status);
    else if (r->passed >= 0)
        report_table_set(&ctx->table, row, 3, r->passed ? "pass" : "FAIL");
    else
        report_table_setf(&ctx->table, row, 3, "%.3f", r->value);
    char *ex = one_line(r->extracted, 40);
    report_table_set(&ctx->table, row, 4, ex);
    free(ex);
    char *o = one_line(failed && !(r->output && *r->output) ? r->error : r->output, 100);
    if (failed && r->output && *r->output)
        report_table_setf(&ctx->table, row, 5, "%s [%s]", o, r->error ? r->error : r->status);
    else
        report_table_set(&ctx->table, row, 5, o);
    free(o);
    return 0;
}

/* The shards of a sharded run (docs/distributed.md): which are done,
 * partial, failed or missing, and each one's host, versions and GPUs. As
 * JSON, the run object's "shards" array. */
static void show_shards(struct store *st, const char *id, cJSON *json_run, struct buf *out)
{
    struct store_run_shards sh;
    struct bai_error err = { 0 };
    if (store_run_shards(st, id, &sh, &err) < 0)
        return;
    if (sh.n_shards <= 1) {
        store_run_shards_free(&sh);
        return;
    }
    if (json_run) {
        cJSON_AddItemToObject(json_run, "shards", report_shards_json(&sh));
    } else {
        buf_puts(out, "## Shards\n\n");
        struct buf line = { 0 };
        report_shards_summary(&sh, &line);
        if (line.len)
            buf_printf(out, "%s\n\n", line.data);
        buf_free(&line);
        report_shards_table(&sh, 0, out);
        buf_puts(out, "\n");
    }
    store_run_shards_free(&sh);
}

/* ---- json ---------------------------------------------------------------------- */

static cJSON *json_report(const struct store_run_info *r, struct store_group *g, size_t ng,
                          const struct store_config_info *c, size_t nc,
                          const struct store_incident_info *inc, size_t ni, const struct report_rules *rules)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "exclude_failed", rules->exclude_failed);
    cJSON *run = cJSON_AddObjectToObject(root, "run");
    report_json_str(run, "id", r->id);
    char state[320];
    const char *word;
    cmd_run_state(r, state, sizeof state, &word);
    report_json_str(run, "status", word);
    report_json_str(run, "state", state);
    report_json_str(run, "started", r->started);
    report_json_str(run, "finished", r->finished);
    report_json_str(run, "benchai_version", r->benchai_version);
    report_json_str(run, "llama_build", r->llama_build);
    report_json_str(run, "note", r->note);
    report_json_str(run, "tags", r->tags);
    report_json_str(run, "shard", r->shard);
    cJSON *host = r->host_json ? cJSON_Parse(r->host_json) : NULL;
    cJSON_AddItemToObject(run, "host", host ? host : cJSON_CreateNull());
    cJSON *configs = cJSON_AddArrayToObject(root, "configs");
    for (size_t i = 0; i < nc; i++) {
        cJSON *o = cJSON_CreateObject();
        report_json_str(o, "label", c[i].label);
        report_json_str(o, "backend", c[i].backend);
        report_json_str(o, "model", c[i].model);
        report_json_str(o, "draft", c[i].draft);
        report_json_str(o, "status", c[i].status);
        report_json_str(o, "reason", c[i].reason);
        cJSON *params = c[i].params_json ? cJSON_Parse(c[i].params_json) : NULL;
        cJSON_AddItemToObject(o, "params", params ? params : cJSON_CreateNull());
        cJSON_AddItemToArray(configs, o);
    }
    cJSON *groups = cJSON_AddArrayToObject(root, "groups");
    for (size_t i = 0; i < ng; i++) {
        cJSON *o = cJSON_CreateObject();
        report_json_str(o, "config", g[i].config_label);
        report_json_str(o, "suite", g[i].suite_name);
        cJSON_AddNumberToObject(o, "suite_version", g[i].suite_version);
        report_json_str(o, "suite_sha256", g[i].suite_sha256);
        cJSON_AddNumberToObject(o, "items", (double)g[i].n_items);
        report_json_num(o, "suite_items", g[i].suite_n_items > 0 ? (double)g[i].suite_n_items : NAN);
        cJSON_AddNumberToObject(o, "samples", (double)g[i].n_samples);
        cJSON_AddNumberToObject(o, "warmup", (double)g[i].n_warmup);
        cJSON_AddNumberToObject(o, "errors", (double)g[i].n_errors);
        cJSON_AddNumberToObject(o, "timeouts", (double)g[i].n_timeouts);
        cJSON *scores = cJSON_AddArrayToObject(o, "scores");
        long shown = report_group_pick(&g[i], rules);
        for (size_t k = 0; k < g[i].n_scores; k++) {
            struct report_score f;
            report_group_score(&g[i], k, rules, &f);
            cJSON *so = cJSON_CreateObject();
            report_json_str(so, "scorer", f.scorer);
            cJSON_AddBoolToObject(so, "shown", (long)k == shown);
            cJSON_AddBoolToObject(so, "graded", f.graded);
            report_json_num(so, "score", f.score);
            report_json_num(so, "ci_lo", f.lo);
            report_json_num(so, "ci_hi", f.hi);
            report_json_str(so, "ci_method", f.method);
            cJSON_AddNumberToObject(so, "n", (double)f.n);
            cJSON_AddNumberToObject(so, "sum", f.sum);
            cJSON_AddNumberToObject(so, "passed", (double)f.passed);
            cJSON_AddNumberToObject(so, "pass_n", (double)f.pass_n);
            report_json_num(so, "pass_rate", f.pass_rate);
            report_json_num(so, "pass_lo", f.pass_lo);
            report_json_num(so, "pass_hi", f.pass_hi);
            cJSON_AddNumberToObject(so, "scored", (double)f.n_scored);
            cJSON_AddNumberToObject(so, "unparsed", (double)f.n_unparsed);
            cJSON_AddNumberToObject(so, "errors", (double)f.n_errors);
            cJSON_AddNumberToObject(so, "timeouts", (double)f.n_timeouts);
            cJSON_AddNumberToObject(so, "score_errors", (double)f.n_score_errors);
            cJSON_AddNumberToObject(so, "missing", (double)f.n_missing);
            if (f.has_passk)
                cJSON_AddItemToObject(so, "pass_at_k", report_passk_json(&f.passk, 100));
            cJSON_AddItemToArray(scores, so);
        }
        struct report_speed sp;
        speed_figures(&g[i], &sp);
        cJSON *speed = cJSON_AddObjectToObject(o, "speed");
        report_json_num(speed, "gen_tps_p50", sp.gen_tps_p50);
        report_json_num(speed, "gen_tps_p50_lo", sp.gen_tps_lo);
        report_json_num(speed, "gen_tps_p50_hi", sp.gen_tps_hi);
        report_json_num(speed, "ttft_ms_p50", sp.ttft_p50_ms);
        report_json_num(speed, "ttft_ms_p50_lo", sp.ttft_lo_ms);
        report_json_num(speed, "ttft_ms_p50_hi", sp.ttft_hi_ms);
        report_json_num(speed, "ttft_ms_p95", sp.ttft_p95_ms);
        report_json_num(speed, "e2e_ms_p50", sp.e2e_p50_ms);
        report_json_num(speed, "acceptance", sp.acceptance);
        cJSON_AddNumberToObject(speed, "n", (double)sp.n);
        report_json_str(speed, "source", report_speed_source(g[i].n_speed_server, g[i].n_speed_usage,
                                                             g[i].n_speed_chunks));
        report_json_num(speed, "prompt_cache_hits", g[i].n_cache_known ? (double)g[i].n_cache_hits : NAN);
        report_json_num(speed, "prompt_cache_known", (double)g[i].n_cache_known);
        cJSON_AddItemToArray(groups, o);
    }
    cJSON *incidents = cJSON_AddArrayToObject(root, "incidents");
    for (size_t i = 0; i < ni; i++) {
        cJSON *o = cJSON_CreateObject();
        report_json_str(o, "t", inc[i].t);
        report_json_str(o, "kind", inc[i].kind);
        report_json_str(o, "config", config_label(c, nc, inc[i].config_id));
        report_json_str(o, "message", inc[i].message);
        cJSON_AddItemToArray(incidents, o);
    }
    return root;
}

/* ---- command -------------------------------------------------------------------- */

int cmd_show(int argc, char **argv)
{
    struct show_opts o = { .format = cli_default_format(cli_formats_md_json, "md"),
                           .store = cli_default_store() };
    int rc = cmd_options(&cmd_show_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *path = o.store;
    int failed = o.failed, items = o.items || o.failed, json = !strcmp(o.format, "json");
    if (o.unscored && !o.failed) {
        fprintf(stderr, "benchai show: --unscored goes with --failed (--items lists every sample)\n");
        return BAI_EXIT_USAGE;
    }
    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(path, &err);
    if (!st)
        return bai_error_report(&err);
    char id[STORE_RUN_ID_MAX];
    struct store_run_info run = { 0 };
    struct store_group *g = NULL;
    struct store_config_info *cfg = NULL;
    struct store_incident_info *inc = NULL;
    size_t ng = 0, nc = 0, ni = 0;
    struct items_ctx ictx = { .json = json };
    static const char *const icols[] = { "config", "suite", "item", "result", "extracted", "output" };
    rc = BAI_EXIT_OK;
    if (store_resolve_run(st, argv[0], id, &err) < 0 || store_run_get(st, id, &run, &err) < 0 ||
        store_run_groups(st, id, &g, &ng, &err) < 0 || store_run_configs(st, id, &cfg, &nc, &err) < 0 ||
        store_run_incidents(st, id, &inc, &ni, &err) < 0) {
        rc = bai_error_report(&err);
        goto done;
    }
    if (items) {
        if (json)
            ictx.array = cJSON_CreateArray();
        else
            report_table_init(&ictx.table, 6, icols);
        int which = !failed ? STORE_SAMPLES_ALL : o.unscored ? STORE_SAMPLES_FAILED_UNSCORED : STORE_SAMPLES_FAILED;
        if (store_run_samples(st, id, which, item_row, &ictx, &err) < 0) {
            rc = bai_error_report(&err);
            goto done;
        }
    }
    struct buf out = { 0 };
    if (json) {
        cJSON *root = json_report(&run, g, ng, cfg, nc, inc, ni, &o.rules);
        show_shards(st, id, cJSON_GetObjectItemCaseSensitive(root, "run"), NULL);
        if (ictx.array) {
            cJSON_AddItemToObject(root, "items", ictx.array);
            ictx.array = NULL;
        }
        report_json_emit(root, 1, &out);
    } else {
        md_header(&run, &out);
        show_shards(st, id, NULL, &out);
        md_groups(g, ng, &o.rules, &out);
        struct bai_error sweep_err = {0};
        if (report_tiers_markdown(st, id, &out, &sweep_err) != 0)
            buf_printf(&out, "\n(tier table unavailable: %s)\n", sweep_err.msg);
        struct report_sweep_opts sweep_opts = { .np_p95_limit = o.np_p95_limit };
        if (report_sweep_markdown_opts(store_db(st), id, &sweep_opts, &out, &sweep_err) != 0)
            buf_printf(&out, "\n(sweep tables unavailable: %s)\n", sweep_err.msg);
        if (report_resources_markdown(store_db(st), id, &out, &sweep_err) != 0)
            buf_printf(&out, "\n(memory and load figures unavailable: %s)\n", sweep_err.msg);
        md_configs(cfg, nc, &out);
        md_incidents(inc, ni, cfg, nc, &out);
        if (items) {
            buf_printf(&out, "\n## %s\n\n", failed ? "Failed items" : "Items");
            if (failed)
                buf_printf(&out, "Wrong, unparsed or unscored answers first, then requests that failed or "
                                 "timed out%s.\n\n",
                           o.unscored ? ", then answers no scorer scores" : " (--unscored adds answers no scorer scores)");
            if (ictx.table.nrows)
                print_table(&ictx.table, &out);
            else
                buf_puts(&out, "none\n");
        }
    }
    /* answers, incidents (a server's error body) and names are shown with
     * their control characters visible (cmd_print, util/escape.h) */
    if (cmd_print(out.data ? out.data : "", out.len, json) != BAI_EXIT_OK)
        rc = BAI_EXIT_FAIL;
    buf_free(&out);
done:
    if (items && !json)
        report_table_free(&ictx.table);
    cJSON_Delete(ictx.array);
    store_run_info_free(&run);
    store_groups_free(g, ng);
    store_configs_free(cfg, nc);
    store_incidents_free(inc, ni);
    store_close(st);
    return rc;
}
