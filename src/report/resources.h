/* resources.h - what a configuration costs to hold and to start: memory
 * (the server's resident set after load and at its peak, GPU memory, the
 * model / KV-cache / compute buffers llama-server reported), offloaded
 * layers and the partial-offload warning, load time to /health ready, and
 * the first request after a start next to the warm figures.
 * Owns: how the stored server starts (store_config_starts) become one
 * configuration's figures, the offload rule, and the "Memory and load"
 * table of `show` and the report. Does not own: measuring (backend/
 * procmem, gpumem, loadlog, memwatch) or the store. */
#ifndef BAI_REPORT_RESOURCES_H
#define BAI_REPORT_RESOURCES_H

#include <stddef.h>
#include <stdint.h>
#include "report/format.h"
#include "util/error.h"

struct sqlite3;

/* One configuration's figures; NaN / -1 where unknown. Memory in bytes. */
struct report_resources {
    size_t n_starts;             /* server starts recorded (0: none, e.g. an endpoint) */
    double load_ms;              /* the first start's load time */
    double load_ms_max;          /* the slowest start (restarts load from the page cache) */
    double rss_loaded_bytes;     /* first start, right after /health ready */
    double rss_peak_bytes;       /* highest over every start */
    double gpu_bytes;            /* highest over every start (GPU memory of its processes) */
    char gpu_source[16];         /* "nvml", "nvidia-smi"; "" unavailable */
    char gpu_note[400];          /* why unavailable, when it is */
    double model_bytes, kv_bytes, compute_bytes;   /* from the first start's load log */
    int layers_offloaded, layers_total;             /* -1 unknown */
    char gpu_devices[128];
    /* the first request after the first start: the warm-up when one was
     * sent, else the earliest measured sample */
    double first_gen_tps, first_ttft_ms, first_e2e_ms;
    int64_t first_tokens;
    int first_is_warmup;
};

/* Reads config_id's starts. 0, or -1 on a store error. A store without
 * server starts (older schema, an endpoint backend) gives n_starts 0. */
int report_resources_load(struct sqlite3 *db, int64_t config_id, struct report_resources *out,
                          struct bai_error *err);

/* The partial-offload rule. ngl_asked: the -ngl given (< 0 or NaN when not
 * given: llama-server's automatic fit decides); offloaded/total from the
 * load log (-1 unknown; offloaded 0 with total -1 means the server said it
 * found no usable GPU). Returns 1 and a sentence in msg when fewer layers
 * are on the GPU than asked for (all of them when not given, in a build
 * that offloads at all), else 0. */
int report_offload_short(double ngl_asked, int offloaded, int total, char *msg, size_t len);

/* A cell "p50 [lo, hi]" (report_median_figures; "p50" alone for one
 * value, "-" for none), the number being the median: prompt tokens/s. */
void report_median_cell(struct report_table *t, size_t row, size_t col, const double *v, size_t n);

/* GB (1e9 bytes) of a byte figure, NaN for unknown (< 0 or NaN). */
double report_gb(double bytes);

/* The "Memory and load" table of one run, one row per configuration that
 * has server starts: load s, RSS after load, RSS peak, GPU, model / KV /
 * compute buffers, layers on GPU, first request tok/s next to the warm p50
 * (the samples of the suite that request belonged to). Notes go to notes
 * (may be NULL), one line each: "warning: CONFIG: ..." for a partial
 * offload, and why GPU memory is unavailable. Returns the row count. */
size_t report_resources_table(struct sqlite3 *db, const char *run_id, struct report_table *t,
                              struct buf *notes, struct bai_error *err);

/* The same as a Markdown section for `show` ("## Memory and load"), or
 * nothing when no configuration of the run has server starts. */
int report_resources_markdown(struct sqlite3 *db, const char *run_id, struct buf *out,
                              struct bai_error *err);

#endif
