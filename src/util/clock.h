/* clock.h - the two clocks benchai uses: monotonic for every duration it
 * measures, wall time only for labelling runs; their stamps and durations
 * as text. */
#ifndef BAI_CLOCK_H
#define BAI_CLOCK_H

#include <stdint.h>
#include <stddef.h>

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t clock_mono_ns(void);

/* Seconds since the epoch, UTC, with sub-second precision. */
double clock_wall_s(void);

/* Formats the current UTC time as ISO 8601 ("2026-11-22T14:36:46Z"). */
void clock_iso8601(char *out, size_t out_size);

/* "2026-12-04T23:05:29Z" (the stores' time stamps) -> seconds since the
 * epoch; NAN for NULL or any other text. */
double clock_iso8601_parse(const char *iso);

/* A duration for people: "45s", "3m05s", "2h10m"; "?" for a negative or
 * non-finite value. */
void clock_duration_text(double seconds, char *out, size_t size);

/* Sleeps for ms milliseconds, resuming after signals. */
void clock_sleep_ms(int64_t ms);

#endif
