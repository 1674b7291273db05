/* store_int.h - internals shared by the store's .c files (never included
 * outside src/store/): struct store, the prepared-statement cache, SQLite
 * error translation and the schema entry points. */
#ifndef BAI_STORE_INT_H
#define BAI_STORE_INT_H

#include <sqlite3.h>
#include "store/store.h"

/* One slot per cached statement. The SQL text lives next to its use; the
 * first store_stmt() call for a slot prepares it (SQLITE_PREPARE_PERSISTENT)
 * and later calls reset it and clear its bindings. */
enum store_stmt_id {
    SS_RUN_INSERT, SS_RUN_TAG_INSERT, SS_RUN_STATUS, SS_RUN_LLAMA, SS_RUN_PLAN, SS_RUN_OWNER,
    SS_CONFIG_FIND, SS_CONFIG_INSERT, SS_CONFIG_UPDATE, SS_CONFIG_IDENTITY,
    SS_SUITE_FIND, SS_SUITE_INSERT, SS_SUITE_CONFLICT, SS_SUITE_ITEMS,
    SS_SAMPLE_INSERT, SS_SAMPLE_EXISTS, SS_SCORE_INSERT, SS_SCORE_REPLACE,
    SS_INCIDENT_INSERT, SS_SCORE_VALUE, SS_SCORE_GET, SS_SCORE_DROP_ERROR, SS_SAMPLE_OUTPUT, SS_REPLAY_SAMPLE, SS_CONFIG_SCORES,
    SS_BEGIN, SS_COMMIT, SS_ROLLBACK, SS_SAVEPOINT, SS_RELEASE, SS_ROLLBACK_TO,
    SS__COUNT
};

struct store {
    sqlite3 *db;
    char *path;
    int readonly;
    int version;                         /* schema version as opened (an older store read where
                                            it cannot be written is migrated in memory) */
    int tx_depth;                        /* store_begin nesting */
    int64_t session_id;                  /* store_session_begin: samples written carry it; 0: none */
    char session_run[STORE_RUN_ID_MAX];  /* the session's run */
    sqlite3_stmt *stmts[SS__COUNT];
};

/* Cached statement for slot id (prepared from sql on first use), reset and
 * unbound, or NULL with err filled. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id, const char *sql,
                         struct bai_error *err);

/* Fills err from an SQLite result code with a message naming the store and
 * what was being done; SQLITE_FULL, BUSY, CORRUPT, NOTADB and READONLY get
 * messages a user can act on. Always returns -1. */
int store_fail(struct store *st, int rc, const char *what, struct bai_error *err);

/* Runs SQL without results (several statements allowed). */
int store_exec(struct store *st, const char *sql, struct bai_error *err);

/* Transactions for one write: BEGIN IMMEDIATE unless a batch (store_begin)
 * is open, in which case they do nothing and the batch commits. */
int store_tx_begin(struct store *st, struct bai_error *err);
int store_tx_commit(struct store *st, struct bai_error *err);
void store_tx_rollback(struct store *st);

/* Resets a cached statement after use so it holds no read snapshot. */
void store_stmt_done(sqlite3_stmt *s);

/* Column helpers: a copy of a text column (NULL stays NULL); a number
 * column with NULL read as -1 ("not measured"). */
char *store_col_dup(sqlite3_stmt *s, int i);
double store_col_num(sqlite3_stmt *s, int i);
int64_t store_col_int(sqlite3_stmt *s, int i);

/* Binds text or NULL. */
int store_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Creates or migrates the schema of an open read-write connection, in one
 * transaction. Refuses a newer schema and a non-empty non-benchai file. */
int store_schema_apply(struct store *st, struct bai_error *err);
/* The schema version recorded in the file (0 = empty file), -1 on error. */
int store_schema_read_version(struct store *st, struct bai_error *err);
/* For read-only connections: the version, or -1 when newer (refused) or
 * unreadable. */
int store_schema_check_readonly(struct store *st, struct bai_error *err);

/* Opens an existing store read-only without migrating it (an older
 * schema is read as it is); *version_out: its schema version. */
struct store *store_open_readonly_as_is(const char *path, int *version_out, struct bai_error *err);

/* Records the llama.cpp build on the connection's session (shards.c). */
int store_session_set_llama_build(struct store *st, const char *build, struct bai_error *err);

/* Allocates an ISO 8601 UTC timestamp for now. */
void store_now_iso(char out[32]);

#endif
