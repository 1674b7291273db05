/* import_livecodebench.c - LiveCodeBench code generation releases
 * (code_generation_lite test*.jsonl): question_id, question_title,
 * question_content, platform, contest_id, contest_date, starter_code,
 * difficulty, public_test_cases, private_test_cases, metadata.
 *
 * The test lists are JSON text inside the record: [{input, output,
 * testtype}] with testtype "stdin" (AtCoder, Codeforces: a program reads
 * stdin) or "functional" (LeetCode: metadata.func_name is called with one
 * JSON value per input line, and its return value compared with the JSON
 * output). private_test_cases is that JSON as it is, or in the large
 * releases base64(zlib(pickle(json_text))), which LiveCodeBench's own loader
 * (lcb_runner/benchmarks/code_generation.py) undoes with json.loads(pickle.
 * loads(zlib.decompress(base64.b64decode(...)))). benchai reads the same:
 * util/base64.c, zlib, and suite/pickle.c, which accepts only a pickled
 * string and refuses any other pickle by its opcode.
 *
 * Items: code, python. stdin problems: tests form stdio, the public then
 * private cases, numbers compared exactly (tolerance 0: LiveCodeBench
 * compares lines as Decimals). Functional problems: tests form asserts, one
 * assert per case calling the method with the decoded arguments (a tuple
 * result counts as a list, as in LiveCodeBench's grader). Both get a harness
 * that puts the standard-library imports LiveCodeBench's grader adds before
 * the model's code (starter code uses List[int] without importing it). Per
 * case 6 s, LiveCodeBench's default. The prompt wording is benchai's. */
#include "suite/import.h"
#include "suite/pickle.h"
#include "util/base64.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CASE_TIMEOUT_S 6              /* lcb_runner's run_test default */
#define MAX_INFLATED (1024u << 20)    /* a private test set larger than 1 GiB is refused */

static const char system_prompt[] =
    "You are an expert Python programmer. Solve the problem and reply with one complete Python 3 "
    "solution in a single ```python code block.";

/* What runs before the model's code: the standard library a competitive
 * programmer takes for granted, names imported star-wise, builtins last so
 * math.pow does not shadow pow. */
static const char harness[] =
    "from typing import *\n"
    "from collections import *\n"
    "from itertools import *\n"
    "from functools import *\n"
    "from heapq import *\n"
    "from bisect import *\n"
    "from math import *\n"
    "from string import *\n"
    "from builtins import *\n"
    "import bisect, collections, copy, functools, heapq, itertools, json, math, operator, random, re, "
    "string, sys\n"
    "sys.setrecursionlimit(50000)\n"
    "\n"
    "/*SOLUTION*/\n";

/* After the code: calls a LeetCode-style method (on Solution() when the
 * code defines that class, else a plain function) with one JSON value per
 * input line. */
static const char functional_setup[] =
    "import json as _lcb_json\n"
    "def _lcb_call(name, lines):\n"
    "    fn = getattr(Solution(), name) if 'Solution' in globals() else globals()[name]\n"
    "    got = fn(*[_lcb_json.loads(line) for line in lines.split('\\n')])\n"
    "    return list(got) if isinstance(got, tuple) else got\n"
    "def _lcb_value(text):\n"
    "    return _lcb_json.loads(text)\n";

/* zlib-format data (zlib.compress) -> bytes; NULL with why. */
static unsigned char *inflate_all(const unsigned char *in, size_t n, size_t *out_len, char *why, size_t why_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        snprintf(why, why_len, "zlib: %s", z.msg ? z.msg : "cannot start");
        return NULL;
    }
    size_t cap = n * 4 + 1024, len = 0;
    unsigned char *out = xmalloc(cap);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    int rc;
    do {
        if (len == cap) {
            if (cap >= MAX_INFLATED) {
                snprintf(why, why_len, "zlib: more than %u MiB when decompressed", MAX_INFLATED >> 20);
                inflateEnd(&z);
                free(out);
                return NULL;
            }
            cap *= 2;
            out = xrealloc(out, cap);
        }
        z.next_out = out + len;
        z.avail_out = (uInt)(cap - len);
        rc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    } while (rc == Z_OK);
    if (rc != Z_STREAM_END) {
        snprintf(why, why_len, "zlib: %s", z.msg ? z.msg : rc == Z_BUF_ERROR ? "data ends early" : "invalid data");
        inflateEnd(&z);
        free(out);
        return NULL;
    }
    inflateEnd(&z);
    *out_len = len;
    return out;
}

/* A test list: JSON text, or base64(zlib(pickle(JSON text))). */
static cJSON *decode_tests(const char *text, char *why, size_t why_len)
{
    cJSON *j = cJSON_Parse(text);
    if (j || !*text)
        return j;
    size_t n = 0, bad = 0;
    unsigned char *z = base64_decode(text, strlen(text), &n, &bad);
    if (!z) {
        snprintf(why, why_len, "neither JSON nor base64 (character %zu)", bad + 1);
        return NULL;
    }
    size_t plen = 0;
    unsigned char *pk = inflate_all(z, n, &plen, why, why_len);
    free(z);
    if (!pk)
        return NULL;
    char *json = NULL;
    size_t jlen = 0;
    char pwhy[256];
    if (suite_pickle_string(pk, plen, &json, &jlen, pwhy, sizeof pwhy) != 0) {
        snprintf(why, why_len, "%s", pwhy);
        free(pk);
        return NULL;
    }
    free(pk);
    j = cJSON_ParseWithLength(json, jlen);
    if (!j)
        snprintf(why, why_len, "the decoded text is not JSON");
    free(json);
    return j;
}

/* A Python string literal for text (JSON escapes are Python escapes too). */
static char *py_literal(const char *text)
{
    cJSON *s = cJSON_CreateString(text);
    char *p = cJSON_PrintUnformatted(s);
    char *out = xstrdup(p);
    cJSON_free(p);
    cJSON_Delete(s);
    return out;
}

static int tier_of(const char *difficulty)
{
    if (!difficulty)
        return 0;
    return !strcmp(difficulty, "easy") ? 1 : !strcmp(difficulty, "medium") ? 2 : !strcmp(difficulty, "hard") ? 3 : 0;
}

static int bad_record(struct suite_import_job *job, size_t i, const char *id, struct bai_error *err,
                      const char *what)
{
    bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:1: record %zu (%s): %s", job->path, job->rec->lines[i], i + 1,
                  id, what);
    return -1;
}

/* Appends the cases of one list to the item's stdio cases or asserts. */
static int add_cases(struct suite_import_job *job, size_t i, const char *id, const cJSON *list, const char *which,
                     const char *func, cJSON *cases, cJSON *asserts, struct bai_error *err)
{
    char msg[512];
    if (!cJSON_IsArray(list)) {
        snprintf(msg, sizeof msg, "%s is not a list of tests", which);
        return bad_record(job, i, id, err, msg);
    }
    const cJSON *t;
    size_t k = 0;
    cJSON_ArrayForEach(t, list) {
        k++;
        const char *in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "input"));
        const char *out = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "output"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "testtype"));
        if (!in || !out || !type) {
            snprintf(msg, sizeof msg, "%s test %zu needs input, output and testtype (strings)", which, k);
            return bad_record(job, i, id, err, msg);
        }
        if (strcmp(type, func ? "functional" : "stdin")) {
            snprintf(msg, sizeof msg, "%s test %zu has testtype '%s' but the problem is %s", which, k, type,
                     func ? "functional (metadata has func_name)" : "stdin (no func_name in metadata)");
            return bad_record(job, i, id, err, msg);
        }
        if (!func) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "input", in);
            cJSON_AddStringToObject(c, "output", out);
            cJSON_AddItemToArray(cases, c);
            continue;
        }
        char *fl = py_literal(func), *il = py_literal(in), *ol = py_literal(out);
        char *a = xasprintf("assert _lcb_call(%s, %s) == _lcb_value(%s)", fl, il, ol);
        cJSON_AddItemToArray(asserts, cJSON_CreateString(a));
        free(a);
        free(fl);
        free(il);
        free(ol);
    }
    return 0;
}

int suite_import_livecodebench(struct suite_import_job *job, struct bai_error *err)
{
    cJSON_AddStringToObject(job->defaults, "scorer", "code");
    cJSON_AddStringToObject(job->defaults, "system", system_prompt);
    cJSON_AddNumberToObject(job->defaults, "max_tokens", 2048);
    cJSON_AddNumberToObject(job->defaults, "temperature", 0);
    job->description = xstrdup("LiveCodeBench code generation (imported): Python, stdin/stdout and "
                               "LeetCode-style functional tests, public and private");
    for (size_t i = 0; i < job->n; i++) {
        char t1[64], t2[64], t3[64], t4[64], t5[64], t6[64], t7[64];
        const char *id = suite_import_need(job, i, "question_id", t1, err);
        const char *content = id ? suite_import_need(job, i, "question_content", t2, err) : NULL;
        const char *pub = content ? suite_import_need(job, i, "public_test_cases", t3, err) : NULL;
        if (!pub)
            return -1;
        const char *priv = suite_import_str(job, i, "private_test_cases", t4);
        const char *meta_text = suite_import_str(job, i, "metadata", t5);
        const char *starter = suite_import_str(job, i, "starter_code", t6);
        const char *difficulty = suite_import_str(job, i, "difficulty", t7);
        char why[512];
        cJSON *meta = meta_text && *meta_text ? cJSON_Parse(meta_text) : cJSON_CreateObject();
        if (!cJSON_IsObject(meta)) {
            cJSON_Delete(meta);
            return bad_record(job, i, id, err, "metadata is not a JSON object");
        }
        const char *func = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "func_name"));
        cJSON *pub_tests = decode_tests(pub, why, sizeof why), *priv_tests = NULL;
        if (!pub_tests) {
            cJSON_Delete(meta);
            char *m = xasprintf("public_test_cases: %s", why);
            int rc = bad_record(job, i, id, err, m);
            free(m);
            return rc;
        }
        if (priv && *priv && !(priv_tests = decode_tests(priv, why, sizeof why))) {
            cJSON_Delete(meta);
            cJSON_Delete(pub_tests);
            char *m = xasprintf("private_test_cases: %s", why);
            int rc = bad_record(job, i, id, err, m);
            free(m);
            return rc;
        }
        cJSON *cases = cJSON_CreateArray(), *asserts = cJSON_CreateArray();
        int rc = add_cases(job, i, id, pub_tests, "public_test_cases", func, cases, asserts, err);
        if (rc == 0 && priv_tests)
            rc = add_cases(job, i, id, priv_tests, "private_test_cases", func, cases, asserts, err);
        size_t n_public = (size_t)cJSON_GetArraySize(pub_tests);
        size_t n_private = priv_tests ? (size_t)cJSON_GetArraySize(priv_tests) : 0;
        cJSON_Delete(pub_tests);
        cJSON_Delete(priv_tests);
        if (rc == 0 && n_public + n_private == 0)
            rc = bad_record(job, i, id, err, "no tests (public_test_cases and private_test_cases are empty)");
        if (rc != 0) {
            cJSON_Delete(meta);
            cJSON_Delete(cases);
            cJSON_Delete(asserts);
            return -1;
        }

        struct buf p = { 0 };
        char *text = suite_import_trim(content);
        buf_printf(&p, "%s\n\n", text);
        free(text);
        if (starter && *starter)
            buf_printf(&p, "Starter code:\n```python\n%s\n```\n\nComplete the starter code, keeping its "
                       "class and method names. Reply with the whole solution in one ```python code "
                       "block.", starter);
        else
            buf_puts(&p, "Write a Python 3 program that reads the input from standard input and writes "
                         "the answer to standard output. Reply with the whole program in one ```python "
                         "code block.");
        cJSON *it = cJSON_CreateObject();
        cJSON_AddItemToArray(job->items, it);
        char *sid = suite_import_id(id);
        cJSON_AddStringToObject(it, "id", sid);
        free(sid);
        int tier = tier_of(difficulty);
        if (tier)
            cJSON_AddNumberToObject(it, "tier", tier);
        cJSON_AddStringToObject(it, "prompt", p.data);
        buf_free(&p);
        cJSON_AddStringToObject(it, "language", "python");
        cJSON_AddStringToObject(it, "harness", harness);
        cJSON *tests = cJSON_AddObjectToObject(it, "tests");
        cJSON *scoring = cJSON_AddObjectToObject(it, "scoring");
        if (func) {
            cJSON_AddStringToObject(tests, "form", "asserts");
            cJSON_AddStringToObject(tests, "setup", functional_setup);
            cJSON_AddItemToObject(tests, "asserts", asserts);
            cJSON_Delete(cases);
            /* one process runs every case: their budgets add up */
            cJSON_AddNumberToObject(scoring, "timeout_s", (double)(CASE_TIMEOUT_S * (n_public + n_private)));
        } else {
            cJSON_AddStringToObject(tests, "form", "stdio");
            cJSON_AddItemToObject(tests, "cases", cases);
            cJSON_AddNumberToObject(tests, "tolerance", 0);
            cJSON_Delete(asserts);
            cJSON_AddNumberToObject(scoring, "timeout_s", CASE_TIMEOUT_S);
        }
        cJSON *m = cJSON_AddObjectToObject(it, "meta");
        static const char *const keep[] = { "question_title", "platform", "contest_id", "contest_date",
                                            "difficulty", NULL };
        for (size_t k = 0; keep[k]; k++) {
            char tmp[64];
            const char *v = suite_import_str(job, i, keep[k], tmp);
            if (v && *v)
                cJSON_AddStringToObject(m, keep[k], v);
        }
        if (func)
            cJSON_AddStringToObject(m, "func_name", func);
        cJSON_AddNumberToObject(m, "public_tests", (double)n_public);
        cJSON_AddNumberToObject(m, "private_tests", (double)n_private);
        cJSON_Delete(meta);
    }
    return 0;
}
