/* compare_int.h - internals shared by compare.c (pairing, statistics) and
 * compare_load.c (reading one side of a comparison from the store). Never
 * included outside src/report/compare*.c. */
#ifndef BAI_REPORT_COMPARE_INT_H
#define BAI_REPORT_COMPARE_INT_H


#include "report/compare.h"
#include "report/figures.h"

struct side_score {
    char *scorer;
    double value;
    int passed;
    enum report_outcome outcome; /* from the score status (report/figures.h) */
};

struct side_sample {
    size_t suite;                /* index into side.suites */
    char *item_id;
    int rep;
    int64_t id;
    int error;                   /* the request failed: sample status not "ok" */
    int timeout;                 /* of which: sample status "timeout" */
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
int compare_side_load(struct store *st, const char *run_id, int64_t config_id,
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


#endif
