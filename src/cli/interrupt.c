/* interrupt.c - the signal handlers of long commands (interrupt.h). */
#include "cli/interrupt.h"
#include <string.h>
#include <unistd.h>
#include "util/error.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t exit_at_once;
static void (*volatile exit_hook)(void);

/* Leaving now: what the hook removes (the sandbox's work dirs) would
 * otherwise stay behind in TMPDIR. */
static void leave(void)
{
    void (*hook)(void) = exit_hook;
    if (hook)
        hook();
    _exit(BAI_EXIT_INTERRUPTED);
}

/* A repeated SIGTERM is the same request again, not impatience: a batch
 * scheduler signals every process of a job (scancel) while the job script's
 * trap forwards the signal it got too, and leaving at once would lose the
 * run's closing record (status interrupted). A second SIGINT or SIGHUP (a
 * user's second Ctrl-C) leaves at once. */
static void on_signal(int sig)
{
    if (exit_at_once)
        leave();
    if (stop_requested) {
        if (sig == SIGTERM)
            return;
        leave();
    }
    stop_requested = 1;
}

volatile sig_atomic_t *cli_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* a closed pipe or socket is an error return where it happens, not a death */
    signal(SIGPIPE, SIG_IGN);
    return &stop_requested;
}

void cli_interrupt_on_exit(void (*fn)(void))
{
    exit_hook = fn;
}

void cli_interrupt_immediate(int yes)
{
    exit_at_once = yes ? 1 : 0;
}
