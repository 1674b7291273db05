/* llama_procs.h - the llama-server processes on this machine, as far as
 * they matter to a measurement: two llama-servers that each spin on every
 * core slow each other down by orders of magnitude (measured on 2 cores:
 * ~1000 -> ~3 tok/s).
 *
 * Owns: the registry of servers this benchai process runs (role and
 * threads, so a second one can take the cores the first left free), and
 * the scan of /proc for llama-server processes this benchai did not start.
 * Does not own the processes (llama_server.c launches and stops them).
 */
#ifndef BAI_LLAMA_PROCS_H
#define BAI_LLAMA_PROCS_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Online cores (at least 1). */
int llama_procs_cores(void);

/* Records that owner (a struct llama_server) runs with `threads` (0 = the
 * server's default: every core) in `role` ("server", "judge"). Adding an
 * owner again updates it. Thread-safe. */
void llama_procs_add(const void *owner, const char *role, int threads);
void llama_procs_remove(const void *owner);

/* The threads a new server should use when none were asked for: the cores
 * the other registered servers leave free (at least 1), or 0 (the server's
 * default) when no other server is registered or one of them uses every
 * core. *others_out (may be NULL) gets [{"role":..., "threads":...}] of
 * the others, or NULL when there are none; caller frees. */
int llama_procs_free_threads(const void *owner, cJSON **others_out);

/* llama-server processes that this benchai did not start (not its
 * children), found in /proc: [{"pid":N, "os_threads":N, "cmdline":"..."}],
 * empty when none. Zombies are left out. Caller frees. */
cJSON *llama_procs_competing(void);

/* The state letter of /proc/PID/stat with its meaning ("T (stopped)"), or
 * "?" when the process is gone. Writes into out. */
void llama_procs_state(long pid, char *out, size_t size);

#endif
