/* server_flags.h - which command-line flags an installed llama-server binary
 * accepts, and the translation of benchai's logical settings (k, experts,
 * np, ...) into that binary's spellings.
 *
 * Owns: parsing `llama-server --help` once per binary (cached on disk, keyed
 * by path, size and mtime) and the table of known spellings per setting.
 * Flag names changed across llama.cpp builds (--draft-max became
 * --spec-draft-n-max); a setting no spelling of which the binary accepts is
 * an error, never a silent drop.
 */
#ifndef BAI_SERVER_FLAGS_H
#define BAI_SERVER_FLAGS_H

#include <stddef.h>
#include "util/error.h"

struct server_flags {
    char **names;          /* every flag spelling the binary lists, sorted */
    size_t n_names;
    char **removed;        /* listed, but "the argument has been removed" (sorted) */
    size_t n_removed;
};

/* Loads the accepted flags of binary (from cache when fresh). */
int server_flags_load(const char *binary, struct server_flags *out, struct bai_error *err);
/* Parses --help text (exposed for tests). */
void server_flags_parse_help(const char *help_text, struct server_flags *out);
/* 1 when the binary lists flag (removed ones included: see
 * server_flags_removed). */
int server_flags_accepts(const struct server_flags *f, const char *flag);
/* 1 when the binary lists flag only to say it has been removed. */
int server_flags_removed(const struct server_flags *f, const char *flag);
void server_flags_free(struct server_flags *f);

/* The flags benchai itself passes (not settings a user sets: those are
 * the lines of settings/settings.h's table, each with its spellings). */
enum server_flag {
    SFLAG_MODEL, SFLAG_DRAFT_MODEL, SFLAG_SPEC_TYPE, SFLAG_HOST, SFLAG_PORT, SFLAG_NO_WEBUI,
    SFLAG_SPEC_SYNTH_LEN, SFLAG_ALIAS,
    SFLAG_MMPROJ,            /* multimodal projector (vision) */
    SFLAG_COUNT
};

/* The spelling this binary accepts for one of benchai's own flags, or NULL
 * (err names it and the spellings tried). */
const char *server_flags_spelling(const struct server_flags *f, enum server_flag s,
                                  struct bai_error *err);
/* The first of spellings (newest first, NULL-terminated or 4 at most)
 * that this binary accepts, or NULL with err naming what (a setting's
 * name) and the spellings tried: an unsupported setting is an error,
 * never a silent drop. */
const char *server_flags_first(const struct server_flags *f, const char *const spellings[4],
                               const char *what, struct bai_error *err);

struct settings;
/* The checks of a configuration against this build before any server
 * starts: every raw argument that looks like a flag (flags, --server-arg)
 * must be one the binary lists and has not removed (an unknown one is
 * refused with the closest spelling), and combinations this build refuses
 * at start-up are refused now with the reason (docs/llama-server-notes.md,
 * "Refused before launch"). arch is the model's GGUF architecture. */
int server_flags_check(const struct server_flags *f, const struct settings *s, const char *arch,
                       struct bai_error *err);

#endif
