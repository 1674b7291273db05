/* log.h - diagnostics on stderr, filtered by one verbosity level that the
 * command line sets once (-q / -v). stdout is reserved for results. */
#ifndef BAI_LOG_H
#define BAI_LOG_H

enum log_level { LOG_QUIET = 0, LOG_INFO = 1, LOG_DEBUG = 2 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* always shown */

/* A live display on stderr (run/progress.h) sets a hook called before each
 * log line is written, so it can erase itself first; NULL removes it. */
void log_set_hook(void (*before)(void *ctx), void *ctx);

#endif
