/* driver.c - benchai's side of the differential test (tests/diff/run.py).
 *
 * Reads one JSON request per line on stdin and answers one JSON line per
 * request on stdout, calling the scorers and their primitives directly.
 * Text travels hex-encoded (fields ending in _x) so every byte, NUL
 * included, arrives as it was generated. Requests:
 *   {"op":"unicode"}                  one line per code point (then "end")
 *   {"op":"lower","s_x"}              str.lower()           -> {"r_x"}
 *   {"op":"case","s_x"}               str.isupper/islower   -> {"up","lo"}
 *   {"op":"json","s_x"}               json.loads accepts it -> {"v"}
 *   {"op":"re","p_x","flags","s_x"}   a Python pattern      -> {"n","m"} or {"err"}
 *   {"op":"passk","n","c","k"}        estimate_pass_at_k    -> {"v"} (%.17g)
 *   {"op":"sent","s_x"}               punkt sentence count  -> {"n"}
 *   {"op":"lang","s_x"}               langdetect.detect     -> {"code"} or {"err"}
 *   {"op":"score","scorer","data","out_x"}  a scorer        -> {"status","value",
 *                                                              "passed","detail"}
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/ifeval.h"
#include "score/json_py.h"
#include "score/passk.h"
#include "score/pyre.h"
#include "score/score.h"
#include "score/text.h"
#include "score/unicode_py.h"
#include "util/utf8.h"

static int unhex(const char *h, struct buf *out)
{
    size_t n = strlen(h);
    if (n % 2)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        unsigned v;
        if (sscanf(h + i, "%2x", &v) != 1)
            return -1;
        buf_putc(out, (char)v);
    }
    if (!out->data)
        buf_append(out, "", 0);
    return 0;
}

static char *hex(const char *s, size_t n)
{
    char *o = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(o + 2 * i, "%02x", (unsigned char)s[i]);
    o[2 * n] = 0;
    return o;
}

static int field_x(const cJSON *req, const char *key, struct buf *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    return cJSON_IsString(v) ? unhex(v->valuestring, out) : -1;
}

static void dump_unicode(void)
{
    struct bai_error err = {0};
    pcre2_code *w = score_re_compile("^\\w$", PCRE2_UCP, &err);
    pcre2_code *d = score_re_compile("^\\d$", PCRE2_UCP, &err);
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        int pw = 0, pd = 0;
        if (cp < 0xD800 || cp > 0xDFFF) {
            char u[4];
            size_t n = utf8_put(cp, u);
            pw = score_re_search(w, u, n);
            pd = score_re_search(d, u, n);
        }
        printf("%u %u %u %d %d\n", unicode_py_flags(cp), unicode_py_lower(cp), unicode_py_upper(cp),
               pw, pd);
    }
    printf("end\n");
    pcre2_code_free(w);
    pcre2_code_free(d);
}

static cJSON *do_score(const cJSON *req)
{
    cJSON *r = cJSON_CreateObject();
    struct buf out = {0};
    const cJSON *scorer = cJSON_GetObjectItemCaseSensitive(req, "scorer");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(req, "data");
    if (!cJSON_IsString(scorer) || field_x(req, "out_x", &out) < 0) {
        cJSON_AddStringToObject(r, "err", "bad request");
        return r;
    }
    struct score_item item = {0};
    item.id = "d";
    item.scorer = scorer->valuestring;
    item.prompt = "";
    item.data = cJSON_Duplicate(data, 1);
    struct score_input in = {0};
    in.item = &item;
    in.output = out.data;
    in.output_len = out.len;
    struct score_result res;
    struct bai_error err = {0};
    score_sample(&in, NULL, &res, &err);
    cJSON_AddStringToObject(r, "status", score_status_name(res.status));
    cJSON_AddNumberToObject(r, "value", res.value);
    cJSON_AddNumberToObject(r, "passed", res.passed);
    cJSON *d = cJSON_Parse(res.detail_json ? res.detail_json : "{}");
    cJSON_AddItemToObject(r, "detail", d ? d : cJSON_CreateObject());
    if (res.status == SCORE_ERROR)
        cJSON_AddStringToObject(r, "err", err.msg);
    score_result_free(&res);
    cJSON_Delete(item.data);
    buf_free(&out);
    return r;
}

static cJSON *handle(const cJSON *req)
{
    const cJSON *opv = cJSON_GetObjectItemCaseSensitive(req, "op");
    const char *op = cJSON_IsString(opv) ? opv->valuestring : "";
    cJSON *r = cJSON_CreateObject();
    struct buf s = {0};
    if (!strcmp(op, "lower")) {
        struct buf o = {0};
        field_x(req, "s_x", &s);
        score_lower(s.data, s.len, &o);
        char *h = hex(o.data, o.len);
        cJSON_AddStringToObject(r, "r_x", h);
        free(h);
        buf_free(&o);
    } else if (!strcmp(op, "case")) {
        field_x(req, "s_x", &s);
        cJSON_AddNumberToObject(r, "up", score_str_isupper(s.data, s.len));
        cJSON_AddNumberToObject(r, "lo", score_str_islower(s.data, s.len));
    } else if (!strcmp(op, "json")) {
        field_x(req, "s_x", &s);
        cJSON_AddNumberToObject(r, "v", json_py_valid(s.data, s.len));
    } else if (!strcmp(op, "re")) {
        struct buf p = {0};
        field_x(req, "p_x", &p);
        field_x(req, "s_x", &s);
        unsigned flags = (unsigned)cJSON_GetNumberValue(cJSON_GetObjectItem(req, "flags"));
        struct bai_error err = {0};
        char *pc = score_pyre_translate(p.data, flags, &err);
        pcre2_code *re = pc ? score_re_compile(pc, PCRE2_UCP, &err) : NULL;
        if (!re) {
            cJSON_AddStringToObject(r, "err", err.msg);
        } else {
            cJSON_AddNumberToObject(r, "n", (double)score_pyre_count(re, s.data, s.len));
            cJSON_AddNumberToObject(r, "m", score_pyre_search(re, s.data, s.len));
            pcre2_code_free(re);
        }
        free(pc);
        buf_free(&p);
    } else if (!strcmp(op, "passk")) {
        int n = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(req, "n"));
        int c = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(req, "c"));
        int k = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(req, "k"));
        char v[64];
        snprintf(v, sizeof v, "%.17g", score_pass_at_k(n, c, k));
        cJSON_AddStringToObject(r, "v", v);
    } else if (!strcmp(op, "sent")) {
        field_x(req, "s_x", &s);
        cJSON_AddNumberToObject(r, "n", (double)ifeval_count_sentences(s.data, s.len));
    } else if (!strcmp(op, "lang")) {
        field_x(req, "s_x", &s);
        char code[8];
        struct bai_error err = {0};
        int rc = ifeval_langdetect(s.data, s.len, code, &err);
        if (rc < 0)
            cJSON_AddStringToObject(r, "fail", err.msg);
        else if (rc == 0)
            cJSON_AddStringToObject(r, "err", "no features");
        else
            cJSON_AddStringToObject(r, "code", code);
    } else if (!strcmp(op, "score")) {
        cJSON_Delete(r);
        return do_score(req);
    } else {
        cJSON_AddStringToObject(r, "err", "unknown op");
    }
    buf_free(&s);
    return r;
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        cJSON *req = cJSON_Parse(line);
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
        if (cJSON_IsString(op) && !strcmp(op->valuestring, "unicode")) {
            dump_unicode();
        } else {
            cJSON *r = handle(req);
            char *s = cJSON_PrintUnformatted(r);
            puts(s);
            free(s);
            cJSON_Delete(r);
        }
        cJSON_Delete(req);
        fflush(stdout);
    }
    free(line);
    return 0;
}
