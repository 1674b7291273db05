/* identity.h - what makes two configurations the same: everything that can
 * change their numbers. The identity of a configuration is the SHA-256 of
 * a canonical JSON object (keys sorted at every level, no spaces):
 *
 *   backend         "llama-server", "openai", "command" or "replay"
 *   model_sha256    content of the model file (a launched server)
 *   draft_sha256    content of the draft model file, when there is one
 *   mmproj_sha256   content of the multimodal projector file, when there is one
 *   server_sha256   content of the llama-server binary (its build)
 *   url, model      an endpoint and the model name it is asked for
 *   command         the command backend's argv template
 *   replay          the run a replay serves
 *   settings        every setting of the table that is set (settings.h),
 *                   the plan's defaults and single-valued axes included
 *   inherited_env   the variables a launched server inherits from benchai's
 *                   environment that change what it does (LLAMA_ARG_*,
 *                   GGML_*, OMP_*, KMP_*, MKL_*, OPENBLAS_*): llama-server
 *                   reads LLAMA_ARG_* as flags. Device binding
 *                   (CUDA_VISIBLE_DEVICES, ...) is not: it is where a
 *                   configuration ran, not what it is.
 *   measurement     how requests are sent: concurrency, rate, stream and
 *                   what keeps the server's prompt cache out (--prompt-cache)
 *
 * Two configurations share an identity exactly when all of these agree;
 * the label (what people read) stays short. Owns: the canonical JSON, its
 * hash and the list of fields two identities differ in. Does not own the
 * content hashes (util/filehash.h) or the store.
 */
#ifndef BAI_IDENTITY_H
#define BAI_IDENTITY_H

#include <stddef.h>
#include "settings/settings.h"

struct identity_input {
    const char *backend;
    const char *model_sha256, *draft_sha256, *mmproj_sha256, *server_sha256;   /* NULL: not applicable */
    const char *url, *model;
    const char *command, *replay;
    const struct settings *settings;   /* NULL: none */
    int launched;                      /* a server benchai starts: inherited_env applies */
    int concurrency;                   /* requests in flight */
    double rate;                       /* open-loop requests/s, 0: closed loop */
    int stream;
    const char *prompt_cache;          /* "off", "unique-prefix", "on" */
};

/* The variables of environ (NULL: the process's) that identity_json
 * records for a launched server whose env setting is env (NULL: none), as
 * a sorted JSON array of "NAME=VALUE"; NULL when there are none. */
cJSON *identity_inherited_env(char *const *environ_, const struct settings *s);
/* The canonical JSON (allocated). */
char *identity_json(const struct identity_input *in);
/* hex = SHA-256 of json. */
void identity_hash(const char *json, char hex[65]);
/* Appends to *out (n strings so far; returns the new count) one line per
 * field in which identity JSONs a and b differ: "settings.threads: 1 vs
 * (unset)", "model_sha256: 3fa2c1d0e9b8 vs 77c0...". NULL on either side:
 * nothing (an old store recorded no identity). Strings allocated. */
size_t identity_differences(const char *a, const char *b, char ***out, size_t n);

#endif
