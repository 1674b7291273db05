/* harness.h - helpers for tests that run the real benchai binary: spawn it
 * with arguments, capture its output, query the store it wrote, and look for
 * llama-server processes left behind. */
#ifndef BAI_TEST_HARNESS_H
#define BAI_TEST_HARNESS_H

#include <stdio.h>
#include <sys/types.h>

/* $BENCHAI_BIN, else ./benchai. */
const char *harness_bin(void);
/* A fresh temp directory (mkdtemp); caller frees the string. */
char *harness_tempdir(void);
/* Runs benchai with args (NULL-terminated, without argv[0]); captures
 * stdout/stderr (caller frees; pointers may be NULL). Returns exit status,
 * or 128+signal. */
int harness_run(const char *const *args, char **out, char **err);
/* harness_run for input that may make benchai run away (hostile files and
 * servers): benchai is killed when it has not ended within deadline_s,
 * and its address space is limited to rlimit_as_mib (0: no limit; the
 * limit does not suit sanitizer builds, so it is skipped under ASan).
 * Returns the exit status, or -1 when it was killed at the deadline;
 * *maxrss_kb (may be NULL) gets its peak RSS. */
int harness_run_bounded(const char *const *args, int deadline_s, long rlimit_as_mib,
                        long *maxrss_kb, char **out, char **err);
/* Starts benchai in the background with stdout/stderr to files in dir. */
pid_t harness_spawn(const char *const *args, const char *dir);
/* Waits for pid; returns exit status or 128+signal. */
int harness_wait(pid_t pid);
/* One integer from a SQL query on a store (-1 on error). */
long long harness_sql_int(const char *db_path, const char *sql);
/* Runs the SQL file sql_path (a fixture under tests/data/) on db_path,
 * creating it; asserts success. */
void harness_sql_file(const char *db_path, const char *sql_path);
/* One text from a SQL query (caller frees; NULL on error). */
char *harness_sql_text(const char *db_path, const char *sql);
/* Number of running llama-server processes whose command line contains
 * marker (a unique --alias the test passes). */
int harness_count_servers(const char *marker);
/* Waits up to ms for harness_count_servers(marker) to reach 0; returns the count. */
int harness_wait_servers_gone(const char *marker, int ms);
/* llama-server processes whose parent is `parent` (a benchai), at most max
 * pids into out; returns how many. */
int harness_child_servers(pid_t parent, pid_t *out, int max);
/* The command line of pid with spaces for NULs (caller frees; NULL when gone). */
char *harness_cmdline(pid_t pid);
/* The --port of a llama-server's command line, or -1. */
int harness_server_port(pid_t pid);
/* Reads a file written by a spawned benchai (dir/stdout, dir/stderr); "" when
 * missing. Caller frees. */
char *harness_read(const char *dir, const char *name);
/* 1 when the llama-server build and the tiny models exist. */
int harness_have_llama(void);
/* Path of a tiny model (caller frees). */
char *harness_model(const char *name);
/* Path of the llama-server binary (caller frees). */
char *harness_llama_server(void);

/* Runs a command's function (cmd_show, ...) in this process with args
 * (NULL-terminated, the command name first) and returns its exit code. */
int harness_cmd(int (*fn)(int, char **), const char *const *args);
/* What f (a stream Criterion redirected: cr_get_redirected_stdout()) got
 * since the previous call with the same *consumed (start it at 0); stdout
 * and stderr are flushed first. Caller frees. */
char *harness_read_new(FILE *f, long *consumed);

/* One integration test's private world: a temp dir with a store and a log
 * folder, and a unique marker passed to llama-server as --alias so the test
 * can find exactly its own server processes. harness_env_setup skips the
 * test when llama-server or the tiny models are missing. */
struct harness_env {
    char *dir, *db, *logs, *marker, *alias_arg;
};
struct harness_env harness_env_setup(void);
void harness_env_free(struct harness_env *e);
/* harness_sql_int on the env's store. */
long long harness_env_int(const struct harness_env *e, const char *sql);

#endif
