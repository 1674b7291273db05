/* compare_int.h - internals shared by compare.c (pairing, statistics) and
 * compare_load.c (reading one side of a comparison from the store). Never
 * included outside src/report/compare*.c. */
#ifndef BAI_REPORT_COMPARE_INT_H
#define BAI_REPORT_COMPARE_INT_H

#include <sqlite3.h>

#include "report/compare.h"

struct side_score {
    char *scorer;
    double value;
    int passed;
    int usable;                  /* score status "scored" or "unparsed" */
};

struct side_sample {
    size_t suite;                /* index into side.suites */
    char *item_id;
    int rep;
    int64_t id;
    int error;                   /* sample status "error" */
    double gen_tps, ttft_ms;     /* < 0 = not measured */
    double prompt_tps;           /* < 0 = not measured */
    int64_t draft_n, draft_accepted;
    struct side_score *scores;
    size_t n_scores, cap_scores;
};

struct side_suite {
    char *name;
    int version;
    char sha[65];
    size_t first, count;         /* range in side.samples */
    int used;                    /* matched while pairing */
};

struct side {
    struct side_sample *samples;
    size_t n, cap;
    struct side_suite *suites;
    size_t n_suites, cap_suites;
};

/* Reads the non-warmup samples of one config with their scores, grouped by
 * suite identity (name, version, sha256), each suite's samples sorted by
 * (item id, rep). Only suites o allows. */
int compare_side_load(sqlite3 *db, const char *run_id, int64_t config_id,
                      const struct compare_opts *o, struct side *sd, struct bai_error *err);
void compare_side_free(struct side *s);

/* A run's configs come from store_run_configs. Find one by label (-1 when
 * absent); the error for a missing label lists the run's labels. */
/* What differs between two configs in model, backend, draft or launch
 * parameters, one "what: A vs B" string each ("np: 1 vs 4"), appended to
 * *out; returns the new count. Same model file in another folder is the
 * same model (names compare by store_model_name). */
size_t compare_config_differences(const struct store_config_info *a, const struct store_config_info *b,
                                  char ***out, size_t n);
long compare_config_find(const struct store_config_info *c, size_t n, const char *label);
int compare_config_missing(const char *run, const char *label, const struct store_config_info *c,
                           size_t n, struct bai_error *err);

/* err = "store: <what>: <sqlite message>" (store exit code); returns -1. */
int compare_sql_fail(sqlite3 *db, const char *what, struct bai_error *err);
/* Text column, "" for NULL. */
const char *compare_col_text(sqlite3_stmt *s, int i);

#endif
