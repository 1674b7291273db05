/* plan.h - the plan model: the model registry (benchmarks/models.yaml), plan
 * files (benchmarks/NAME.yaml) and ad-hoc --sweep strings, expanded into an
 * ordered list of sweep points, with the checks that must pass before any
 * server starts (expert range, draft vocabulary) and a time estimate.
 * Does not launch servers, spell llama-server flags (backend/server_flags)
 * or load suites (the suite names are carried through as written).
 */
#ifndef BAI_PLAN_H
#define BAI_PLAN_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "plan/gguf.h"
#include "settings/settings.h"
#include "util/error.h"

/* One registry entry. Exactly one of path / url is set. */
struct plan_model {
    char *name;
    char *path;          /* local GGUF, expanded (see plan_expand_path) */
    char *url;           /* OpenAI-compatible endpoint */
    char *mmproj;        /* multimodal projector GGUF (llama-server --mmproj), expanded, or NULL */
    char *family, *arch, *quant, *size;   /* arch filled from GGUF by plan_check */
    char **drafts;       /* names of compatible drafts (informational) */
    size_t n_drafts;
    char **roles;
    size_t n_roles;
    char *where;         /* "file:line:col" of the entry, "" for ad-hoc ones */
    struct gguf_info gguf;   /* read by plan_check; gguf_loaded says when */
    int gguf_loaded;
};

/* Entries are allocated one by one, so a struct plan_model pointer stays
 * valid while the registry grows (points borrow them). */
struct plan_registry {
    struct plan_model **models;
    size_t n_models, cap_models;
};

/* An axis is the model, the draft, or a setting of the settings table
 * (settings/settings.h): id >= 0 is a setting id. */
#define PLAN_AX_MODEL (-1)
#define PLAN_AX_DRAFT (-2)

/* An axis and its values as written (validated for the axis's kind). */
struct plan_axis {
    int id;              /* PLAN_AX_MODEL, PLAN_AX_DRAFT or a setting id */
    char *key;           /* env.NAME axes (id SETTING_ENV): NAME; else NULL */
    char **values;
    size_t n_values;
    char *where;         /* "file:line:col" or "--sweep k=..." for messages */
};

struct plan_point {
    char *label;         /* unique in the plan: "tiny-dense draft=tiny-draft k=4" */
    char *sweep;         /* name of the sweep block it came from */
    struct plan_model *model;      /* borrowed from plan->registry */
    struct plan_model *draft;      /* NULL: no draft */
    struct settings settings;      /* every setting of the point: the plan's base,
                                    * its defaults, then the sweep's axes */
    char **suites;       /* suite names/paths as written */
    size_t n_suites;
    int reps, warmup;
    int concurrency;     /* 0: follow np */
    char *skip_reason;   /* set by plan_check: "vocab mismatch (...)" */
};

/* One block of a plan: axes combined as a grid or zipped. */
struct plan_sweep {
    char *name;
    int zip;                     /* 0 grid, 1 zip */
    struct plan_axis *axes;      /* in the order written */
    size_t n_axes;
    char **suites;               /* NULL: the plan's */
    size_t n_suites;
    int reps, warmup, concurrency;   /* -1: the plan's */
    char *where;
};

struct plan {
    char *name, *description;
    char *path;                  /* plan file, NULL for ad-hoc plans */
    /* Settings under every point (the command line's and the config
     * file's): the plan's defaults and axes override them; set before
     * plan_expand. Their ids go into every label. */
    struct settings base;
    char *base_dir;              /* relative model paths start here; NULL: cwd */
    struct plan_registry registry;
    struct plan_axis *defaults;  /* single-valued settings for every point */
    size_t n_defaults;
    char **suites;
    size_t n_suites;
    int reps, warmup, concurrency;
    double time_budget_s;        /* 0: none */
    struct plan_sweep *sweeps;
    size_t n_sweeps;
    struct plan_point *points;   /* filled by plan_expand */
    size_t n_points;
};

/* --- registry ------------------------------------------------------------ */

/* Loads a models.yaml registry into reg (appending). Relative paths are
 * resolved against the file's folder after variable expansion. Errors carry
 * file:line:col. */
int plan_registry_load(struct plan_registry *reg, const char *path, struct bai_error *err);
struct plan_model *plan_registry_find(struct plan_registry *reg, const char *name);
/* A model named name, or an ad-hoc entry for a path or URL (name = file
 * name without .gguf); NULL with err when name is neither. */
struct plan_model *plan_registry_resolve(struct plan_registry *reg, const char *name_or_path,
                                         const char *base_dir, struct bai_error *err);
void plan_registry_free(struct plan_registry *reg);

/* Expands ${VAR}, ${VAR:-default} and a leading ~/ in a path; then, when the
 * result is relative and base_dir is not NULL, prefixes base_dir. An unset
 * variable without default is an error, except BENCHAI_MODELS, which
 * defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/benchai/models/current (where
 * scripts/make-test-models keeps the tiny models). Result allocated. */
char *plan_expand_path(const char *in, const char *base_dir, struct bai_error *err);

/* --- plans --------------------------------------------------------------- */

/* Parses a plan file. models_path NULL: the plan's models_file key, else
 * models.yaml beside the plan (absent file = empty registry). Does not
 * expand: call plan_expand. */
struct plan *plan_load(const char *path, const char *models_path, struct bai_error *err);
/* Same from a string (tests): name is used in messages, base_dir for
 * relative paths (may be NULL), models_path as in plan_load. */
struct plan *plan_parse_string(const char *yaml, const char *name, const char *base_dir,
                               const char *models_path, struct bai_error *err);

/* Parses an ad-hoc sweep "k=2,4,8", "np=1..4", "flags=--mlock|--no-mmap"
 * (the flags axis splits on '|', every other axis on ','; integer axes take
 * a..b and a..b:step ranges; a value in [brackets] or quotes keeps its
 * commas). */
int plan_parse_sweep(const char *spec, struct plan_axis *out, struct bai_error *err);
void plan_axis_free(struct plan_axis *a);

/* An ad-hoc plan from command-line pieces: the models and drafts become the
 * first axes, then the sweeps in the order given. A model given with url
 * is an endpoint named by the model name (--backend openai). */
struct plan_cli {
    const char *const *models;   size_t n_models;
    const char *url;                 /* the endpoint of the models, or NULL */
    const char *const *drafts;   size_t n_drafts;    /* "none" allowed */
    const char *const *sweeps;   size_t n_sweeps;    /* "k=2,4,8" */
    const char *const *suites;   size_t n_suites;
    int zip;
    int reps, warmup, concurrency;   /* -1: defaults (1, 1, 0) */
    const char *models_path;         /* registry, NULL: none */
    const struct settings *base;     /* the command line's settings, or NULL */
};
struct plan *plan_from_cli(const struct plan_cli *cli, struct bai_error *err);

/* Expands every sweep into plan->points (grid: first axis outermost, last
 * fastest; zip: the i-th value of each list axis, single values repeated).
 * A point's settings are the plan's base, then its defaults, then the
 * sweep's values. Points without a draft (and without an ngram spec_type)
 * drop the settings that need one (k); a point equal to an earlier one of
 * the same sweep is dropped. Labels: the model, the draft, the axes that
 * take more than one value in the sweep, and the base's settings. */
int plan_expand(struct plan *p, struct bai_error *err);

/* The checks before any server starts: reads every local model's GGUF
 * header (fills arch when missing; a file that is not a GGUF is an error),
 * fails on experts above expert_count, experts on a non-MoE or remote
 * model, a draft for a remote model, ctx above the model's trained context
 * (unless raw flags set rope scaling); marks a point whose draft vocabulary
 * differs from its target's as skipped with "vocab mismatch (...)".
 * Errors name the point's label. */
int plan_check(struct plan *p, struct bai_error *err);

/* An mmproj must be a multimodal projector GGUF (general.architecture
 * "clip"): llama-server would otherwise fail at start-up, after loading
 * the model. whose names the owner in the message ("model 'x'", "--mmproj"). */
int plan_check_mmproj(const char *path, const char *whose, struct bai_error *err);

/* Rough wall time of the whole plan in seconds, for --dry-run: per point a
 * start-up cost from the model size plus (warmup + reps * suites *
 * requests_per_suite) requests of tokens_per_request tokens at a speed
 * guessed from bytes read per token (active experts only) and a memory
 * bandwidth. Zero or negative options take defaults (20, 128, 20 GB/s). */
struct plan_estimate_opts {
    int requests_per_suite;
    int tokens_per_request;
    double bandwidth_gbps;
};
double plan_estimate_seconds(const struct plan *p, const struct plan_estimate_opts *o);
double plan_point_estimate_seconds(const struct plan_point *pt, const struct plan_estimate_opts *o);
/* The two parts of that estimate, for costs built from real item counts
 * (sharding, plan/shard.h): the start-up (model and draft load) in seconds,
 * and seconds per generated token at the point's np (aggregate speed). */
void plan_point_estimate_parts(const struct plan_point *pt, const struct plan_estimate_opts *o, double *start_s,
                               double *s_per_token);

/* The point's settings as a JSON object (the sweep's name, the model and
 * draft names, then every setting that is set), for the store's
 * params_json. Caller owns the result. */
cJSON *plan_point_params_json(const struct plan_point *pt);

/* Axis name as written in plans ("k", "experts", ...) and its lookup
 * ("model", "draft" and every setting's name and aliases; "env.NAME" is
 * the env setting with *key_out = "NAME", allocated; key_out may be NULL
 * only for names that cannot be env.NAME). */
const char *plan_axis_name(int id);
int plan_axis_lookup(const char *name, int *out);
int plan_axis_lookup_key(const char *name, int *out, char **key_out);
/* The value an axis applies: "NAME=value" for env.NAME axes, else value
 * (allocated). */
char *plan_axis_value(const struct plan_axis *a, const char *value);

/* Parses "90", "90s", "15m", "8h", "1h30m" into seconds; -1 when malformed. */
double plan_parse_duration(const char *s);

void plan_free(struct plan *p);

#endif
