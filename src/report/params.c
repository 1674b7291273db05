/* params.c - see params.h. */
#include "report/params.h"

#include <math.h>
#include <string.h>

#include "util/mem.h"

/* Keys a plan writes for its own bookkeeping, not settings of the server. */
static int bookkeeping(const char *key)
{
    return !strcmp(key, "sweep") || !strcmp(key, "model");
}

cJSON *report_params_parse(const char *stored)
{
    cJSON *j = stored ? cJSON_Parse(stored) : NULL;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = cJSON_CreateObject();
    }
    return j;
}

double report_param_num(const cJSON *params, const char *axis)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, axis);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *report_param_str(const cJSON *params, const char *axis)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, axis);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int report_param_has(const cJSON *params, const char *axis)
{
    return cJSON_GetObjectItemCaseSensitive(params, axis) != NULL;
}

static char *value_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsNumber(v))
        return xasprintf("%g", v->valuedouble);
    char *s = cJSON_PrintUnformatted(v);
    char *out = xstrdup(s ? s : "?");
    cJSON_free(s);
    return out;
}

char *report_param_text(const cJSON *params, const char *axis)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, axis);
    return v ? value_text(v) : NULL;
}

static int excepted(const char *key, const char *const *except, size_t n)
{
    if (bookkeeping(key))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(key, except[i]))
            return 1;
    return 0;
}

/* every kept key of a is in b with an equal value */
static int subset(const cJSON *a, const cJSON *b, const char *const *except, size_t n)
{
    const cJSON *kv;
    cJSON_ArrayForEach(kv, a) {
        if (!kv->string || excepted(kv->string, except, n))
            continue;
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(b, kv->string);
        if (!o || !cJSON_Compare(kv, o, 1))
            return 0;
    }
    return 1;
}

int report_params_same_except(const cJSON *a, const cJSON *b, const char *const *except, size_t n_except)
{
    return subset(a, b, except, n_except) && subset(b, a, except, n_except);
}

int report_param_at(const cJSON *params, size_t i, const char **name, char **value)
{
    size_t k = 0;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, params) {
        if (!kv->string || bookkeeping(kv->string))
            continue;
        if (k++ == i) {
            *name = kv->string;
            *value = value_text(kv);
            return 1;
        }
    }
    return 0;
}
