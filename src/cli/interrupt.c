#include "cli/interrupt.h"
#include <string.h>
#include <unistd.h>
#include "util/error.h"

static volatile sig_atomic_t stop_requested;

/* A repeated SIGTERM is the same request again, not impatience: a batch
 * scheduler signals every process of a job (scancel) while the job script's
 * trap forwards the signal it got too, and leaving at once would lose the
 * run's closing record (status interrupted). A second SIGINT or SIGHUP (a
 * user's second Ctrl-C) leaves at once. */
static void on_signal(int sig)
{
    if (stop_requested) {
        if (sig == SIGTERM)
            return;
        _exit(BAI_EXIT_INTERRUPTED);
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
