/* complete.h - shell completion from the option tables: given the words
 * typed so far, what the word under the cursor can be (a command, a flag,
 * a flag's value, a positional argument) and the candidates the tables
 * themselves know (commands, flags, choices). The shell scripts in
 * scripts/completion call the hidden `benchai __complete WORD...`.
 *
 * Owns: reading the words against the tables, prefix filtering, the output
 * protocol. Does not own: candidates that live elsewhere (runs of the store,
 * suite files, scorers, import formats, registered models): the caller
 * (cmd/complete.c) adds those for the kind this module reports.
 */
#ifndef BAI_CLI_COMPLETE_H
#define BAI_CLI_COMPLETE_H

#include <stddef.h>

#include "cli/options.h"

/* What the current word is. */
struct cli_want {
    enum cli_complete kind;          /* dynamic kind for the caller, or CLI_COMP_NONE */
    const struct cli_command *cmd;   /* the command, NULL before it */
    const char *store;               /* --store given earlier on the line, or NULL */
    const char *prefix;              /* the part being completed */
    char emit_prefix[128];           /* printed before each candidate ("--output=") */
};

/* Reads words[0..n-1] (the words after "benchai"; the last one is the word
 * being completed, possibly "") against the command tables and the global
 * table. Static candidates (commands, flags, choices) are appended to out,
 * already filtered by the prefix; want says which dynamic kind the caller
 * should add (and with which prefix). */
void cli_complete(const struct cli_command *const *cmds, size_t n_cmds,
                  const struct cli_command *global, char **words, int n,
                  struct strv *out, struct cli_want *want);

/* Appends emit_prefix + cand to out when cand starts with want->prefix. */
void cli_complete_add(struct strv *out, const struct cli_want *want, const char *cand);

/* The protocol's last line asking the shell to add file (or directory)
 * names to the candidates. */
#define CLI_COMPLETE_FILES "__files__"
#define CLI_COMPLETE_DIRS "__dirs__"

#endif
