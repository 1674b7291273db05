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
    char **names;          /* every flag spelling the binary accepts, sorted */
    size_t n_names;
};

/* Loads the accepted flags of binary (from cache when fresh). */
int server_flags_load(const char *binary, struct server_flags *out, struct bai_error *err);
/* Parses --help text (exposed for tests). */
void server_flags_parse_help(const char *help_text, struct server_flags *out);
int server_flags_accepts(const struct server_flags *f, const char *flag);
void server_flags_free(struct server_flags *f);

/* The logical settings benchai knows. */
enum server_setting {
    SETTING_MODEL, SETTING_DRAFT_MODEL, SETTING_DRAFT_MAX, SETTING_SPEC_TYPE,
    SETTING_PARALLEL, SETTING_THREADS, SETTING_CTX, SETTING_NGL, SETTING_BATCH,
    SETTING_UBATCH, SETTING_FLASH_ATTN, SETTING_CACHE_TYPE_K, SETTING_CACHE_TYPE_V,
    SETTING_OVERRIDE_KV, SETTING_HOST, SETTING_PORT, SETTING_NO_WEBUI,
    SETTING_SPEC_SYNTH_RATES, SETTING_SPEC_SYNTH_LEN, SETTING_ALIAS,
    SETTING_MMPROJ,          /* multimodal projector (vision) */
    SETTING_COUNT
};

/* The spelling this binary accepts for a setting, or NULL (err names the
 * setting and the spellings tried). */
const char *server_flags_spelling(const struct server_flags *f, enum server_setting s,
                                  struct bai_error *err);
const char *server_setting_name(enum server_setting s);

#endif
