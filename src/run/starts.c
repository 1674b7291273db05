/* starts.c - each llama-server start of a point into the store: load time,
 * memory after load and at its peak, GPU memory, the load log's buffers and
 * offloaded layers, and the first request after the start (the warm-up).
 * Recorded when the server is ready (so a killed run keeps it) and again
 * after every suite and before the stop (peaks, restarts). A start with
 * fewer layers on the GPU than asked is warned about once, and recorded as
 * an incident "partial_offload". */
#include "run/run_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/resources.h"
#include "settings/settings.h"
#include "util/log.h"
#include "util/mem.h"

int run_starts_begin(struct store *st, int64_t config_id, struct backend *be, int shared, struct run_starts *rs,
                     struct bai_error *err)
{
    memset(rs, 0, sizeof *rs);
    rs->config_id = config_id;
    if (shared && be->server) {
        const struct llama_server_launch *l;
        rs->first_launch = llama_server_launches(be->server, &l);
        rs->n_warned = rs->first_launch;
    }
    rs->first.first_tokens = -1;
    rs->first.first_ttft_ms = rs->first.first_e2e_ms = rs->first.first_gen_tps = rs->first.first_prompt_tps = -1;
    int seq = store_server_start_next_seq(st, config_id, err);
    if (seq < 0)
        return -1;
    rs->base_seq = seq;
    return 0;
}

double run_starts_ngl_asked(const struct settings *s)
{
    int id;
    const char *v = s && settings_lookup("ngl", &id) == 0 ? settings_text(s, id) : NULL;
    if (!v || !strcmp(v, "auto"))
        return NAN;
    if (!strcmp(v, "all"))
        return 1e9;
    char *end;
    double n = strtod(v, &end);
    return end != v && !*end ? n : NAN;
}

void run_starts_first_request(struct run_starts *rs, const struct gen_response *resp)
{
    if (rs->have_first || !resp->ok)
        return;
    rs->have_first = 1;
    rs->first.first_ttft_ms = gen_ttft_ms(resp);
    rs->first.first_e2e_ms = gen_e2e_ms(resp);
    rs->first.first_gen_tps = resp->gen_tps;
    rs->first.first_prompt_tps = resp->prompt_tps;
    rs->first.first_tokens = resp->completion_tokens;
}

static void iso_time(double unix_s, char out[32])
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int run_starts_record(struct store *st, const char *run_id, struct run_starts *rs, struct backend *be,
                      double ngl_asked, const char *label, struct bai_error *err)
{
    if (!be->server)
        return 0;
    const struct llama_server_launch *l;
    size_t n = llama_server_launches(be->server, &l);
    for (size_t i = rs->first_launch; i < n; i++) {
        char t[32], gpu[448];
        iso_time(l[i].started_unix_s, t);
        char *buffers = cJSON_PrintUnformatted(l[i].log.buffers);
        const struct loadlog *g = &l[i].log;
        int offloaded = g->layers_offloaded, total = g->layers_total;
        if (offloaded < 0 && g->gpu_unusable)
            offloaded = 0;         /* "no usable GPU found": total stays unknown */
        struct store_server_start s = {
            .config_id = rs->config_id, .seq = rs->base_seq + (int)(i - rs->first_launch), .t = t, .load_ms = l[i].load_ms,
            .rss_loaded_bytes = l[i].mem.rss_bytes, .rss_peak_bytes = l[i].mem.rss_peak_bytes,
            .gpu_loaded_bytes = l[i].mem.gpu.bytes, .gpu_peak_bytes = l[i].mem.gpu_peak_bytes,
            .gpu_source = gpumem_describe(&l[i].mem.gpu, gpu, sizeof gpu),
            .model_bytes = g->model_bytes, .kv_bytes = g->kv_bytes, .compute_bytes = g->compute_bytes,
            .layers_offloaded = offloaded, .layers_total = total,
            .gpu_devices = g->gpu_devices[0] ? g->gpu_devices : NULL, .buffers_json = buffers,
            .first_ttft_ms = -1, .first_e2e_ms = -1, .first_gen_tps = -1, .first_prompt_tps = -1,
            .first_tokens = -1,
        };
        if (i == rs->first_launch && rs->have_first) {
            s.first_ttft_ms = rs->first.first_ttft_ms;
            s.first_e2e_ms = rs->first.first_e2e_ms;
            s.first_gen_tps = rs->first.first_gen_tps;
            s.first_prompt_tps = rs->first.first_prompt_tps;
            s.first_tokens = rs->first.first_tokens;
        }
        int rc = store_server_start_put(st, run_id, &s, err);
        cJSON_free(buffers);
        if (rc != 0)
            return -1;
        char msg[300];
        if (i >= rs->n_warned && report_offload_short(ngl_asked, offloaded, total, msg, sizeof msg)) {
            log_warn("%s: %s", label, msg);
            struct bai_error ignored = {0};
            store_incident_add(st, run_id, rs->config_id, "partial_offload", msg, &ignored);
        }
    }
    if (n > rs->n_warned)
        rs->n_warned = n;
    return 0;
}
