/* Tests of the run's progress display (run/progress.h) with a fake clock:
 * the figures and ETA, the terminal's redraw limit and ANSI lines, the
 * plain log lines elsewhere, colour and glyph choices. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/progress.h"
#include "util/clock.h"
#include "util/log.h"

static int64_t fake_ns;
static int64_t fake_clock(void) { return fake_ns; }

static char *text;
static size_t text_len;
static FILE *mem;

static void open_mem(void)
{
    fake_ns = 1000000000LL;
    mem = open_memstream(&text, &text_len);
}

static void close_mem(void)
{
    if (mem)
        fclose(mem);
    mem = NULL;
    free(text);
    text = NULL;
}

TestSuite(progress, .init = open_mem, .fini = close_mem);

static struct progress *make(enum progress_style style, int color, int utf8)
{
    struct progress_options o = { .out = mem, .style = style, .color = color, .utf8 = utf8, .width = 120,
                                  .redraw_s = 0.25, .log_every_s = 30, .now_ns = fake_clock };
    return progress_new(&o);
}

static const char *written(void)
{
    fflush(mem);
    return text ? text : "";
}

Test(progress, durations)
{
    char s[32];
    clock_duration_text(45.4, s, sizeof s);
    cr_assert_str_eq(s, "45s");
    clock_duration_text(185, s, sizeof s);
    cr_assert_str_eq(s, "3m05s");
    clock_duration_text(7800, s, sizeof s);
    cr_assert_str_eq(s, "2h10m");
    clock_duration_text(-1, s, sizeof s);
    cr_assert_str_eq(s, "?");
}

Test(progress, one_line_of_figures)
{
    struct progress_figures f = { "tiny-dense k=4", "smoke", 12, 40, 12, 1, 58.33, 45.25, 80 };
    char s[256];
    progress_format(&f, s, sizeof s);
    cr_assert_str_eq(s, "tiny-dense k=4 | smoke | 12/40 samples | score 58.3% | 45.2 tok/s p50 | 1 error | ETA 1m20s");
    f.done = f.total = 40;
    f.scored = 0;
    f.tps = 0;
    f.errors = 0;
    progress_format(&f, s, sizeof s);
    cr_assert_str_eq(s, "tiny-dense k=4 | smoke | 40/40 samples | 0 errors", "no pass rate, speed or ETA to show");
}

Test(progress, log_lines_every_period_and_at_the_end)
{
    struct progress *p = make(PROGRESS_LOG, 1, 1);
    int slot = progress_begin(p, "cfg", "smoke", 10, 2);
    fake_ns += 10 * 1000000000LL;
    progress_sample(p, slot, 1, 1.0, 0, 40);
    progress_sample(p, slot, 1, 0.0, 0, 20);
    cr_assert_str_eq(written(), "", "nothing before log_every_s");
    fake_ns += 20 * 1000000000LL;   /* 30 s in, 3 done this session: 10 s per sample, 5 to go */
    progress_sample(p, slot, 1, 0.0, 1, 0);   /* a failed request: in the score, worth 0 */
    cr_assert_str_eq(written(),
                     "benchai: progress cfg | smoke | 5/10 samples | score 33.3% | 30.0 tok/s p50 | 1 error | ETA 50s\n");
    progress_end(p, slot);
    cr_assert(strstr(written(), "benchai: done cfg | smoke | 5/10 samples | score 33.3% | 30.0 tok/s p50 | 1 error "
                                "| ETA 50s | took 30s\n"), "%s", written());
    cr_assert(!strchr(written(), '\033'), "no escape codes in a log");
    progress_free(p);
}

Test(progress, terminal_redraws_in_place_at_most_every_quarter_second)
{
    struct progress *p = make(PROGRESS_TTY, 0, 0);
    int slot = progress_begin(p, "cfg", "smoke", 4, 0);
    const char *first = "----------  cfg | smoke | 0/4 samples | 0 errors | ETA ?\n";
    size_t len = strlen(first);
    cr_assert_str_eq(written(), first);
    fake_ns += 100000000LL;
    progress_sample(p, slot, 1, 1.0, 0, 0);
    cr_assert_eq(strlen(written()), len, "no redraw within 0.25 s: %s", written());
    fake_ns += 200000000LL;
    progress_sample(p, slot, 1, 1.0, 0, 0);
    /* up one line, clear below, the new line */
    cr_assert_str_eq(written() + len, "\033[1F\033[J#####-----  cfg | smoke | 2/4 samples | score 100.0% | 0 errors "
                                      "| ETA 0s\n");
    progress_free(p);
}

Test(progress, finished_lines_stay_and_log_lines_erase_the_live_ones)
{
    struct progress *p = make(PROGRESS_TTY, 0, 1);
    int a = progress_begin(p, "a", "s", 1, 0);
    int b = progress_begin(p, "b", "s", 2, 0);
    size_t before = strlen(written());
    progress_sample(p, a, 1, 1.0, 0, 0);
    progress_end(p, a);
    const char *after = written() + before;
    /* erase the two live lines, print a's final line, draw b alone */
    cr_assert(!strncmp(after, "\033[2F\033[J\xe2\x96\x88", 9), "%s", after);
    cr_assert(strstr(after, "a | s | 1/1 samples | score 100.0% | 0 errors\n"), "%s", after);
    const char *b_line = strstr(after, "b | s | 0/2 samples");
    cr_assert(b_line && strstr(after, "\xe2\x96\x91") , "b still live: %s", after);
    before = strlen(written());
    fflush(stderr);
    log_warn("something happened");   /* the hook erases b's line first */
    cr_assert_str_eq(written() + before, "\033[1F\033[J");
    progress_free(p);
    (void)b;
}

Test(progress, colour_only_when_asked)
{
    struct progress *p = make(PROGRESS_TTY, 1, 0);
    int slot = progress_begin(p, "c", "s", 1, 0);
    progress_sample(p, slot, 0, 0, 1, 0);
    progress_end(p, slot);
    cr_assert(strstr(written(), "\033[36m"), "%s", written());
    cr_assert(strstr(written(), "\033[33m"), "an error turns the line yellow: %s", written());
    progress_free(p);
}

Test(progress, automatic_options)
{
    struct progress_options o;
    setenv("TERM", "xterm", 1);
    setenv("NO_COLOR", "1", 1);
    setenv("LC_ALL", "C.UTF-8", 1);
    progress_options_auto(&o, mem, 0);
    cr_assert_eq(o.style, PROGRESS_LOG, "a memory stream is not a terminal");
    cr_assert_eq(o.color, 0);
    cr_assert_eq(o.utf8, 1);
    setenv("LC_ALL", "C", 1);
    progress_options_auto(&o, mem, 1);
    cr_assert_eq(o.style, PROGRESS_OFF, "-q: no progress");
    cr_assert_eq(o.utf8, 0);
    cr_assert_null(progress_new(&o));
    progress_sample(NULL, 0, 1, 1.0, 0, 1);   /* a NULL display takes every call */
    progress_end(NULL, 0);
    progress_free(NULL);
    unsetenv("NO_COLOR");
    unsetenv("LC_ALL");
}

/* The line shows the running median of gen tok/s, as every report's p50,
 * not the mean: 10, 20, 90 -> p50 20.0 (the mean would be 40.0). */
Test(progress, speed_is_the_running_p50)
{
    struct progress *p = make(PROGRESS_LOG, 0, 0);
    int slot = progress_begin(p, "cfg", "speed", 3, 0);
    progress_sample(p, slot, 0, 0, 0, 10);
    progress_sample(p, slot, 0, 0, 0, 90);
    progress_sample(p, slot, 0, 0, 0, 20);
    progress_end(p, slot);
    cr_assert(strstr(written(), "| 20.0 tok/s p50 |"), "%s", written());
    progress_free(p);
}
