/* backend_int.h - the kinds that answer without HTTP, as backend.c calls
 * them: command.c (one process per prompt) and replay.c (a stored run's
 * outputs). Owns only these declarations, so the definitions and the one
 * caller see the same prototypes; nothing outside backend/ includes it.
 * Each start fills b->priv; each stop frees it. */
#ifndef BAI_BACKEND_INT_H
#define BAI_BACKEND_INT_H

#include "backend/backend.h"

int backend_command_start(struct backend *b, struct bai_error *err);
int backend_command_generate(struct backend *b, const struct gen_request *req,
                             struct gen_response *resp);
void backend_command_stop(struct backend *b);

int backend_replay_start(struct backend *b, struct bai_error *err);
int backend_replay_generate(struct backend *b, const char *item_key, struct gen_response *resp);
void backend_replay_stop(struct backend *b);

#endif
