/* error.h - the one error type library code fills, and benchai's exit codes.
 *
 * Library code never prints or exits: it returns -1 (or NULL) and fills a
 * struct bai_error whose message names the thing (file:line:col, field, URL,
 * item id). Only cmd_* functions turn errors into stderr lines and exit codes.
 */
#ifndef BAI_ERROR_H
#define BAI_ERROR_H

#include <stddef.h>

/* Exit codes, documented in docs/cli.md. Keep the two in step. */
enum bai_exit {
    BAI_EXIT_OK = 0,          /* success */
    BAI_EXIT_FAIL = 1,        /* gate failed, regressions found, some checks failed */
    BAI_EXIT_USAGE = 2,       /* bad flag, bad input file, validation errors */
    BAI_EXIT_BACKEND = 3,     /* model server or endpoint unavailable */
    BAI_EXIT_STORE = 4,       /* results store cannot be opened, read or written */
    BAI_EXIT_INTERRUPTED = 5, /* stopped by a signal; the run is resumable */
    BAI_EXIT_SANDBOX = 6,     /* required isolation not available */
    BAI_EXIT_NO_SAMPLES = 7,  /* a run ended without one successful sample (every
                                 request failed or timed out, or nothing was sent) */
    BAI_EXIT_INTERNAL = 70    /* a bug in benchai */
};

struct bai_error {
    int exit_code;     /* one of enum bai_exit; 0 when no error was set */
    char msg[2048];
};

/* Sets the message (printf-style) and exit code; later calls overwrite. */
void bai_error_set(struct bai_error *err, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "context: " (for adding a file or item). */
void bai_error_prefix(struct bai_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void bai_error_clear(struct bai_error *err);

/* Prints "benchai: <msg>" to stderr and returns the error's exit code
 * (BAI_EXIT_INTERNAL when none was set). For cmd_* only. */
int bai_error_report(const struct bai_error *err);

#endif
