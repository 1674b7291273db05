#include "cli/interrupt.h"
#include <string.h>
#include <unistd.h>
#include "util/error.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(BAI_EXIT_INTERRUPTED);
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
