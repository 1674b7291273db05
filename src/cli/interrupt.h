/* interrupt.h - how a long command (run, resume, rescore) is interrupted.
 *
 * Owns: the SIGINT/SIGTERM/SIGHUP handlers of the benchai process and its
 * SIGPIPE disposition. The first signal only sets a flag that the runner
 * polls, so the samples in flight are stored and the command ends with exit 5
 * (resumable); a second SIGINT or SIGHUP leaves at once with exit 5 (the
 * launched servers die with benchai through PR_SET_PDEATHSIG), a second
 * SIGTERM changes nothing (a scheduler and a job script may both send it).
 * Does not own: what a command
 * does once the flag is set (run/, the commands).
 */
#ifndef BAI_CLI_INTERRUPT_H
#define BAI_CLI_INTERRUPT_H

#include <signal.h>

/* Installs the handlers; returns the flag they set. */
volatile sig_atomic_t *cli_interrupt_install(void);

#endif
