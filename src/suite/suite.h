/* suite.h - a benchmark suite in memory: what suite_load makes of a
 * suites/v1/NAME.yaml file (or of its source:/generator:), validated, with
 * item settings resolved (item overrides over suite defaults) and the
 * content hash computed.
 *
 * Owns: struct suite and everything it points to (suite_free frees all).
 * Does not own: scoring (score/), generation (backend/), storage (store/).
 */
#ifndef BAI_SUITE_H
#define BAI_SUITE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "score/registry.h"
#include "util/error.h"

/* An image an item shows the model: its bytes, read when the suite loads
 * from a file inside the suite's folder or from a data: URI (suite/image.c),
 * with the MIME type the bytes themselves say. The bytes (not the path) are
 * hashed into the suite hash. */
struct suite_image {
    char *source;    /* as written: "images/chart.png", or "data:image/png;base64" for a URI */
    char *mime;      /* "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp" */
    unsigned char *bytes;
    size_t len;
    char sha256[65]; /* hex of the bytes */
};

struct suite_message {
    char *role;      /* "system", "user", "assistant" */
    char *content;
    struct suite_image *images;   /* user messages only; sent before the text */
    size_t n_images;
};

/* One question. Every setting is already resolved: an item override wins
 * over the suite's defaults, which win over benchai's built-in defaults. */
struct suite_item {
    char *id;
    int tier;                      /* 1..SUITE_MAX_TIER (the instruction-precision
                                      suite's T1-T3, or any an item declares), 0 none */
    char *prompt;                  /* user prompt; NULL when messages are given */
    struct suite_image *images;    /* shown with the prompt (item key images:) */
    size_t n_images;
    struct suite_message *messages;
    size_t n_messages;
    char *system;                  /* system prompt or NULL */
    char *scorer;                  /* "exact", "f1", "choice", "ifeval", "code", ... */
    int max_tokens;
    double temperature;
    char **stop;
    size_t n_stop;
    int chat;                      /* 1: /v1/chat/completions, 0: raw completion */
    int reps;                      /* samples per item (pass@k), >= 1 */
    double time_limit_s;           /* the answer must arrive within this (scored as it stands
                                      then, finish_reason "time_limit"); 0 = no limit */
    /* Every scorer field of the item (answer, answers, choices, correct,
     * tests, language, checks, needle, rubric, reference, tools,
     * expected_call, ...) and the scorer options from defaults.scoring, as
     * JSON. Scorers read only this. Owned by the item. */
    cJSON *data;
    int line, column;              /* where the item starts in the YAML file */
};

/* Speed suites (kind: speed) fix prompt and generation length the way
 * llama-bench's -p / -n do. */
struct suite_speed {
    int pp;                        /* prompt tokens */
    int tg;                        /* generated tokens */
    int ignore_eos;
};

struct suite {
    char *name;
    int version;
    char *description;
    char *path;                    /* the file it was loaded from */
    char hash[65];                 /* sha256 hex of the normalised content */
    char *kind;                    /* "quality" (default) or "speed" */
    struct suite_speed speed;
    struct suite_item *items;
    size_t n_items;
    unsigned long shuffle_seed;    /* choice shuffling seed (recorded), 0 = off */
    int allow_outside_source;      /* loaded with that option: a reload of the same
                                      file (the runner's token recount) reads the same data */
    /* private to suite.c: id -> item index hash table for suite_find_item */
    size_t *id_index;
    size_t id_index_cap;
};

struct suite_load_options {
    /* Long-context generators count tokens with this callback when set
     * (the server's /tokenize), else with a recorded estimate. */
    int (*count_tokens)(void *ctx, const char *text, struct bai_error *err);
    void *count_tokens_ctx;
    /* A suite reads data files (source.path, generator.filler) only from
     * its own folder and the folders below it (symbolic links resolved, no
     * absolute paths): a suite from someone else must not send your files
     * to a server as prompts. 1 lifts that (--allow-outside-source). */
    int allow_outside_source;
};

/* The flag that sets allow_outside_source, named by the refusal. */
#define SUITE_ALLOW_OUTSIDE_FLAG "--allow-outside-source"

/* Loads and validates a suite file. On failure returns NULL and err->msg
 * holds every problem found, one "file:line:column: message" per line
 * (exit code BAI_EXIT_USAGE). opts may be NULL. */
struct suite *suite_load(const char *path, const struct suite_load_options *opts,
                         struct bai_error *err);
void suite_free(struct suite *s);

/* Finds an item by id, NULL when absent (hash lookup, O(1)). */
const struct suite_item *suite_find_item(const struct suite *s, const char *id);

/* The item as a scorer reads it (struct score_item, score/registry.h): its
 * id, scorer and data, and the question as asked: the prompt, else the
 * content of the last user message, else NULL. Points into the item. */
struct score_item suite_item_for_score(const struct suite_item *it);

/* ---- every diagnostic, not one truncated message, for `benchai suites
 * validate` and tests ---- */
struct suite_diag {
    char *file;                    /* the suite file, or the source: data file */
    int line, column;              /* 1-based; 0 when unknown */
    char *message;
};

struct suite_diags {
    struct suite_diag *v;
    size_t n, cap;
};

void suite_diags_free(struct suite_diags *d);
/* "file:line:column: message" lines joined with '\n' (allocated). */
char *suite_diags_format(const struct suite_diags *d);

/* suite_load, but every problem found is also appended to diags (which
 * may be NULL). */
struct suite *suite_load_diags(const char *path, const struct suite_load_options *opts,
                               struct suite_diags *diags, struct bai_error *err);
/* The same from text in memory; path names it in messages and anchors
 * relative source:/filler paths (importers validate before writing). */
struct suite *suite_load_text(const char *path, const char *text, size_t len,
                              const struct suite_load_options *opts,
                              struct suite_diags *diags, struct bai_error *err);

/* "data:<mime>;base64,<bytes>" for an image, as OpenAI image_url parts
 * carry it (caller frees). */
char *suite_image_data_uri(const struct suite_image *im);
/* The MIME type the first bytes of an image say (PNG, JPEG, GIF, WebP,
 * BMP), or NULL when they are none of these. */
const char *suite_image_sniff(const unsigned char *bytes, size_t len);
/* The highest tier an item may declare. */
#define SUITE_MAX_TIER 99

/* Distinct scorer names of the items, ", "-joined (allocated), and a tier
 * summary such as "1-3" or "-" (allocated): for `benchai suites`. */
char *suite_scorers_summary(const struct suite *s);
char *suite_tiers_summary(const struct suite *s);

#endif
