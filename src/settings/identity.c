/* identity.c - a configuration's identity (see identity.h): the canonical
 * JSON (keys sorted at every level), its SHA-256, the inherited environment
 * that counts, and the named differences between two identities. */
#include "settings/identity.h"
#include "util/mem.h"
#include "util/sha256.h"

#include <stdlib.h>
#include <string.h>

/* Sorts the members of every object by key, so one set of values has one
 * spelling whatever order it was built in. */
static void sort_keys(cJSON *node)
{
    if (!node)
        return;
    for (cJSON *c = node->child; c; c = c->next)
        sort_keys(c);
    if (!cJSON_IsObject(node) || !node->child)
        return;
    /* insertion sort on the linked list (objects here have few members) */
    cJSON *sorted = NULL;
    cJSON *c = node->child;
    while (c) {
        cJSON *next = c->next;
        c->prev = c->next = NULL;
        if (!sorted || strcmp(c->string, sorted->string) < 0) {
            c->next = sorted;
            sorted = c;
        } else {
            cJSON *at = sorted;
            while (at->next && strcmp(at->next->string, c->string) <= 0)
                at = at->next;
            c->next = at->next;
            at->next = c;
        }
        c = next;
    }
    /* cJSON keeps prev pointers, and the first child's prev is the last */
    cJSON *last = sorted;
    for (cJSON *p = sorted; p; p = p->next) {
        if (p->next)
            p->next->prev = p;
        last = p;
    }
    sorted->prev = last;
    node->child = sorted;
}

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

cJSON *identity_inherited_env(char *const *env, const struct settings *s)
{
    static const char *const prefixes[] = { "LLAMA_ARG_", "GGML_", "OMP_", "KMP_", "MKL_", "OPENBLAS_", NULL };
    if (!env)
        env = environ;
    const struct setting_value *set = s && settings_is_set(s, SETTING_ENV) ? &s->v[SETTING_ENV] : NULL;
    char **found = NULL;
    size_t n = 0;
    for (size_t i = 0; env[i]; i++) {
        int wanted = 0;
        for (size_t p = 0; prefixes[p] && !wanted; p++)
            wanted = !strncmp(env[i], prefixes[p], strlen(prefixes[p]));
        size_t len = strcspn(env[i], "=");
        /* a variable the env setting sets or unsets is recorded there */
        for (size_t k = 0; set && k < set->list.n && wanted; k++)
            wanted = !(strcspn(set->list.v[k], "=") == len && !strncmp(set->list.v[k], env[i], len));
        if (!wanted)
            continue;
        found = xrealloc(found, (n + 1) * sizeof *found);
        found[n++] = env[i];
    }
    if (!n)
        return NULL;
    qsort(found, n, sizeof *found, cmp_str);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(found[i]));
    free(found);
    return arr;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, k, v);
}

char *identity_json(const struct identity_input *in)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "backend", in->backend);
    add_str(o, "model_sha256", in->model_sha256);
    add_str(o, "draft_sha256", in->draft_sha256);
    add_str(o, "mmproj_sha256", in->mmproj_sha256);
    add_str(o, "server_sha256", in->server_sha256);
    add_str(o, "url", in->url);
    add_str(o, "model", in->model);
    add_str(o, "command", in->command);
    add_str(o, "replay", in->replay);
    cJSON_AddItemToObject(o, "settings", in->settings ? settings_to_json(in->settings) : cJSON_CreateObject());
    cJSON *inherited = in->launched ? identity_inherited_env(NULL, in->settings) : NULL;
    if (inherited)
        cJSON_AddItemToObject(o, "inherited_env", inherited);
    cJSON *m = cJSON_AddObjectToObject(o, "measurement");
    cJSON_AddNumberToObject(m, "concurrency", in->concurrency);
    cJSON_AddNumberToObject(m, "rate", in->rate);
    cJSON_AddBoolToObject(m, "stream", in->stream != 0);
    add_str(m, "prompt_cache", in->prompt_cache);
    sort_keys(o);
    char *s = cJSON_PrintUnformatted(o);
    char *out = xstrdup(s);
    cJSON_free(s);
    cJSON_Delete(o);
    return out;
}

void identity_hash(const char *json, char hex[65])
{
    sha256_hex(json, strlen(json), hex);
}

/* A value as shown in a difference: hashes shortened to 12 digits. */
static char *shown(const cJSON *v, const char *key)
{
    if (!v)
        return xstrdup("(unset)");
    if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        if (strstr(key, "sha256") && n > 12)
            return xasprintf("%.12s", v->valuestring);
        return xstrdup(v->valuestring);
    }
    char *p = cJSON_PrintUnformatted(v);
    char *out = xstrdup(p);
    cJSON_free(p);
    return out;
}

static size_t add(char ***out, size_t n, const char *path, const cJSON *a, const cJSON *b)
{
    char *va = shown(a, path), *vb = shown(b, path);
    *out = xrealloc(*out, (n + 1) * sizeof **out);
    (*out)[n++] = xasprintf("%s: %s vs %s", path, va, vb);
    free(va);
    free(vb);
    return n;
}

/* Differences of two objects, one level deep for the nested objects
 * (settings, measurement), in key order (both sides are sorted). */
static size_t diff_objects(const cJSON *a, const cJSON *b, const char *prefix, char ***out, size_t n)
{
    const cJSON *x = a ? a->child : NULL, *y = b ? b->child : NULL;
    while (x || y) {
        int c = !x ? 1 : !y ? -1 : strcmp(x->string, y->string);
        const cJSON *left = c <= 0 ? x : NULL, *right = c >= 0 ? y : NULL;
        const char *key = left ? left->string : right->string;
        char *path = prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
        if (left && right && cJSON_IsObject(left) && cJSON_IsObject(right) && !prefix) {
            n = diff_objects(left, right, key, out, n);
        } else if (!left || !right || !cJSON_Compare(left, right, 1)) {
            n = add(out, n, path, left, right);
        }
        free(path);
        if (c <= 0)
            x = x->next;
        if (c >= 0)
            y = y->next;
    }
    return n;
}

size_t identity_differences(const char *ja, const char *jb, char ***out, size_t n)
{
    if (!ja || !jb)
        return n;
    cJSON *a = cJSON_Parse(ja), *b = cJSON_Parse(jb);
    if (a && b) {
        sort_keys(a);
        sort_keys(b);
        n = diff_objects(a, b, NULL, out, n);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return n;
}
