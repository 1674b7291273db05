/* request.c - a suite item made into a gen_request (see request.h):
 * messages with images as data: URIs, lettered choices, tools, speed
 * prompts of a fixed length, the point's request settings laid over it and
 * the prompt-cache bypass of --prompt-cache. */
#include "run/request.h"
#include "settings/settings.h"
#include "util/mem.h"
#include "util/sha256.h"

#include <stdlib.h>
#include <string.h>

static char *own(struct built_request *b, char *s)
{
    XGROW(b->owned, b->n_owned + 1, b->cap_owned);
    b->owned[b->n_owned++] = s;
    return s;
}

/* The images of a message as data: URIs the request owns. */
static void attach_images(struct built_request *b, struct gen_message *m, const struct suite_image *v, size_t n)
{
    if (!n)
        return;
    const char **urls = xcalloc(n, sizeof *urls);
    own(b, (char *)urls);
    for (size_t i = 0; i < n; i++)
        urls[i] = own(b, suite_image_data_uri(&v[i]));
    m->image_urls = urls;
    m->n_images = n;
}

char *request_render_choices(const struct suite_item *item)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(item->data, "choices");
    if (!cJSON_IsArray(choices))
        return NULL;
    struct buf b = {0};
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, choices) {
        if (!cJSON_IsString(c))
            continue;
        buf_printf(&b, "%s%c) %s", i ? "\n" : "", 'A' + i, c->valuestring);
        i++;
    }
    return buf_detach(&b);
}

static const char *scoring_str(const struct suite_item *item, const char *key)
{
    const cJSON *scoring = cJSON_GetObjectItemCaseSensitive(item->data, "scoring");
    const cJSON *v = cJSON_IsObject(scoring) ? cJSON_GetObjectItemCaseSensitive(scoring, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A speed suite's prompt: plain words, about one token each for common
 * vocabularies; the exact count the server saw is stored from its timings. */
static char *speed_prompt(int pp)
{
    static const char *const words[] = { "the", "quick", "brown", "fox", "jumps", "over", "a",
                                         "lazy", "dog", "and", "runs", "away" };
    struct buf b = {0};
    buf_puts(&b, "");
    for (int i = 0; i < pp; i++)
        buf_printf(&b, "%s%s", i ? " " : "", words[i % 12]);
    return buf_detach(&b);
}

void request_build(const struct suite_item *item, const struct suite *suite, int stream,
                   const char *model_name, struct built_request *out)
{
    memset(out, 0, sizeof *out);
    struct gen_request *r = &out->req;
    r->chat = item->chat;
    r->max_tokens = item->max_tokens > 0 ? item->max_tokens : 256;
    r->temperature = item->temperature;
    r->stop = (const char *const *)item->stop;
    r->n_stop = item->n_stop;
    r->stream = stream;
    r->seed = -1;
    r->model = model_name;

    const char *prompt = item->prompt;
    if (suite && suite->kind && !strcmp(suite->kind, "speed")) {
        prompt = own(out, speed_prompt(suite->speed.pp > 0 ? suite->speed.pp : 128));
        r->max_tokens = suite->speed.tg > 0 ? suite->speed.tg : 128;
        r->ignore_eos = suite->speed.ignore_eos;
        /* every request sends the same prompt: request_prompt_cache keeps
         * the server's prompt cache out of its pp tok/s */
        r->chat = 0;
        r->temperature = 0;
        r->n_stop = 0;
    }
    if (prompt && item->scorer && !strcmp(item->scorer, "choice")) {
        char *choices = request_render_choices(item);
        const char *format = scoring_str(item, "format");
        if (choices) {
            if (format && !strcmp(format, "raw"))
                prompt = own(out, xasprintf("%s\n\n%s", prompt, choices));
            else
                prompt = own(out, xasprintf("%s\n\n%s\n\nAnswer with the letter only, as \"Answer: X\".",
                                            prompt, choices));
            free(choices);
        }
        const char *mode = scoring_str(item, "mode");
        if (mode && !strcmp(mode, "logprob")) {
            r->n_probs = 10;
            r->max_tokens = 1;
        }
    }
    const cJSON *ignore = cJSON_GetObjectItemCaseSensitive(item->data, "ignore_eos");
    if (cJSON_IsTrue(ignore))
        r->ignore_eos = 1;
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(item->data, "tools");
    if (cJSON_IsArray(tools))
        r->tools = tools;

    int speed = suite && suite->kind && !strcmp(suite->kind, "speed");
    if (!speed && item->time_limit_s > 0)
        r->time_limit_ms = (long)(item->time_limit_s * 1000 + 0.5);
    if (r->chat) {
        size_t n = (item->system ? 1 : 0) + (item->n_messages ? item->n_messages : 1);
        out->messages = xcalloc(n, sizeof *out->messages);
        size_t k = 0;
        if (item->system) {
            out->messages[k].role = "system";
            out->messages[k++].content = item->system;
        }
        if (item->n_messages && !speed) {
            for (size_t i = 0; i < item->n_messages; i++) {
                out->messages[k].role = item->messages[i].role;
                attach_images(out, &out->messages[k], item->messages[i].images, item->messages[i].n_images);
                out->messages[k++].content = item->messages[i].content;
            }
        } else {
            out->messages[k].role = "user";
            if (!speed)
                attach_images(out, &out->messages[k], item->images, item->n_images);
            out->messages[k++].content = prompt ? prompt : "";
        }
        r->messages = out->messages;
        r->n_messages = k;
        out->prompt_text = own(out, xstrdup(prompt ? prompt : ""));
    } else {
        const char *p = prompt ? prompt : "";
        if (item->system && !(suite && suite->kind && !strcmp(suite->kind, "speed")))
            out->completion_prompt = own(out, xasprintf("%s\n\n%s", item->system, p));
        else
            out->completion_prompt = own(out, xstrdup(p));
        r->prompt = out->completion_prompt;
        out->prompt_text = out->completion_prompt;
    }
}

void request_apply_settings(struct built_request *b, const struct settings *s, int per_request)
{
    if (!s)
        return;
    for (size_t i = 0; i < settings_count(); i++) {
        const struct setting_def *d = settings_def((int)i);
        int sent = d->request_key && (d->scope == SETTING_REQUEST || (per_request && (d->flags & SETTING_PER_REQUEST)));
        cJSON *v = sent ? settings_value_json(s, (int)i) : NULL;
        if (!v)
            continue;
        /* the fields struct gen_request has: set there (the body is built
         * from them); the rest travel in extra */
        if (!strcmp(d->request_key, "max_tokens")) {
            b->req.max_tokens = (int)v->valuedouble;
        } else if (!strcmp(d->request_key, "temperature")) {
            b->req.temperature = v->valuedouble;
        } else if (!strcmp(d->request_key, "seed")) {
            b->req.seed = (long)v->valuedouble;
        } else {
            if (!b->extra)
                b->extra = cJSON_CreateObject();
            cJSON_AddItemToObject(b->extra, d->request_key, v);
            v = NULL;
        }
        cJSON_Delete(v);
    }
    b->req.extra = b->extra;
}

void request_free(struct built_request *b)
{
    cJSON_Delete(b->extra);
    for (size_t i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b->messages);
    memset(b, 0, sizeof *b);
}

const char *const request_prompt_cache_names[] = { "off", "unique-prefix", "on", NULL };

int request_prompt_cache_parse(const char *name)
{
    if (!name)
        return PROMPT_CACHE_OFF;
    for (int i = 0; request_prompt_cache_names[i]; i++)
        if (!strcmp(name, request_prompt_cache_names[i]))
            return i;
    return -1;
}

void request_prompt_cache(struct built_request *b, enum prompt_cache_mode mode, const char *key)
{
    struct gen_request *r = &b->req;
    r->no_prompt_cache = mode != PROMPT_CACHE_ON;
    if (mode != PROMPT_CACHE_UNIQUE_PREFIX)
        return;
    char hex[65];
    sha256_hex(key, strlen(key), hex);
    b->prompt_prefix = own(b, xasprintf("[benchai %.12s]\n", hex));
    /* The first thing the server tokenizes after its chat template's own
     * start, so no earlier request shares more than that with this one. */
    if (r->chat && r->n_messages > 0) {
        b->messages[0].content = own(b, xasprintf("%s%s", b->prompt_prefix, b->messages[0].content));
    } else if (!r->chat) {
        b->completion_prompt = own(b, xasprintf("%s%s", b->prompt_prefix, r->prompt ? r->prompt : ""));
        r->prompt = b->completion_prompt;
        b->prompt_text = b->completion_prompt;
    }
}
