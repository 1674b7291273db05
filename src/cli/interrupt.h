/* interrupt.h - how a long command (run, resume, rescore) is interrupted.
 *
 * Owns: the SIGINT/SIGTERM/SIGHUP handlers of the benchai process and its
 * SIGPIPE disposition. The first signal only sets a flag that the runner
 * polls, so the samples in flight are stored and the command ends with exit 5
 * (resumable); a second SIGINT or SIGHUP leaves at once with exit 5 (the
 * launched servers and sandboxes die with benchai through PR_SET_PDEATHSIG;
 * the exit hook removes the sandbox's work dirs), a second SIGTERM changes
 * nothing (a scheduler and a job script may both send it). Does not own:
 * what a command
 * does once the flag is set (run/, the commands).
 */
#ifndef BAI_CLI_INTERRUPT_H
#define BAI_CLI_INTERRUPT_H

#include <signal.h>

/* Installs the handlers; returns the flag they set. */
volatile sig_atomic_t *cli_interrupt_install(void);

/* fn runs (from the handler: it must be async-signal-safe) just before a
 * signal ends the process, e.g. sandbox_workdirs_remove_all. */
void cli_interrupt_on_exit(void (*fn)(void));

/* yes = 1: the first signal already ends the process (after the exit
 * hook), for commands with nothing in flight worth finishing (score). */
void cli_interrupt_immediate(int yes);

#endif
