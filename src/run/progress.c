/* progress.c - the live status lines of a run (terminal) or its periodic
 * log lines (anything else). */
#include "run/progress.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "stats/stats.h"
#include "util/escape.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#define BAR_WIDTH 10

struct slot {
    char *config, *suite;
    size_t total, done_before, done, scored, errors, n_tps, cap_tps;
    double worth_sum;
    double *tps;                  /* every measured gen tok/s, for the running p50 */
    int64_t start_ns, last_log_ns;
    int active;
};

struct progress {
    struct progress_options o;
    pthread_mutex_t mu;
    struct slot *slots;
    size_t n_slots, cap_slots;
    int n_drawn;                  /* TTY: live lines on screen below the last log line */
    int64_t last_draw_ns;
};

/* ---- text ------------------------------------------------------------------------- */

void progress_format(const struct progress_figures *f, char *out, size_t size)
{
    struct buf b = { 0 };
    buf_printf(&b, "%s | %s | %zu/%zu samples", f->config, f->suite, f->done, f->total);
    if (f->scored)
        buf_printf(&b, " | score %.1f%%", f->score);
    if (f->tps > 0)
        buf_printf(&b, " | %.1f tok/s p50", f->tps);
    buf_printf(&b, " | %zu error%s", f->errors, f->errors == 1 ? "" : "s");
    if (f->done < f->total) {
        char eta[32];
        clock_duration_text(f->eta_s, eta, sizeof eta);
        buf_printf(&b, " | ETA %s", eta);
    }
    snprintf(out, size, "%s", b.data);
    buf_free(&b);
}

/* The median of the slot's speeds so far (a copy is sorted: a redraw is
 * at most a few times a second). */
static double running_p50(const struct slot *s)
{
    if (!s->n_tps)
        return 0;
    double *v = xmalloc(s->n_tps * sizeof *v);
    memcpy(v, s->tps, s->n_tps * sizeof *v);
    stats_sort(v, s->n_tps);
    double p50 = stats_percentile(v, s->n_tps, 50);
    free(v);
    return p50;
}

static void figures_of(const struct progress *p, const struct slot *s, int64_t now,
                       struct progress_figures *f)
{
    double elapsed = (double)(now - s->start_ns) / 1e9;
    size_t done = s->done_before + s->done;
    *f = (struct progress_figures){
        .config = s->config, .suite = s->suite, .done = done, .total = s->total,
        .scored = s->scored, .errors = s->errors,
        .score = s->scored ? 100.0 * s->worth_sum / (double)s->scored : 0,
        .tps = running_p50(s),
        /* throughput measured in this session only: stored samples took no time */
        .eta_s = s->done && elapsed > 0 && done <= s->total
                     ? (double)(s->total - done) * elapsed / (double)s->done : -1,
    };
}

/* Cuts s to at most width display columns (UTF-8 aware), in place. */
static void cut(char *s, int width)
{
    int cols = 0;
    for (char *c = s; *c; c++) {
        if (((unsigned char)*c & 0xC0) == 0x80)
            continue;   /* a continuation byte is part of the column before */
        if (cols++ == width) {
            *c = '\0';
            return;
        }
    }
}

/* One terminal line of slot s: a bar, then the figures, cut to the width. */
static void tty_line(const struct progress *p, const struct slot *s, int64_t now, struct buf *out)
{
    struct progress_figures f;
    figures_of(p, s, now, &f);
    char text[512];
    progress_format(&f, text, sizeof text);
    cut(text, p->o.width - BAR_WIDTH - 4);
    int fill = f.total ? (int)((double)BAR_WIDTH * (double)f.done / (double)f.total) : 0;
    if (fill > BAR_WIDTH)
        fill = BAR_WIDTH;
    buf_puts(out, p->o.color ? "\033[36m" : "");
    for (int i = 0; i < BAR_WIDTH; i++)
        buf_puts(out, i < fill ? (p->o.utf8 ? "\xe2\x96\x88" : "#") : (p->o.utf8 ? "\xe2\x96\x91" : "-"));
    buf_puts(out, p->o.color ? "\033[0m" : "");
    buf_printf(out, "  %s%s%s\n", f.errors && p->o.color ? "\033[33m" : "", text,
               f.errors && p->o.color ? "\033[0m" : "");
}

/* ---- terminal ---------------------------------------------------------------------- */

static void tty_erase(struct progress *p, struct buf *out)
{
    if (p->n_drawn)
        buf_printf(out, "\033[%dF\033[J", p->n_drawn);
    p->n_drawn = 0;
}

static void tty_draw(struct progress *p, int64_t now, struct buf *out)
{
    tty_erase(p, out);
    for (size_t i = 0; i < p->n_slots; i++) {
        if (!p->slots[i].active)
            continue;
        tty_line(p, &p->slots[i], now, out);
        p->n_drawn++;
    }
    p->last_draw_ns = now;
}

static void flush(struct progress *p, struct buf *b)
{
    if (b->len) {
        fwrite(b->data, 1, b->len, p->o.out);
        fflush(p->o.out);
    }
    buf_free(b);
}

/* util/log's hook: a log line is about to be written, so the live lines
 * leave the screen first (they come back at the next update). */
static void before_log(void *ctx)
{
    struct progress *p = ctx;
    pthread_mutex_lock(&p->mu);
    struct buf b = { 0 };
    tty_erase(p, &b);
    p->last_draw_ns = 0;
    flush(p, &b);
    pthread_mutex_unlock(&p->mu);
}

/* ---- life cycle --------------------------------------------------------------------- */

static int utf8_locale(void)
{
    const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return 0;
}

void progress_options_auto(struct progress_options *o, FILE *out, int quiet)
{
    memset(o, 0, sizeof *o);
    o->out = out;
    o->redraw_s = 0.25;
    o->log_every_s = 30;
    o->width = 80;
    if (quiet) {
        o->style = PROGRESS_OFF;
        return;
    }
    int fd = fileno(out);
    const char *term = getenv("TERM");
    int dumb = !term || !strcmp(term, "dumb");
    o->style = isatty(fd) && !dumb ? PROGRESS_TTY : PROGRESS_LOG;
    const char *no_color = getenv("NO_COLOR");
    o->color = o->style == PROGRESS_TTY && !(no_color && *no_color);
    o->utf8 = utf8_locale();
    struct winsize ws;
    if (o->style == PROGRESS_TTY && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        o->width = ws.ws_col;
}

struct progress *progress_new(const struct progress_options *o)
{
    if (o->style == PROGRESS_OFF)
        return NULL;
    struct progress *p = xcalloc(1, sizeof *p);
    p->o = *o;
    if (!p->o.now_ns)
        p->o.now_ns = clock_mono_ns;
    if (p->o.width < 40)
        p->o.width = 40;
    pthread_mutex_init(&p->mu, NULL);
    if (p->o.style == PROGRESS_TTY)
        log_set_hook(before_log, p);
    return p;
}

void progress_free(struct progress *p)
{
    if (!p)
        return;
    if (p->o.style == PROGRESS_TTY)
        log_set_hook(NULL, NULL);
    struct buf b = { 0 };
    tty_erase(p, &b);
    flush(p, &b);
    for (size_t i = 0; i < p->n_slots; i++) {
        free(p->slots[i].config);
        free(p->slots[i].suite);
        free(p->slots[i].tps);
    }
    free(p->slots);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int progress_begin(struct progress *p, const char *config, const char *suite, size_t total,
                   size_t done_before)
{
    if (!p)
        return -1;
    pthread_mutex_lock(&p->mu);
    XGROW(p->slots, p->n_slots + 1, p->cap_slots);
    int64_t now = p->o.now_ns();
    p->slots[p->n_slots] = (struct slot){
        /* names as one safe line: a model file's name must not reach the
         * terminal's escape parser (util/escape.h) */
        .config = esc_term_dup(config), .suite = esc_term_dup(suite), .total = total,
        .done_before = done_before, .start_ns = now, .last_log_ns = now, .active = 1,
    };
    int slot = (int)p->n_slots++;
    struct buf b = { 0 };
    if (p->o.style == PROGRESS_TTY)
        tty_draw(p, now, &b);
    flush(p, &b);
    pthread_mutex_unlock(&p->mu);
    return slot;
}

static void log_line(struct progress *p, const struct slot *s, int64_t now, const char *what,
                     struct buf *out)
{
    struct progress_figures f;
    figures_of(p, s, now, &f);
    char text[512], took[32];
    progress_format(&f, text, sizeof text);
    buf_printf(out, "benchai: %s %s", what, text);
    if (!strcmp(what, "done")) {
        clock_duration_text((double)(now - s->start_ns) / 1e9, took, sizeof took);
        buf_printf(out, " | took %s", took);
    }
    buf_putc(out, '\n');
}

void progress_sample(struct progress *p, int slot, int counted, double worth, int error, double gen_tps)
{
    if (!p || slot < 0)
        return;
    pthread_mutex_lock(&p->mu);
    struct slot *s = &p->slots[slot];
    s->done++;
    s->errors += error != 0;
    if (counted) {
        s->scored++;
        s->worth_sum += worth;
    }
    if (gen_tps > 0) {
        XGROW(s->tps, s->n_tps + 1, s->cap_tps);
        s->tps[s->n_tps++] = gen_tps;
    }
    int64_t now = p->o.now_ns();
    struct buf b = { 0 };
    if (p->o.style == PROGRESS_TTY && (double)(now - p->last_draw_ns) / 1e9 >= p->o.redraw_s) {
        tty_draw(p, now, &b);
    } else if (p->o.style == PROGRESS_LOG && (double)(now - s->last_log_ns) / 1e9 >= p->o.log_every_s) {
        log_line(p, s, now, "progress", &b);
        s->last_log_ns = now;
    }
    flush(p, &b);
    pthread_mutex_unlock(&p->mu);
}

void progress_end(struct progress *p, int slot)
{
    if (!p || slot < 0)
        return;
    pthread_mutex_lock(&p->mu);
    struct slot *s = &p->slots[slot];
    int64_t now = p->o.now_ns();
    struct buf b = { 0 };
    if (p->o.style == PROGRESS_TTY) {
        /* the finished line stays on screen above the live ones */
        tty_erase(p, &b);
        tty_line(p, s, now, &b);
        s->active = 0;
        tty_draw(p, now, &b);
    } else {
        s->active = 0;
        log_line(p, s, now, "done", &b);
    }
    flush(p, &b);
    pthread_mutex_unlock(&p->mu);
}
