/* man.h - benchai(1), the man page, rendered as roff from the same command
 * tables that parse argv and print --help (`benchai --help-man`; `make`
 * writes build/benchai.1 with it and `make install` installs that), so the
 * page lists exactly the commands and flags the binary has.
 *
 * Owns: the roff rendering and the page's fixed sections (files,
 * environment, exit status). Does not own: the commands' texts (their
 * tables in src/cmd/).
 */
#ifndef BAI_CLI_MAN_H
#define BAI_CLI_MAN_H

#include <stddef.h>

#include "cli/options.h"

/* Appends the page for the commands (hidden ones left out) and the
 * global options of main. */
void cli_man(const struct cli_command *const *cmds, size_t n, const struct cli_command *global,
             struct buf *out);

/* Appends s as roff text: backslashes escaped, '-' as \-, a line starting
 * with '.' or '\'' guarded. */
void cli_man_text(const char *s, struct buf *out);

#endif
