/* config.c - see config.h. */
#include "run/config.h"
#include "store/store.h"
#include "util/mem.h"
#include "util/strlist.h"

#include <stdlib.h>
#include <string.h>

void run_config_init(struct run_config *c)
{
    memset(c, 0, sizeof *c);
    c->backend = BACKEND_LLAMA_SERVER;
    c->ngl = -1;
    c->warmup = 1;
    c->stream = 1;
    c->retries = 3;
    c->prompt_cache = "off";
}

void run_config_free(struct run_config *c)
{
    strlist_free(c->suites, c->n_suites);
    strlist_free(c->sweeps, c->n_sweeps);
    strlist_free(c->tags, c->n_tags);
    strlist_free(c->server_args, c->n_server_args);
    memset(c, 0, sizeof *c);
}

const char *run_config_store(const struct run_config *c)
{
    return c->store ? c->store : STORE_DEFAULT_PATH;
}
