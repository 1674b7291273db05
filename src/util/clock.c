/* clock.c - the monotonic and wall clocks, ISO 8601 time stamps (made and
 * read), durations as text and a sleep that resumes after signals (see
 * clock.h). */
#include "util/clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

int64_t clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

double clock_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void clock_iso8601(char *out, size_t out_size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_sleep_ms(int64_t ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

double clock_iso8601_parse(const char *iso)
{
    struct tm tm = { 0 };
    const char *end = iso ? strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    return end && !*end ? (double)timegm(&tm) : NAN;
}

void clock_duration_text(double s, char *out, size_t size)
{
    if (s < 0 || isnan(s) || isinf(s))
        snprintf(out, size, "?");
    else if (s < 60)
        snprintf(out, size, "%.0fs", s);
    else if (s < 3600)
        snprintf(out, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(out, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}
