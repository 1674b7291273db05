/* settings.h - the one table of settings that make up a configuration.
 *
 * Every setting a user can give a launched model server (draft size K,
 * expert count, slots, threads, context, batch sizes, KV cache types, raw
 * flags, ...) is one line of the table in settings.c. Everything about a
 * setting derives from that line: its command-line flag (benchai run, the
 * option entries are generated from the table), its plan axis name and
 * aliases, how its value is parsed and validated, its llama-server spelling
 * (newest first, the build's --help decides which one is used), the label
 * fragment, the params JSON key, its part in the configuration's identity
 * and its sweep-table column. Adding a setting is one line there.
 *
 * A `struct settings` holds values with an "is set" bit each: the run's
 * command line is one, a plan's defaults another, a sweep point a third;
 * settings_overlay() lays one over another. Nothing copies settings field
 * by field.
 *
 * Owns: the table, parsing and validation of values, overlays, the
 * canonical JSON of a settings value (for params_json and the identity),
 * label fragments and the command-line option entries. Does not own:
 * checks that need the model (expert_count, vocabulary: plan/), the
 * llama-server argv (backend/llama_server.c walks the table), identity
 * hashing (settings/identity.h).
 */
#ifndef BAI_SETTINGS_H
#define BAI_SETTINGS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "util/error.h"
#include "util/strv.h"

/* Settings that code refers to by name come first, in table order; every
 * other setting is reached through the table only (settings_lookup). */
enum setting_id {
    SETTING_K,               /* draft tokens per step */
    SETTING_SPEC_TYPE,       /* speculative decoding type */
    SETTING_EXPERTS,         /* MoE experts used per token (a GGUF override) */
    SETTING_NP,              /* server slots */
    SETTING_THREADS,
    SETTING_CTX,
    SETTING_SERVER_ARGS,     /* --server-arg: raw argv words, exact */
    SETTING_ENV,             /* the server's environment: NAME=VALUE, or NAME (unset) */
    SETTING_WRAPPER,         /* a command the server runs under ("numactl --interleave=all") */
    SETTING_FIRST_GENERIC    /* the rest of the table */
};

/* Room for the table: settings.c asserts that the table fits. */
#define SETTINGS_MAX 48

enum setting_kind {
    SETTING_INT,             /* a whole number in [min, max] */
    SETTING_NUM,             /* a number in [dmin, dmax] */
    SETTING_WORD,            /* a string without spaces */
    SETTING_CHOICE,          /* one of .choices */
    SETTING_ARGS,            /* raw arguments, split at whitespace ("--mlock --no-mmap") */
    SETTING_ARGV,            /* raw arguments given one per flag (--server-arg), exact */
    SETTING_ENVIRON,         /* environment entries NAME=VALUE; "NAME=unset" removes NAME */
};

/* What changing the setting costs: a new server process (launch), or
 * nothing, because it travels in each request (request: temperature,
 * max_tokens, ...). */
enum setting_scope {
    SETTING_LAUNCH,
    SETTING_REQUEST,
};

enum setting_flag {
    SETTING_NEEDS_SPEC = 1u << 0,  /* meaningless without a draft model or an ngram
                                    * spec_type: dropped from such points */
    SETTING_HIDDEN = 1u << 1,      /* testing aids: not in --help or the docs */
    SETTING_PIPE_LIST = 1u << 2,   /* --sweep separates values with '|' (they hold spaces) */
    SETTING_GGUF_KV = 1u << 3,     /* passed as --override-kv <arch>.<kv_key>=int:N */
    SETTING_NO_AXIS = 1u << 4,     /* command line only, not a plan axis */
    SETTING_PER_REQUEST = 1u << 5, /* a launch setting that builds which say so accept in
                                    * each request too (.request_key): points that
                                    * differ only in it can share one server */
};

struct setting_def {
    const char *name;            /* axis, params/identity key, label key: "k" */
    const char *aliases[3];      /* other names in plans and --sweep */
    enum setting_kind kind;
    long min, max;               /* SETTING_INT */
    double dmin, dmax;           /* SETTING_NUM */
    const char *const *choices;  /* SETTING_CHOICE, NULL-terminated */
    enum setting_scope scope;
    unsigned flags;              /* enum setting_flag */
    const char *cli;             /* long flag of `benchai run` ("k" -> --k); NULL: none */
    const char *metavar, *help;
    const char *server[4];       /* llama-server spellings, newest first */
    const char *server_default;  /* passed when unset (np: "1", never "auto"); NULL: omitted */
    const char *kv_key;          /* SETTING_GGUF_KV: the key after "<arch>." */
    const char *request_key;     /* its field in a request body ("temperature",
                                  * "speculative.n_max"); NULL: none */
    const char *column;          /* sweep-table column heading */
};

/* One value. text is the canonical spelling ("4", "0.7", "on", "--mlock
 * --no-mmap"); num the parsed integer of SETTING_INT, dnum the number of
 * SETTING_NUM; list the words of SETTING_ARGV and the entries of
 * SETTING_ENVIRON ("NAME=VALUE", or "NAME" to unset it), sorted by name. */
struct setting_value {
    unsigned char set;
    long num;
    double dnum;
    char *text;
    struct strv list;
};

/* Values for every setting of the table; zero-initialised = nothing set.
 * Owns its strings: free with settings_free, copy with settings_overlay
 * onto an empty one. */
struct settings {
    struct setting_value v[SETTINGS_MAX];
};

/* The table: settings_count() lines, settings_def(id) one of them. */
size_t settings_count(void);
const struct setting_def *settings_def(int id);
/* By name or alias ("k", "draft_max", "fa", "tb"); 0, or -1 when unknown. */
int settings_lookup(const char *name, int *id_out);

/* Validates value for the setting (kind, range, choices); where names the
 * source in messages ("--sweep k=0", "plan.yaml:4:7"). */
int settings_validate(int id, const char *value, const char *where, struct bai_error *err);
/* Validates and sets (SETTING_ARGV appends a word; SETTING_ENVIRON sets
 * one variable: "NAME=VALUE" or "NAME=unset"). */
int settings_set(struct settings *s, int id, const char *value, const char *where,
                 struct bai_error *err);
void settings_unset(struct settings *s, int id);
int settings_is_set(const struct settings *s, int id);
/* The integer of a set SETTING_INT, else dflt. */
long settings_int(const struct settings *s, int id, long dflt);
/* The text of a set setting, else NULL. */
const char *settings_text(const struct settings *s, int id);
/* Every value set in top replaces the one in base (SETTING_ARGV lists are
 * appended: the command line's --server-arg words come before a point's). */
void settings_overlay(struct settings *base, const struct settings *top);
/* 1 when a and b hold the same values. */
int settings_equal(const struct settings *a, const struct settings *b);
/* 1 when a and b hold the same values for every setting that needs a new
 * server when it changes: request settings are skipped, and so are
 * SETTING_PER_REQUEST ones when per_request (the server accepts them in
 * each request). */
int settings_same_launch(const struct settings *a, const struct settings *b, int per_request);
/* The value of a set setting as JSON (number, string, array), or NULL.
 * Caller owns the result. */
cJSON *settings_value_json(const struct settings *s, int id);
void settings_free(struct settings *s);

/* The values that are set, as {"k":4,"flash_attn":"on","server_args":[...]}
 * in table order (numbers for integers). Caller owns the result. */
cJSON *settings_to_json(const struct settings *s);
/* " k=4 np=2" for the settings in ids (n of them) that are set, appended to
 * label; raw flags as flags='...'. */
struct buf;
void settings_label_append(const struct settings *s, const int *ids, size_t n, struct buf *label);

/* The option entries of `benchai run` for every setting with a flag, after
 * a group heading: a CLI_OPT_INCLUDE of the command's table points here.
 * Values land in the struct settings that the include's offset names. */
struct cli_option;
const struct cli_option *settings_cli_options(void);

#endif
