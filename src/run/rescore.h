/* rescore.h - score the stored outputs of a run again (`benchai rescore`):
 * with a changed scorer, a judge model that was not available during the
 * run, or other models' answers to the same items as calibration.
 * Owns: choosing the samples, rebuilding their items from the suite files,
 * peer answers from the store, the before/after summary. Does not own: the
 * scorers (score/), the judge connection (run/judge_client.h), the schema. */
#ifndef BAI_RESCORE_H
#define BAI_RESCORE_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include "store/store.h"
#include "util/error.h"

struct judge;

struct rescore_options {
    const char *store_path;
    const char *run;              /* id, unique prefix, tag:NAME or latest */
    const char *scorer;           /* NULL: each item's own scorer */
    const char *const *suites;    /* names or files; NULL / 0: every suite of the run */
    size_t n_suites;
    struct judge *judge;          /* needed when a chosen item is scored by judge (borrowed) */
    int peers;                    /* judge: other stored answers shown per item (0 = none) */
    int force;                    /* accept suite files whose hash changed since the run */
    int allow_outside_source;     /* suites may read data files outside their folder */
    int dry_run;                  /* count and check only: nothing scored or written */
    volatile sig_atomic_t *stop;  /* set asynchronously to stop after the current sample */
};

/* One (suite, scorer) line of the summary. Before and after are sums of
 * the samples' worth as every report counts it (report/figures.h:
 * unparsed worth 0, scorer errors left out), over n_before / n_after. */
struct rescore_row {
    char *suite;
    char *scorer;                 /* the stored name (a judge: "judge:MODEL#PROMPT") */
    size_t n;                     /* samples rescored (dry run: to rescore) */
    size_t n_before;              /* of them with an earlier "scored" score */
    double sum_before;
    size_t n_after;
    double sum_after;
    size_t unparsed, errors, changed;
};

struct rescore_result {
    char run_id[STORE_RUN_ID_MAX];
    struct rescore_row *rows;
    size_t n_rows, cap_rows;
    size_t samples;               /* total rescored */
    size_t missing_items;         /* samples whose item is no longer in the suite file */
};

/* Rescores and stores (store_score_put: replaces that scorer's score of
 * each sample, keeps the others; a judge's scores are stored under its
 * model and prompt, score_judge_key, so another judge's are kept). Refuses, before scoring anything, an
 * unknown scorer, a suite file that cannot be found, one whose hash (or
 * version) differs from the run's without force, and judge items without
 * a judge (BAI_EXIT_USAGE). Stops with BAI_EXIT_BACKEND when the judge
 * becomes unreachable and BAI_EXIT_INTERRUPTED on *stop; what was scored
 * until then is stored and res is filled in every case. */
int rescore_run(const struct rescore_options *o, struct rescore_result *res, struct bai_error *err);
void rescore_result_free(struct rescore_result *res);
/* The summary table. */
void rescore_result_print(const struct rescore_result *res, int dry_run, FILE *out);

#endif
