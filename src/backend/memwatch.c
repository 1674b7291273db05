/* memwatch.c - see memwatch.h. */
#include "backend/memwatch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/procmem.h"
#include "util/clock.h"
#include "util/mem.h"

#define MAX_PIDS 64

struct memwatch {
    pid_t pgid;
    pid_t pids[MAX_PIDS];        /* the group as last scanned (watch thread only) */
    size_t n_pids;
    unsigned ticks;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    int gpu_on;                  /* the driver answered at the first sample */
    int64_t last_gpu_ns;
    struct memwatch_figures f;
};

/* One sample into f. With known pids (n_known > 0) only those are read;
 * otherwise the whole of /proc is scanned for the group, and the pids
 * found are left in pids / *n_found when given. */
static void sample_pids(pid_t pgid, struct memwatch_figures *f, int with_gpu, int first, const pid_t *known,
                        size_t n_known, pid_t *found, size_t *n_found)
{
    struct procmem m;
    pid_t pids[MAX_PIDS];
    size_t n = 0;
    int rc = n_known ? procmem_pids(known, n_known, pgid, &m) : procmem_group(pgid, &m, pids, MAX_PIDS);
    if (rc == 0 && n_known)
        memcpy(pids, known, (n = n_known) * sizeof *pids);
    else if (rc == 0)
        n = m.n_procs < MAX_PIDS ? m.n_procs : MAX_PIDS;
    if (found && !n_known) {
        memcpy(found, pids, n * sizeof *pids);
        *n_found = n;
    }
    if (rc == 0) {
        if (first)
            f->rss_bytes = m.rss_bytes;
        int64_t peak = m.rss_bytes > m.leader_hwm_bytes ? m.rss_bytes : m.leader_hwm_bytes;
        if (peak > f->rss_peak_bytes)
            f->rss_peak_bytes = peak;
    }
    if (!with_gpu || n == 0)
        return;
    struct gpumem g;
    gpumem_query(pids, n, &g);
    if (first)
        f->gpu = g;
    if (g.bytes > f->gpu_peak_bytes)
        f->gpu_peak_bytes = g.bytes;
}

static void sample(pid_t pgid, struct memwatch_figures *f, int with_gpu, int first)
{
    sample_pids(pgid, f, with_gpu, first, NULL, 0, NULL, NULL);
}

/* Rescan /proc for the group's processes once a second; in between, read
 * only the processes found (a scan opens every process's stat file). */
#define RESCAN_TICKS 4

static void *watch_main(void *arg)
{
    struct memwatch *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += MEMWATCH_RSS_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        int rc = pthread_cond_timedwait(&w->wake, &w->lock, &ts);
        if (w->stop)
            break;
        if (rc != ETIMEDOUT)
            continue;
        int64_t now = clock_mono_ns();
        int gpu = w->gpu_on && now - w->last_gpu_ns >= (int64_t)MEMWATCH_GPU_MS * 1000000LL;
        if (gpu)
            w->last_gpu_ns = now;
        /* the sample itself runs without the lock: a slow nvidia-smi must
         * not block a reader */
        struct memwatch_figures f = w->f;
        pthread_mutex_unlock(&w->lock);
        int rescan = w->n_pids == 0 || ++w->ticks % RESCAN_TICKS == 0;
        sample_pids(w->pgid, &f, gpu, 0, rescan ? NULL : w->pids, rescan ? 0 : w->n_pids, w->pids, &w->n_pids);
        pthread_mutex_lock(&w->lock);
        if (f.rss_peak_bytes > w->f.rss_peak_bytes)
            w->f.rss_peak_bytes = f.rss_peak_bytes;
        if (f.gpu_peak_bytes > w->f.gpu_peak_bytes)
            w->f.gpu_peak_bytes = f.gpu_peak_bytes;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct memwatch *memwatch_start(pid_t pgid, struct memwatch_figures *first)
{
    struct memwatch_figures f = { .rss_bytes = -1, .rss_peak_bytes = -1, .gpu_peak_bytes = -1 };
    f.gpu.bytes = -1;
    sample(pgid, &f, 1, 1);
    if (first)
        *first = f;
    struct memwatch *w = xcalloc(1, sizeof *w);
    w->pgid = pgid;
    w->f = f;
    w->gpu_on = f.gpu.bytes >= 0;
    w->last_gpu_ns = clock_mono_ns();
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return NULL;
    }
    return w;
}

void memwatch_read(struct memwatch *w, struct memwatch_figures *out)
{
    pthread_mutex_lock(&w->lock);
    struct memwatch_figures f = w->f;
    int gpu = w->gpu_on;
    pthread_mutex_unlock(&w->lock);
    sample(w->pgid, &f, gpu, 0);
    pthread_mutex_lock(&w->lock);
    if (f.rss_peak_bytes > w->f.rss_peak_bytes)
        w->f.rss_peak_bytes = f.rss_peak_bytes;
    if (f.gpu_peak_bytes > w->f.gpu_peak_bytes)
        w->f.gpu_peak_bytes = f.gpu_peak_bytes;
    *out = w->f;
    pthread_mutex_unlock(&w->lock);
}

void memwatch_stop(struct memwatch *w, struct memwatch_figures *out)
{
    if (!w)
        return;
    struct memwatch_figures f;
    memwatch_read(w, &f);
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    if (out)
        *out = f;
    free(w);
}
