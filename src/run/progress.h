/* progress.h - what a running `benchai run` shows while it works. On a
 * terminal: one status line per active (configuration, suite) with samples
 * done/total, the score so far (as report/figures.c counts samples: failed
 * requests are worth 0), the running p50 of generation tok/s, errors and an ETA from
 * the measured throughput, redrawn in place at most a few times a second
 * (ANSI; colour unless NO_COLOR; ASCII unless the locale is UTF-8). On
 * anything else (a log file, CI): a plain line per finished batch and one
 * every log_every_s seconds.
 *
 * Owns: the counts and rates of each active batch, rendering, rate
 * limiting, staying out of the way of log lines (util/log.h hook). Does
 * not own: what a sample is worth (the runner reports each one), the store.
 * Thread use: every function may be called from any thread (a mutex).
 */
#ifndef BAI_PROGRESS_H
#define BAI_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum progress_style { PROGRESS_OFF = 0, PROGRESS_TTY, PROGRESS_LOG };

struct progress_options {
    FILE *out;                    /* where the lines go (stderr) */
    enum progress_style style;
    int color;                    /* TTY: ANSI colours */
    int utf8;                     /* TTY: the bar's block glyphs, else '#' and '-' */
    int width;                    /* TTY: columns (lines are cut to fit) */
    double redraw_s;              /* TTY: at most one redraw per this many seconds */
    double log_every_s;           /* LOG: a line per active batch this often */
    int64_t (*now_ns)(void);      /* monotonic clock; NULL: clock_mono_ns (tests pass theirs) */
};

/* The options for out as benchai runs: TTY when out is a terminal, LOG
 * otherwise, OFF when quiet; colour unless $NO_COLOR is set or TERM is
 * dumb; UTF-8 when the locale's codeset is; width from the terminal. */
void progress_options_auto(struct progress_options *o, FILE *out, int quiet);

struct progress;

/* NULL when o->style is PROGRESS_OFF (every call below accepts NULL). */
struct progress *progress_new(const struct progress_options *o);
/* Erases the live lines (TTY) and frees. */
void progress_free(struct progress *p);

/* A batch starts: total samples it will hold when done (done_before of them
 * already stored by an earlier attempt, e.g. a resumed run). Returns its
 * slot for the calls below. */
int progress_begin(struct progress *p, const char *config, const char *suite, size_t total,
                   size_t done_before);

/* One finished sample of slot. counted: it is in the score, worth
 * (0..1) what report_sample_worth says; error: its request or scorer
 * failed; gen_tps <= 0 when not measured. */
void progress_sample(struct progress *p, int slot, int counted, double worth, int error, double gen_tps);

/* The batch is over: its final line is printed once and it leaves the
 * live lines. */
void progress_end(struct progress *p, int slot);

/* One batch's status line without colour, as both styles print it, e.g.
 * "tiny-dense k=4 | smoke | 12/40 samples | score 58.3% | 45.2 tok/s p50 | 0 errors | ETA 1m20s".
 * For tests. */
struct progress_figures {
    const char *config, *suite;
    size_t done, total, scored, errors;   /* scored: samples in the score */
    double score;                 /* 0-100 over the scored ones */
    double tps;                   /* running p50 of gen tok/s, <= 0: none */
    double eta_s;                 /* < 0: unknown */
};
void progress_format(const struct progress_figures *f, char *out, size_t size);

#endif
