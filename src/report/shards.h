/* shards.h - how a run's shards are shown: the one-line summary that merge,
 * runs and show print (which shards are missing, partial, failed, by
 * index), and the per-shard table of show and status (state, samples of
 * planned, host, versions, GPU binding, heartbeat, ETA).
 *
 * Owns: the wording and the table. Does not own: the states (store/shards.c
 * derives them; status adds liveness). */
#ifndef BAI_REPORT_SHARDS_H
#define BAI_REPORT_SHARDS_H

#include <cjson/cJSON.h>
#include "store/store.h"
#include "util/mem.h"

/* "8 shards: 6 done, 3 interrupted (120 of 200 samples), 7 missing" (no
 * newline); "" for a run without a manifest or with one shard that is done. */
void report_shards_summary(const struct store_run_shards *s, struct buf *out);

/* The short form for a table cell: "missing 3,7; interrupted 5" (the
 * shards that are not done), "" when all are. */
void report_shards_brief(const struct store_run_shards *s, struct buf *out);

/* The per-shard table (md): shard, state, samples, of, host, benchai,
 * llama.cpp, GPUs, last sign of life; with now_s > 0 the age of the
 * heartbeat and an ETA per running shard from its own rate. */
void report_shards_table(const struct store_run_shards *s, double now_s, struct buf *out);
/* The same as a JSON array (one object per shard). */
cJSON *report_shards_json(const struct store_run_shards *s);

/* The shards of a run as the shard stores matching pattern (a glob) have
 * them before any merge, combined (store_run_shards_combine). spec: a run
 * id, prefix, tag:NAME or latest (NULL: the newest run of the first store).
 * run_out gets the id, *n_stores how many stores matched. -1 with err when
 * nothing matches, a store cannot be read or none has the run. */
int report_shards_gather(const char *pattern, const char *spec, struct store_run_shards *out,
                         char run_out[STORE_RUN_ID_MAX], size_t *n_stores, struct bai_error *err);

#endif
