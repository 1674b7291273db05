/* resources.c - see resources.h. */
#include "report/resources.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/figures.h"
#include "report/params.h"
#include "stats/stats.h"
#include "store/store.h"
#include "util/mem.h"

double report_gb(double bytes)
{
    return isnan(bytes) || bytes < 0 ? NAN : bytes / 1e9;
}

static double known(double v)
{
    return v < 0 ? NAN : v;
}

int report_resources_load(struct sqlite3 *db, int64_t config_id, struct report_resources *out,
                          struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    out->load_ms = out->load_ms_max = out->rss_loaded_bytes = out->rss_peak_bytes = out->gpu_bytes = NAN;
    out->model_bytes = out->kv_bytes = out->compute_bytes = NAN;
    out->first_gen_tps = out->first_ttft_ms = out->first_e2e_ms = NAN;
    out->first_tokens = -1;
    out->layers_offloaded = out->layers_total = -1;
    struct store_server_start_info *v = NULL;
    size_t n = 0;
    if (store_config_starts(db, config_id, &v, &n, err) != 0)
        return -1;
    out->n_starts = n;
    for (size_t i = 0; i < n; i++) {
        const struct store_server_start *s = &v[i].s;
        double load = known(s->load_ms);
        if (i == 0) {
            out->load_ms = load;
            out->rss_loaded_bytes = known((double)s->rss_loaded_bytes);
            out->model_bytes = known((double)s->model_bytes);
            out->kv_bytes = known((double)s->kv_bytes);
            out->compute_bytes = known((double)s->compute_bytes);
            out->layers_offloaded = s->layers_offloaded;
            out->layers_total = s->layers_total;
            snprintf(out->gpu_devices, sizeof out->gpu_devices, "%s", s->gpu_devices ? s->gpu_devices : "");
            if (s->first_gen_tps >= 0 || s->first_e2e_ms >= 0) {
                out->first_gen_tps = known(s->first_gen_tps);
                out->first_ttft_ms = known(s->first_ttft_ms);
                out->first_e2e_ms = known(s->first_e2e_ms);
                out->first_tokens = s->first_tokens;
                out->first_is_warmup = 1;
            }
        }
        if (!isnan(load) && (isnan(out->load_ms_max) || load > out->load_ms_max))
            out->load_ms_max = load;
        double peak = known((double)(s->rss_peak_bytes >= 0 ? s->rss_peak_bytes : s->rss_loaded_bytes));
        if (!isnan(peak) && (isnan(out->rss_peak_bytes) || peak > out->rss_peak_bytes))
            out->rss_peak_bytes = peak;
        double gpu = known((double)(s->gpu_peak_bytes >= 0 ? s->gpu_peak_bytes : s->gpu_loaded_bytes));
        if (!isnan(gpu) && (isnan(out->gpu_bytes) || gpu > out->gpu_bytes))
            out->gpu_bytes = gpu;
        const char *src = s->gpu_source ? s->gpu_source : "";
        if (!strncmp(src, "unavailable: ", 13)) {
            if (!out->gpu_source[0])
                snprintf(out->gpu_note, sizeof out->gpu_note, "%s", src + 13);
        } else if (*src) {
            snprintf(out->gpu_source, sizeof out->gpu_source, "%s", src);
            out->gpu_note[0] = '\0';
        }
    }
    store_server_starts_free(v, n);
    if (n > 0 && !out->first_is_warmup) {
        double tps, ttft, e2e;
        int64_t tokens;
        int found = store_config_first_sample(db, config_id, &tps, &ttft, &e2e, &tokens, err);
        if (found < 0)
            return -1;
        if (found) {
            out->first_gen_tps = known(tps);
            out->first_ttft_ms = known(ttft);
            out->first_e2e_ms = known(e2e);
            out->first_tokens = tokens;
        }
    }
    return 0;
}

int report_offload_short(double ngl_asked, int offloaded, int total, char *msg, size_t len)
{
    int given = !isnan(ngl_asked) && ngl_asked >= 0;
    if (offloaded < 0)
        return 0;                /* the build offloads nothing and says nothing */
    if (total < 0) {             /* the server found no usable GPU */
        if (given && ngl_asked > 0) {
            snprintf(msg, len, "asked for %.0f layers on the GPU (-ngl %.0f); llama-server found no usable GPU, so "
                     "every layer runs on the CPU", ngl_asked, ngl_asked);
            return 1;
        }
        return 0;
    }
    int want = given ? (ngl_asked < total ? (int)ngl_asked : total) : total;
    if (offloaded >= want)
        return 0;
    if (given)
        snprintf(msg, len, "%d of %d layers on the GPU, asked for %d (-ngl %.0f): the other %d run on the CPU",
                 offloaded, total, want, ngl_asked, want - offloaded);
    else
        snprintf(msg, len, "%d of %d layers on the GPU (no -ngl given: llama-server's automatic fit chose): the "
                 "other %d run on the CPU", offloaded, total, total - offloaded);
    return 1;
}

void report_median_cell(struct report_table *t, size_t row, size_t col, const double *v, size_t n)
{
    struct report_median m;
    report_median_figures(v, n, &m);
    report_table_set_num(t, row, col, m.value, "%.1f");
    if (!isnan(m.value) && !isnan(m.lo))
        report_table_setf(t, row, col, "%.1f [%.1f, %.1f]", m.value, m.lo, m.hi);
}

/* "56.3 MB", "4.41 GB" (10^6, 10^9 bytes); "-" when unknown. */
static void set_bytes(struct report_table *t, size_t r, size_t c, double bytes)
{
    if (isnan(bytes) || bytes < 0) {
        report_table_set(t, r, c, NULL);
        return;
    }
    report_table_set_num(t, r, c, bytes / 1e9, "%.3f");
    report_table_setf(t, r, c, bytes >= 1e9 ? "%.2f GB" : "%.1f MB", bytes >= 1e9 ? bytes / 1e9 : bytes / 1e6);
}

/* The earliest measured sample's suite, and gen tok/s of that suite. */
struct warm_ctx {
    double t_first;
    char *suite;
    double *tps;
    size_t n, cap;
};

static int first_suite_cb(void *vctx, const struct store_config_sample *s)
{
    struct warm_ctx *c = vctx;
    if (s->status && strcmp(s->status, "ok"))
        return 0;
    if (s->t_start_s >= 0 && (isnan(c->t_first) || s->t_start_s < c->t_first)) {
        c->t_first = s->t_start_s;
        free(c->suite);
        c->suite = xstrdup(s->suite);
    }
    return 0;
}

static int warm_tps_cb(void *vctx, const struct store_config_sample *s)
{
    struct warm_ctx *c = vctx;
    if ((s->status && strcmp(s->status, "ok")) || !c->suite || strcmp(s->suite, c->suite) || s->gen_tps <= 0)
        return 0;
    XGROW(c->tps, c->n + 1, c->cap);
    c->tps[c->n++] = s->gen_tps;
    return 0;
}

size_t report_resources_table(struct sqlite3 *db, const char *run_id, struct report_table *t,
                              struct buf *notes, struct bai_error *err)
{
    static const char *const cols[] = { "config", "starts", "load s", "RSS after load", "RSS peak", "GPU",
                                        "model buffers", "KV cache", "compute buffers", "layers on GPU",
                                        "first request tok/s", "warm p50 tok/s", "suite" };
    report_table_init(t, sizeof cols / sizeof cols[0], cols);
    struct store_config_info *cfg = NULL;
    size_t nc = 0;
    if (store_run_configs_db(db, run_id, &cfg, &nc, err) < 0)
        return 0;
    size_t rows = 0;
    char gpu_note[400] = "";
    for (size_t i = 0; i < nc; i++) {
        struct report_resources res;
        if (report_resources_load(db, cfg[i].id, &res, err) != 0)
            break;
        if (res.n_starts == 0)
            continue;
        rows++;
        size_t r = report_table_add_row(t);
        report_table_set(t, r, 0, cfg[i].label);
        report_table_set_num(t, r, 1, (double)res.n_starts, "%.0f");
        if (res.n_starts > 1 && !isnan(res.load_ms_max) && res.load_ms_max > res.load_ms)
            report_table_setf(t, r, 2, "%.2f (max %.2f)", res.load_ms / 1000, res.load_ms_max / 1000);
        else
            report_table_set_num(t, r, 2, res.load_ms / 1000, "%.2f");
        set_bytes(t, r, 3, res.rss_loaded_bytes);
        set_bytes(t, r, 4, res.rss_peak_bytes);
        if (!isnan(res.gpu_bytes)) {
            set_bytes(t, r, 5, res.gpu_bytes);
        } else {
            report_table_set(t, r, 5, "unavailable");
            if (!gpu_note[0] && res.gpu_note[0])
                snprintf(gpu_note, sizeof gpu_note, "%s", res.gpu_note);
        }
        set_bytes(t, r, 6, res.model_bytes);
        set_bytes(t, r, 7, res.kv_bytes);
        set_bytes(t, r, 8, res.compute_bytes);
        if (res.layers_offloaded >= 0 && res.layers_total >= 0)
            report_table_setf(t, r, 9, "%d/%d", res.layers_offloaded, res.layers_total);
        else if (res.layers_offloaded == 0)
            report_table_set(t, r, 9, "0 (no usable GPU)");
        else
            report_table_set(t, r, 9, "- (no GPU backend)");
        if (!isnan(res.first_gen_tps))
            report_table_setf(t, r, 10, "%.1f%s", res.first_gen_tps, res.first_is_warmup ? " (warm-up)" : "");
        struct warm_ctx wc = { .t_first = NAN };
        if (store_config_samples(db, cfg[i].id, first_suite_cb, &wc, err) < 0 ||
            store_config_samples(db, cfg[i].id, warm_tps_cb, &wc, err) < 0) {
            free(wc.suite);
            free(wc.tps);
            break;
        }
        if (wc.n) {
            stats_sort(wc.tps, wc.n);
            report_table_set_num(t, r, 11, stats_percentile(wc.tps, wc.n, 50), "%.1f");
            report_table_set(t, r, 12, wc.suite);
        }
        free(wc.suite);
        free(wc.tps);
        cJSON *params = report_params_parse(cfg[i].params_json);
        char msg[300];
        if (notes && report_offload_short(report_param_num(params, "ngl"), res.layers_offloaded,
                                             res.layers_total, msg, sizeof msg))
            buf_printf(notes, "warning: %s: %s\n", cfg[i].label, msg);
        cJSON_Delete(params);
    }
    if (notes && gpu_note[0])
        buf_printf(notes, "GPU memory unavailable: %s.\n", gpu_note);
    store_configs_free(cfg, nc);
    return rows;
}

int report_resources_markdown(struct sqlite3 *db, const char *run_id, struct buf *out, struct bai_error *err)
{
    struct report_table t;
    struct buf warn = {0};
    bai_error_clear(err);
    size_t rows = report_resources_table(db, run_id, &t, &warn, err);
    int rc = err->msg[0] ? -1 : 0;
    if (rows) {
        buf_puts(out, "\n## Memory and load (per server start: load = process start to /health ready; RSS = the "
                      "server's processes, MB/GB = 10^6/10^9 bytes; first request = the first after the start)\n\n");
        report_table_md(&t, out);
        if (warn.len)
            buf_printf(out, "\n%s", warn.data);
        buf_putc(out, '\n');
    }
    buf_free(&warn);
    report_table_free(&t);
    return rc;
}
