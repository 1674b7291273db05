/* memwatch.h - the memory of a running server over its life: one sample
 * right after it is ready (what the loaded model holds) and a thread that
 * keeps sampling until it stops, remembering the highest resident set and
 * GPU memory seen. The server's own kernel-kept peak (VmHWM) is read at
 * every sample too, so a spike between two samples is not missed for the
 * server process itself.
 * Owns: the sampling thread and the peaks. Does not own: reading /proc
 * (procmem.h) or the driver (gpumem.h). */
#ifndef BAI_MEMWATCH_H
#define BAI_MEMWATCH_H

#include <stdint.h>
#include <sys/types.h>

#include "backend/gpumem.h"

/* Resident set every this often; GPU memory (when a driver answered at the
 * first sample) every MEMWATCH_GPU_MS. */
#define MEMWATCH_RSS_MS 250
#define MEMWATCH_GPU_MS 2000

struct memwatch_figures {
    int64_t rss_bytes;           /* the process group's resident set at the first sample */
    int64_t rss_peak_bytes;      /* highest since (>= the leader's VmHWM) */
    struct gpumem gpu;           /* at the first sample; bytes -1 = unavailable */
    int64_t gpu_peak_bytes;      /* -1 = unavailable */
};

struct memwatch;

/* Takes the first sample of process group pgid now and starts the thread.
 * NULL only when the thread cannot start (the first sample is then in
 * *first all the same). */
struct memwatch *memwatch_start(pid_t pgid, struct memwatch_figures *first);
/* The figures so far, after one fresh sample. Thread-safe. */
void memwatch_read(struct memwatch *w, struct memwatch_figures *out);
/* One last sample (call while the server still runs), stops the thread,
 * frees; out may be NULL. NULL w is fine. */
void memwatch_stop(struct memwatch *w, struct memwatch_figures *out);

#endif
