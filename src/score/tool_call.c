/* tool_call.c - the `tool_call` scorer: the model's first tool call (the
 * OpenAI tool_calls array, else a JSON block in the text: a ```json fence
 * or the first balanced {...} object that names a function) against
 * expected_call {name, arguments}, with exact or subset argument matching
 * and a one-line reason on mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "score/text.h"

/* The {name, arguments} of a call object in any of the shapes models use:
 * {name, arguments|parameters}, {function: {name, arguments}},
 * {tool_calls: [...]} . arguments may be a JSON string. *args_owned is set
 * when the arguments had to be parsed (caller deletes). */
static int call_parts(const cJSON *obj, const char **name, const cJSON **args, cJSON **args_owned)
{
    *args_owned = NULL;
    if (cJSON_IsArray(obj))
        obj = cJSON_GetArrayItem(obj, 0);
    if (!cJSON_IsObject(obj))
        return 0;
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(obj, "tool_calls");
    if (cJSON_IsArray(tc))
        return call_parts(cJSON_GetArrayItem(tc, 0), name, args, args_owned);
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(obj, "function");
    if (cJSON_IsObject(fn))
        obj = fn;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!cJSON_IsString(n))
        return 0;
    *name = n->valuestring;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "arguments");
    if (!a)
        a = cJSON_GetObjectItemCaseSensitive(obj, "parameters");
    if (cJSON_IsString(a)) {
        *args_owned = cJSON_Parse(a->valuestring);
        a = *args_owned;
        if (!a)
            return -1;    /* arguments string is not JSON */
    }
    *args = a;
    return 1;
}

/* Finds a JSON object in text: the first ```json (or ```) fence that parses,
 * else the first balanced {...} that parses and has a "name" or
 * "function" or "tool_calls" key. Returns a parsed object or NULL. */
static cJSON *json_in_text(const char *s)
{
    for (const char *f = strstr(s, "```"); f; f = strstr(f + 3, "```")) {
        const char *body = strchr(f + 3, '\n');
        if (!body)
            break;
        const char *end = strstr(body, "```");
        if (!end)
            break;
        char *copy = xstrndup(body, (size_t)(end - body));
        cJSON *j = cJSON_Parse(copy);
        free(copy);
        if (j && (cJSON_IsObject(j) || cJSON_IsArray(j)))
            return j;
        cJSON_Delete(j);
        f = end;
    }
    int tries = 0;   /* bounds the work on pathological text (deep nesting) */
    for (const char *p = strchr(s, '{'); p && tries < 256; p = strchr(p + 1, '{'), tries++) {
        int depth = 0, in_str = 0;
        const char *q = p;
        for (; *q; q++) {
            if (in_str) {
                if (*q == '\\' && q[1])
                    q++;
                else if (*q == '"')
                    in_str = 0;
            } else if (*q == '"') {
                in_str = 1;
            } else if (*q == '{') {
                depth++;
            } else if (*q == '}' && --depth == 0) {
                break;
            }
        }
        if (!*q)
            break;            /* unbalanced to the end: no later start can balance */
        char *copy = xstrndup(p, (size_t)(q - p + 1));
        cJSON *j = cJSON_Parse(copy);
        free(copy);
        if (j && (cJSON_GetObjectItemCaseSensitive(j, "name") ||
                  cJSON_GetObjectItemCaseSensitive(j, "function") ||
                  cJSON_GetObjectItemCaseSensitive(j, "tool_calls")))
            return j;
        cJSON_Delete(j);
    }
    return NULL;
}

static void describe(const cJSON *v, char *out, size_t n)
{
    char *s = v ? cJSON_PrintUnformatted(v) : NULL;
    snprintf(out, n, "%s", s ? s : "(missing)");
    if (strlen(out) == n - 1 && n > 4)
        memcpy(out + n - 4, "...", 4);
    free(s);
}

/* Numbers compare by value (1 == 1.0); everything else structurally. In
 * subset mode, objects need only the expected keys (recursively). Fills
 * reason with the first difference, path-qualified. */
static int match_value(const cJSON *want, const cJSON *got, int subset, const char *path,
                       char *reason, size_t rn)
{
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(got)) {
            char g[128];
            describe(got, g, sizeof g);
            snprintf(reason, rn, "argument %s: expected an object, got %s", path, g);
            return 0;
        }
        const cJSON *w;
        cJSON_ArrayForEach(w, want) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", w->string);
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
            if (!g) {
                snprintf(reason, rn, "missing argument %s", sub);
                return 0;
            }
            if (!match_value(w, g, subset, sub, reason, rn))
                return 0;
        }
        if (!subset) {
            const cJSON *g;
            cJSON_ArrayForEach(g, got)
                if (!cJSON_GetObjectItemCaseSensitive(want, g->string)) {
                    snprintf(reason, rn, "unexpected argument %s%s%s", path, *path ? "." : "",
                             g->string);
                    return 0;
                }
        }
        return 1;
    }
    int same = cJSON_IsNumber(want) && cJSON_IsNumber(got) ? want->valuedouble == got->valuedouble
                                                            : cJSON_Compare(want, got, 1);
    if (!same) {
        char w[128], g[128];
        describe(want, w, sizeof w);
        describe(got, g, sizeof g);
        snprintf(reason, rn, "argument %s: expected %s, got %s", *path ? path : "(arguments)", w, g);
    }
    return same;
}

static int tool_validate(const cJSON *data, struct bai_error *err)
{
    const cJSON *e = score_opt(data, "expected_call");
    const char *name;
    const cJSON *args;
    cJSON *owned;
    int ok = call_parts(e, &name, &args, &owned);
    cJSON_Delete(owned);
    if (ok == 1)
        return 0;
    score_problem(err, "tool_call: field 'expected_call' needs a 'name'");
    return 1;
}

static int tool_score(const struct score_input *in, const struct score_context *ctx,
                      struct score_result *out, struct bai_error *err)
{
    const cJSON *data = in->item ? in->item->data : NULL;
    if (tool_validate(data, err))
        return -1;
    const char *want_name, *got_name = NULL;
    const cJSON *want_args, *got_args = NULL;
    cJSON *want_owned, *got_owned = NULL, *text_json = NULL;
    call_parts(score_opt(data, "expected_call"), &want_name, &want_args, &want_owned);
    int subset = strcmp(score_opt_str(data, "match", "subset"), "exact") != 0;

    const char *source = "tool_calls";
    int found = 0;
    if (in->tool_calls && cJSON_GetArraySize(in->tool_calls) > 0)
        found = call_parts(in->tool_calls, &got_name, &got_args, &got_owned);
    if (!found && in->output) {
        text_json = json_in_text(in->output);
        source = "text";
        if (text_json)
            found = call_parts(text_json, &got_name, &got_args, &got_owned);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "match", subset ? "subset" : "exact");
    char reason[512] = "";
    if (found != 1) {
        out->status = SCORE_UNPARSED;
        out->passed = 0;
        out->value = 0;
        snprintf(reason, sizeof reason, "%s", found < 0 ? "tool call arguments are not valid JSON"
                                                         : "no tool call found");
    } else {
        cJSON_AddStringToObject(d, "source", source);
        cJSON_AddStringToObject(d, "name", got_name);
        if (got_args)
            cJSON_AddItemToObject(d, "arguments", cJSON_Duplicate(got_args, 1));
        int ok;
        if (strcmp(want_name, got_name)) {
            snprintf(reason, sizeof reason, "name: expected %s, got %s", want_name, got_name);
            ok = 0;
        } else {
            cJSON *empty = cJSON_CreateObject();
            ok = match_value(want_args ? want_args : empty, got_args ? got_args : empty, subset,
                             "", reason, sizeof reason);
            cJSON_Delete(empty);
        }
        out->status = SCORE_SCORED;
        out->passed = ok;
        out->value = ok ? 1.0 : 0.0;
        out->extracted = xstrdup(got_name);
    }
    if (reason[0])
        cJSON_AddStringToObject(d, "reason", reason);
    out->detail_json = score_detail_finish(d);
    cJSON_Delete(want_owned);
    cJSON_Delete(got_owned);
    cJSON_Delete(text_json);
    return 0;
}

static const struct score_field tool_fields[] = {
    { "expected_call", "{name, arguments}: the call the model should make" },
    { "tools", "the tools offered to the model (OpenAI function format); a suite item needs "
      "them, scoring does not read them" },
    { "tool_calls", "a benchai score line: the OpenAI tool_calls array of the response; "
      "without it a JSON call in the prediction text is used" },
    { NULL, NULL },
};

static const struct score_option tool_options[] = {
    { "match", SCORE_OPT_ENUM, "exact|subset", "subset",
      "subset: the expected arguments must be present with equal values (extra ones are "
      "allowed); exact: no other arguments either" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_tool_call = {
    .name = "tool_call",
    .summary = "tool call name and arguments (exact or subset) from tool_calls or a JSON block",
    .fields = tool_fields,
    .options = tool_options,
    .validate = tool_validate,
    .score = tool_score,
};
