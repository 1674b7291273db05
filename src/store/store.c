/* store.c - opening and closing the store, connection settings, the
 * prepared-statement cache, transactions, error translation, and the
 * maintenance operations (check, vacuum). */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"

/* How long a writer waits for another process's write transaction. The
 * runner commits one sample at a time, so waits are milliseconds; 10 s
 * only runs out when another process is stuck. */
#define STORE_BUSY_TIMEOUT_MS 10000

const char *store_path(const struct store *st)
{
    return st->path;
}

void store_now_iso(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int store_fail(struct store *st, int rc, const char *what, struct bai_error *err)
{
    const char *path = st ? st->path : "store";
    const char *detail = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_FULL:
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s: disk full (or the store reached its size limit) while %s; "
                      "everything committed before is kept", path, what);
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s: the store stayed locked by another process for more than %d s "
                      "while %s", path, STORE_BUSY_TIMEOUT_MS / 1000, what);
        break;
    case SQLITE_CORRUPT:
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s: the store file is corrupt (%s, while %s); run 'benchai store check "
                      "--store %s' and restore it from a copy", path, detail, what, path);
        break;
    case SQLITE_NOTADB:
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s is not a benchai store (the file is not an SQLite database)", path);
        break;
    case SQLITE_READONLY:
        bai_error_set(err, BAI_EXIT_STORE, "%s: the store is read-only (%s) while %s", path,
                      detail, what);
        break;
    case SQLITE_CANTOPEN:
        bai_error_set(err, BAI_EXIT_STORE, "%s: cannot open the store (%s)", path, detail);
        break;
    case SQLITE_IOERR:
        bai_error_set(err, BAI_EXIT_STORE, "%s: I/O error while %s (%s)", path, what, detail);
        break;
    default:
        bai_error_set(err, BAI_EXIT_STORE, "%s: %s while %s", path, detail, what);
        break;
    }
    return -1;
}

int store_exec(struct store *st, const char *sql, struct bai_error *err)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        char what[96];
        snprintf(what, sizeof what, "running \"%.60s\"", sql);
        return store_fail(st, rc, what, err);
    }
    return 0;
}

sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id, const char *sql,
                         struct bai_error *err)
{
    sqlite3_stmt *s = st->stmts[id];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        store_fail(st, rc, "preparing a statement", err);
        return NULL;
    }
    st->stmts[id] = s;
    return s;
}

void store_stmt_done(sqlite3_stmt *s)
{
    if (s)
        sqlite3_reset(s);
}

int store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

static int step_simple(struct store *st, enum store_stmt_id id, const char *sql,
                       const char *what, struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, id, sql, err);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, what, err);
    return 0;
}

/* Inside a batch, a single write becomes a savepoint so that a failed
 * sample (duplicate, constraint) leaves the batch's other writes intact. */
int store_tx_begin(struct store *st, struct bai_error *err)
{
    if (st->tx_depth > 0)
        return step_simple(st, SS_SAVEPOINT, "SAVEPOINT store_one", "starting a savepoint", err);
    return step_simple(st, SS_BEGIN, "BEGIN IMMEDIATE", "starting a write transaction", err);
}

int store_tx_commit(struct store *st, struct bai_error *err)
{
    if (st->tx_depth > 0)
        return step_simple(st, SS_RELEASE, "RELEASE store_one", "releasing a savepoint", err);
    if (step_simple(st, SS_COMMIT, "COMMIT", "committing", err) < 0) {
        store_tx_rollback(st);
        return -1;
    }
    return 0;
}

void store_tx_rollback(struct store *st)
{
    if (st->tx_depth > 0) {
        step_simple(st, SS_ROLLBACK_TO, "ROLLBACK TO store_one", "rolling back a savepoint", NULL);
        step_simple(st, SS_RELEASE, "RELEASE store_one", "releasing a savepoint", NULL);
        return;
    }
    /* SQLite may already have rolled back on SQLITE_FULL / IOERR. */
    if (!sqlite3_get_autocommit(st->db)) {
        sqlite3_stmt *s = store_stmt(st, SS_ROLLBACK, "ROLLBACK", NULL);
        if (s) {
            sqlite3_step(s);
            store_stmt_done(s);
        }
    }
}

int store_begin(struct store *st, struct bai_error *err)
{
    if (st->tx_depth == 0 &&
        step_simple(st, SS_BEGIN, "BEGIN IMMEDIATE", "starting a write transaction", err) < 0)
        return -1;
    st->tx_depth++;
    return 0;
}

int store_commit(struct store *st, struct bai_error *err)
{
    if (st->tx_depth <= 0) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "store_commit without store_begin");
        return -1;
    }
    if (--st->tx_depth > 0)
        return 0;
    if (step_simple(st, SS_COMMIT, "COMMIT", "committing", err) < 0) {
        store_tx_rollback(st);
        return -1;
    }
    return 0;
}

void store_rollback(struct store *st)
{
    st->tx_depth = 0;
    store_tx_rollback(st);
}

static struct store *store_new(const char *path)
{
    struct store *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    return st;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < SS__COUNT; i++)
        sqlite3_finalize(st->stmts[i]);
    if (st->db)
        sqlite3_close(st->db);
    free(st->path);
    free(st);
}

struct sqlite3 *store_db(struct store *st)
{
    return st->db;
}

/* Switches a new store to WAL. Two processes creating the same store race
 * here, and SQLite answers SQLITE_BUSY at once instead of calling the busy
 * handler: the pragma already holds a read lock when it asks for the write
 * lock, and waiting there could deadlock. Nothing is held between tries, so
 * retrying up to the busy timeout is safe; an existing WAL store never gets
 * here busy (the pragma is then a no-op). */
static int switch_to_wal(struct store *st, struct bai_error *err)
{
    int64_t deadline = clock_mono_ns() + (int64_t)STORE_BUSY_TIMEOUT_MS * 1000000;
    for (;;) {
        int rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY || clock_mono_ns() > deadline)
            return store_fail(st, rc, "switching the journal to WAL", err);
        clock_sleep_ms(5);
    }
}

/* Connects and applies the per-connection settings. The schema version is
 * read before anything is written: switching the journal mode to WAL
 * rewrites the file header, and a store written by a newer benchai (or a
 * file that is not a store) must be refused untouched. Reading is also
 * what fails first, with SQLITE_NOTADB, on a file that is not SQLite. */
static int open_connection(struct store *st, int flags, struct bai_error *err)
{
    int rc = sqlite3_open_v2(st->path, &st->db, flags | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "opening", err);
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    if (!(flags & SQLITE_OPEN_READONLY)) {
        if (store_schema_check_readonly(st, err) < 0)
            return -1;
        if (switch_to_wal(st, err) < 0)
            return -1;
        if (store_exec(st, "PRAGMA synchronous=NORMAL", err) < 0)
            return -1;
    }
    return store_exec(st, "PRAGMA foreign_keys=ON", err);
}

/* SQLite reports a directory as a disk I/O error, which sends the user
 * looking for a failing disk; say what it is instead. */
static int refuse_directory(const char *path, struct bai_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s is a directory, not a store file; give the file, e.g. --store "
                      "%s%sbenchai.db", path, path, path[strlen(path) - 1] == '/' ? "" : "/");
        return -1;
    }
    return 0;
}

struct store *store_open(const char *path, struct bai_error *err)
{
    if (!path || !*path) {   /* the command decides the path (cli_default_store) */
        bai_error_set(err, BAI_EXIT_INTERNAL, "no store path given");
        return NULL;
    }
    if (refuse_directory(path, err) < 0)
        return NULL;
    char *dir = fs_dirname(path);
    int rc = fs_mkdirs(dir, 0755, err);
    free(dir);
    if (rc < 0)
        return NULL;
    struct store *st = store_new(path);
    if (open_connection(st, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err) < 0 ||
        store_schema_apply(st, err) < 0) {
        store_close(st);
        return NULL;
    }
    st->version = STORE_SCHEMA_VERSION;
    return st;
}

/* "file:PATH?immutable=1" with PATH percent-encoded where a URI needs it. */
static char *immutable_uri(const char *path)
{
    struct buf b = {0};
    buf_puts(&b, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= 0x20 || *p >= 0x7f)
            buf_printf(&b, "%%%02X", *p);
        else
            buf_putc(&b, (char)*p);
    }
    buf_puts(&b, "?immutable=1");
    return buf_detach(&b);
}

/* 1 when the store has no write-ahead log with content: only then may it
 * be read as immutable (SQLite then ignores a -wal file). */
static int wal_is_empty(const char *path)
{
    char *wal = xasprintf("%s-wal", path);
    struct stat sb;
    int empty = stat(wal, &sb) != 0 || sb.st_size == 0;
    free(wal);
    return empty;
}

/* Connects read-only and reads the schema version. On a read-only file
 * system (or a file it may not write), SQLite cannot make the WAL's -shm
 * file, and a plain read-only open fails: the store is then opened as
 * immutable, which needs no -shm, when its WAL holds nothing that would be
 * missed. */
static int open_readonly_version(struct store *st, struct bai_error *err)
{
    int version = -1;
    if (open_connection(st, SQLITE_OPEN_READONLY, err) == 0)
        version = store_schema_check_readonly(st, err);
    if (version >= 0)
        return version;
    int code = st->db ? sqlite3_errcode(st->db) & 0xff : SQLITE_CANTOPEN;
    if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY && code != SQLITE_IOERR)
        return -1;
    if (!wal_is_empty(st->path)) {
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s: cannot open the store read-only: its write-ahead log (%s-wal) holds "
                      "data that needs a -shm file this file system does not allow; copy the "
                      "store with its -wal file to a writable place", st->path, st->path);
        return -1;
    }
    sqlite3_close(st->db);
    st->db = NULL;
    char *uri = immutable_uri(st->path);
    char *plain = st->path;
    st->path = uri;
    struct bai_error e2 = {0};
    int rc = open_connection(st, SQLITE_OPEN_READONLY, &e2);
    st->path = plain;
    free(uri);
    if (rc == 0)
        version = store_schema_check_readonly(st, &e2);
    if (version < 0) {
        if (e2.msg[0])
            bai_error_set(err, BAI_EXIT_STORE, "%s", e2.msg);
        return -1;
    }
    return version;
}

/* Replaces st's read-only connection to an older store by an in-memory
 * copy of it brought to the current schema (the online backup API copies
 * the pages; the migrations run on the copy). Costs the store's size in
 * memory, once per command, and only for stores that can be neither
 * migrated in place nor read as they are. */
static int migrate_in_memory(struct store *st, struct bai_error *err)
{
    sqlite3 *mem = NULL;
    int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(mem, "main", st->db, "main") : NULL;
    if (b) {
        rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(mem);
    }
    if (rc != SQLITE_OK) {
        bai_error_set(err, BAI_EXIT_STORE, "%s: copying the store to memory to read it: %s", st->path,
                      mem ? sqlite3_errmsg(mem) : sqlite3_errstr(rc));
        sqlite3_close(mem);
        return -1;
    }
    sqlite3_close(st->db);
    st->db = mem;
    sqlite3_extended_result_codes(st->db, 1);
    if (store_schema_apply(st, err) < 0 || store_exec(st, "PRAGMA foreign_keys=ON", err) < 0)
        return -1;
    st->version = STORE_SCHEMA_VERSION;
    return 0;
}

struct store *store_open_readonly_as_is(const char *path, int *version_out, struct bai_error *err)
{
    if (!path || !*path) {   /* the command decides the path (cli_default_store) */
        bai_error_set(err, BAI_EXIT_INTERNAL, "no store path given");
        return NULL;
    }
    struct stat sb;
    if (refuse_directory(path, err) < 0)
        return NULL;
    if (stat(path, &sb) != 0) {
        bai_error_set(err, BAI_EXIT_STORE,
                      "no store at %s (%s); run 'benchai run' first, or give --store PATH "
                      "or set BENCHAI_STORE", path, strerror(errno));
        return NULL;
    }
    struct store *st = store_new(path);
    st->readonly = 1;
    int version = open_readonly_version(st, err);
    if (version < 0)
        goto fail;
    if (version == 0) {
        bai_error_set(err, BAI_EXIT_STORE, "%s is an empty file, not a benchai store", path);
        goto fail;
    }
    st->version = version;
    *version_out = version;
    return st;
fail:
    store_close(st);
    return NULL;
}

struct store *store_open_readonly(const char *path, struct bai_error *err)
{
    int version = 0;
    struct store *st = store_open_readonly_as_is(path, &version, err);
    if (st && version < STORE_SCHEMA_VERSION) {
        /* An older store: migrate it once through a read-write connection
         * (one transaction), then read it with the current schema. Where it
         * cannot be written (a read-only file system, an archive), a copy
         * in memory is migrated instead, so every query sees the current
         * schema and the file stays as it was. */
        char *dir = fs_dirname(path);
        int writable = access(path, W_OK) == 0 && access(dir, W_OK) == 0;
        free(dir);
        if (!writable)
            return migrate_in_memory(st, err) == 0 ? st : (store_close(st), NULL);
        store_close(st);
        st = store_open(path, err);
        if (!st)
            return NULL;
        store_close(st);
        return store_open_readonly(path, err);
    }
    return st;
}

int store_copy(struct store *st, const char *dest, struct bai_error *err)
{
    char *tmp = xasprintf("%s.tmp-%ld", dest, (long)getpid());
    unlink(tmp);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "VACUUM INTO ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, tmp, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, rc, "writing a copy", err);
        bai_error_prefix(err, "%s", dest);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    /* durable before it is visible under its name: a reader of dest sees
     * the previous copy or this one, never half of one */
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    int ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(tmp, dest) != 0) {
        bai_error_set(err, BAI_EXIT_STORE, "%s: cannot put the copy in place (%s)", dest, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int store_input_files(const char *path)
{
    char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
    int bits = (access(wal, F_OK) == 0 ? 1 : 0) | (access(shm, F_OK) == 0 ? 2 : 0);
    free(wal);
    free(shm);
    return bits;
}

void store_input_tidy(const char *path, int before)
{
    if (before != 0 || store_input_files(path) == 0)
        return;
    /* Reading a WAL store read-only creates its -wal and -shm and cannot
     * remove them. The last read-write connection to close removes them,
     * and SQLite does so only when no other process has the file open, so
     * a store that a shard is still writing keeps its files. */
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    sqlite3_close(db);
}

int store_schema_version(struct store *st)
{
    return store_schema_read_version(st, NULL);
}

/* Appends each row of a check pragma; returns the number of problem rows
 * (a single "ok" row counts as none), -1 on error. */
static int run_check(sqlite3 *db, const char *pragma, const char *name, struct buf *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, pragma, -1, &s, NULL);
    if (rc != SQLITE_OK) {
        buf_printf(out, "%s: cannot run (%s)\n", name, sqlite3_errmsg(db));
        return -1;
    }
    int problems = 0, rows = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        rows++;
        int ncol = sqlite3_column_count(s);
        if (ncol == 1 && !strcmp((const char *)sqlite3_column_text(s, 0), "ok"))
            continue;
        problems++;
        if (problems <= 20) {
            buf_printf(out, "%s: ", name);
            for (int c = 0; c < ncol; c++) {
                const unsigned char *t = sqlite3_column_text(s, c);
                buf_printf(out, "%s%s", c ? " " : "", t ? (const char *)t : "NULL");
            }
            buf_putc(out, '\n');
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        buf_printf(out, "%s: failed (%s)\n", name, sqlite3_errstr(rc));
        return -1;
    }
    if (problems > 20)
        buf_printf(out, "%s: ... %d problems in all\n", name, problems);
    if (!problems)
        buf_printf(out, "%s: ok\n", name);
    return problems;
}

int store_check_file(const char *path, struct buf *out, struct bai_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        bai_error_set(err, BAI_EXIT_STORE, "no store at %s (%s)", path, strerror(errno));
        return -1;
    }
    struct store *st = store_new(path);
    int result = -1;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        store_fail(st, sqlite3_errcode(st->db), "opening", err);
        goto done;
    }
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    int rc = sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if ((rc & 0xff) == SQLITE_NOTADB) {
        store_fail(st, rc, "reading", err);
        goto done;
    }
    buf_printf(out, "store: %s (%lld bytes)\n", path, (long long)sb.st_size);
    int bad = 0;
    int q = run_check(st->db, "PRAGMA quick_check", "quick_check", out);
    int i = run_check(st->db, "PRAGMA integrity_check", "integrity_check", out);
    int f = run_check(st->db, "PRAGMA foreign_key_check", "foreign_key_check", out);
    bad = (q != 0) || (i != 0) || (f != 0);
    struct bai_error verr = { 0 };
    int version = store_schema_read_version(st, &verr);
    if (version < 0) {
        buf_printf(out, "schema: %s\n", verr.msg);
        bad = 1;
    } else if (version > STORE_SCHEMA_VERSION) {
        buf_printf(out, "schema: version %d, newer than this benchai (%d)\n", version,
                   STORE_SCHEMA_VERSION);
    } else {
        buf_printf(out, "schema: version %d%s\n", version,
                   version < STORE_SCHEMA_VERSION ? " (will be migrated when opened for writing)"
                                                  : "");
    }
    result = bad ? 1 : 0;
done:
    store_close(st);
    return result;
}

int store_vacuum(struct store *st, struct bai_error *err)
{
    if (store_exec(st,
                   "DELETE FROM suites WHERE id NOT IN (SELECT suite_id FROM run_suites)"
                   " AND id NOT IN (SELECT DISTINCT suite_id FROM samples)",
                   err) < 0)
        return -1;
    if (store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err) < 0)
        return -1;
    if (store_exec(st, "VACUUM", err) < 0)
        return -1;
    return store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}

char *store_col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

double store_col_num(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? -1.0 : sqlite3_column_double(s, i);
}

int64_t store_col_int(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
}
