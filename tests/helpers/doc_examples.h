/* doc_examples.h - the `benchai` commands a Markdown file shows, as the
 * doc-examples test (tests/integration/test_doc_examples.c) runs them: fenced
 * shell blocks and their commands (`\` continuations joined, `$ ` prompts
 * stripped), the `<!-- doc-test: ... -->` markers before a block, and usage
 * synopses (checked against --help, never run). Owns the parsing only, not
 * running anything; the rules are in docs/doc-tests.md. */
#ifndef BAI_TEST_DOC_EXAMPLES_H
#define BAI_TEST_DOC_EXAMPLES_H

#include <stddef.h>

enum docex_kind {
    DOCEX_RUN,        /* a command to run */
    DOCEX_SYNOPSIS,   /* a usage line: [options], A|B, ...; its flags are checked against --help */
};

struct docex_cmd {
    int line;                 /* 1-based line where the command starts */
    enum docex_kind kind;
    char *text;               /* continuations joined by one space, prompt stripped */
};

#define DOCEX_MAX_EXITS 4

struct docex_block {
    int line;                 /* the opening fence, or an indented block's first line */
    int fenced;
    char *lang;               /* first word of the info string, "" when none */
    char *skip;               /* <!-- doc-test: skip: REASON -->, else NULL */
    char *file;               /* <!-- doc-test: file: NAME -->: the block's text is that file */
    int exits[DOCEX_MAX_EXITS];   /* <!-- doc-test: exit: 1 --> (or 0,1); default 0 */
    size_t n_exits;
    char *body;               /* the block's lines, for file: blocks */
    struct docex_cmd *cmds;
    size_t n_cmds;
};

struct docex_doc {
    struct docex_block *blocks;   /* only blocks with commands or markers */
    size_t n_blocks;
};

/* Parses Markdown text. Returns 0, or -1 with a message naming the line in
 * err: an unknown marker, a marker not followed by a fenced block, an
 * unclosed fence, a bad exit value. */
int docex_parse(const char *text, struct docex_doc *doc, char *err, size_t errlen);
void docex_free(struct docex_doc *doc);

/* 1 when a command line is a usage synopsis rather than a command: outside
 * quotes it has `[`, `...` or an alternative `a|b` (a `|` between two
 * non-blank characters; a shell pipe has blanks around it). */
int docex_is_synopsis(const char *cmd);

/* The subcommand of "benchai [global flags] CMD ...", or NULL (caller frees). */
char *docex_command_name(const char *cmd);

/* The flags (-x, --name) a synopsis mentions, brackets, `=VALUE` and
 * punctuation removed, in order, each once. before_cmd (may be NULL) gets how
 * many of them come before the subcommand (global flags). Caller frees with
 * docex_strv_free. */
char **docex_flags(const char *cmd, size_t *n, size_t *before_cmd);
void docex_strv_free(char **v, size_t n);

#endif
