/* import_usaco.c - USACO problems in the shape the USACO-bench paper
 * published them ("Can Language Models Solve Olympiad Programming?", Shi et
 * al. 2024; github.com/princeton-nlp/USACO): a problem dictionary JSON
 * (usaco_subset307_dict.json, usaco_v2_dict.json: problem id -> {name,
 * problem_id, problem_level, description, runtime_limit (s), memory_limit
 * (MB), num_tests, samples [{input, output, explanation}], ...}) and a tests
 * folder with one subfolder per problem holding 1.in/1.out ... or
 * I.1/O.1 ... (both layouts occur; the paper's judge tries the first, then
 * the second).
 *
 * Items: code, stdio cases from the test files 1..num_tests as the paper's
 * judge runs them (or, with --tests samples, the statement's samples only),
 * output compared after trailing white space (the judge strips both sides;
 * benchai strips line ends too). The problem's time and memory limits
 * become the item's scoring timeout_s (per case) and memory_mb, which the
 * sandbox applies to every run. Tiers: bronze 1, silver 2, gold and
 * platinum 3 (the level is kept in meta). The language asked for is
 * --language (default python: the paper judged Python 3). */
#include "suite/import.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lang_word {
    const char *name, *fence, *words;
};

static const struct lang_word langs[] = {
    { "python", "python", "Python 3 program" },
    { "cpp", "cpp", "C++17 program" },
    { "c", "c", "C program" },
    { "java", "java", "Java program (public class Main)" },
    { "javascript", "javascript", "JavaScript program for Node.js" },
};

static const struct lang_word *find_lang(const char *name)
{
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (!strcmp(langs[i].name, name))
            return &langs[i];
    return NULL;
}

/* The tests folder: --tests, else <dir>/<stem>/tests (the data archive's
 * datasets/<set>/tests beside datasets/<set>_dict.json), else <dir>/tests.
 * NULL with *looked naming the places when none exists. */
static char *tests_dir(const char *dict_path, const char *given, char **looked)
{
    *looked = NULL;
    if (given)
        return xstrdup(given);
    char *dir = fs_dirname(dict_path);
    const char *base = strrchr(dict_path, '/');
    base = base ? base + 1 : dict_path;
    size_t bl = strlen(base);
    size_t stem = bl > 10 && !strcmp(base + bl - 10, "_dict.json") ? bl - 10
                : bl > 5 && !strcmp(base + bl - 5, ".json") ? bl - 5 : bl;
    char *a = xasprintf("%s/%.*s/tests", dir, (int)stem, base);
    char *b = xasprintf("%s/tests", dir);
    free(dir);
    if (fs_exists(a)) {
        free(b);
        return a;
    }
    if (fs_exists(b)) {
        free(a);
        return b;
    }
    *looked = xasprintf("%s, %s", a, b);
    free(a);
    free(b);
    return NULL;
}

static char *read_text(const char *path, struct bai_error *err)
{
    size_t n;
    char *t = fs_read_file(path, &n, err);
    if (t && (strlen(t) != n || suite_utf8_check(path, t, n, err) != 0)) {
        if (strlen(t) != n)
            bai_error_set(err, BAI_EXIT_USAGE, "%s: NUL byte in a test file", path);
        free(t);
        return NULL;
    }
    return t;
}

/* Test k of a problem: <dir>/<id>/<k>.in and .out, else I.<k> and O.<k>. */
static int read_case(const char *dir, const char *id, int k, cJSON *cases, struct bai_error *err)
{
    char *in = xasprintf("%s/%s/%d.in", dir, id, k), *out = xasprintf("%s/%s/%d.out", dir, id, k);
    if (!fs_exists(in)) {
        free(in);
        free(out);
        in = xasprintf("%s/%s/I.%d", dir, id, k);
        out = xasprintf("%s/%s/O.%d", dir, id, k);
    }
    if (!fs_exists(in) || !fs_exists(out)) {
        bai_error_set(err, BAI_EXIT_USAGE, "problem %s: test %d not found (no %s/%s/%d.in with .out, nor I.%d "
                      "with O.%d)", id, k, dir, id, k, k, k);
        free(in);
        free(out);
        return -1;
    }
    char *it = read_text(in, err), *ot = it ? read_text(out, err) : NULL;
    int rc = ot ? 0 : -1;
    if (ot) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "input", it);
        cJSON_AddStringToObject(c, "output", ot);
        cJSON_AddItemToArray(cases, c);
    }
    free(it);
    free(ot);
    free(in);
    free(out);
    return rc;
}

static int tier_of(const char *level)
{
    if (!level)
        return 0;
    return !strcmp(level, "bronze") ? 1 : !strcmp(level, "silver") ? 2
         : !strcmp(level, "gold") || !strcmp(level, "platinum") ? 3 : 0;
}

static double num_field(struct suite_import_job *job, size_t i, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(job->rec->rows, (int)i), key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

int suite_import_usaco(struct suite_import_job *job, struct bai_error *err)
{
    const struct lang_word *lang = find_lang(job->opt->language ? job->opt->language : "python");
    if (!lang) {
        bai_error_set(err, BAI_EXIT_USAGE, "usaco: --language %s is not one of python, cpp, c, java, javascript",
                      job->opt->language);
        return -1;
    }
    int samples_only = job->opt->tests && !strcmp(job->opt->tests, "samples");
    char *looked = NULL;
    char *dir = samples_only ? NULL : tests_dir(job->path, job->opt->tests, &looked);
    if (!samples_only && !dir) {
        bai_error_set(err, BAI_EXIT_USAGE, "usaco: no tests folder for %s (looked in %s); give --tests DIR (one "
                      "subfolder of N.in/N.out or I.N/O.N files per problem), or --tests samples to score on "
                      "the statements' sample cases only", job->path, looked);
        free(looked);
        return -1;
    }
    if (dir && !fs_exists(dir)) {
        bai_error_set(err, BAI_EXIT_USAGE, "usaco: --tests %s does not exist", dir);
        free(dir);
        return -1;
    }
    cJSON_AddStringToObject(job->defaults, "scorer", "code");
    cJSON_AddNumberToObject(job->defaults, "max_tokens", 4096);
    cJSON_AddNumberToObject(job->defaults, "temperature", 0);
    job->description = xasprintf("USACO (imported): olympiad problems, stdin/stdout tests %s, the problems' "
                                 "time and memory limits", samples_only ? "(statement samples only)"
                                                                        : "(the judge's test files)");
    int rc = 0;
    for (size_t i = 0; i < job->n && rc == 0; i++) {
        char t1[64], t2[64], t3[64], t4[64];
        const char *id = suite_import_str(job, i, "problem_id", t1);
        if (!id || !*id)
            id = suite_import_need(job, i, "_key", t1, err);
        const char *desc = id ? suite_import_need(job, i, "description", t2, err) : NULL;
        if (!desc) {
            rc = -1;
            break;
        }
        const char *level = suite_import_str(job, i, "problem_level", t3);
        const char *name = suite_import_str(job, i, "name", t4);
        double runtime = num_field(job, i, "runtime_limit"), memory = num_field(job, i, "memory_limit");
        double num_tests = num_field(job, i, "num_tests");
        cJSON *cases = cJSON_CreateArray();
        if (samples_only) {
            const cJSON *samples = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(job->rec->rows, (int)i),
                                                                    "samples");
            const cJSON *s;
            cJSON_ArrayForEach(s, samples) {
                const char *in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "input"));
                const char *out = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "output"));
                if (!in || !out)
                    continue;
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "input", in);
                cJSON_AddStringToObject(c, "output", out);
                cJSON_AddItemToArray(cases, c);
            }
        } else {
            /* num_tests when the record says it; else every consecutive test from 1 */
            int n = num_tests > 0 ? (int)num_tests : 0;
            for (int k = 1; rc == 0 && (n ? k <= n : 1); k++) {
                if (!n) {
                    char *a = xasprintf("%s/%s/%d.in", dir, id, k), *b = xasprintf("%s/%s/I.%d", dir, id, k);
                    int more = fs_exists(a) || fs_exists(b);
                    free(a);
                    free(b);
                    if (!more)
                        break;
                }
                rc = read_case(dir, id, k, cases, err);
            }
            if (rc != 0) {
                bai_error_prefix(err, "%s:%d:1: record %zu", job->path, job->rec->lines[i], i + 1);
                cJSON_Delete(cases);
                break;
            }
        }
        if (cJSON_GetArraySize(cases) == 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:1: record %zu (%s): no test cases (%s)", job->path,
                          job->rec->lines[i], i + 1, id, samples_only ? "no samples" : "no test files");
            cJSON_Delete(cases);
            rc = -1;
            break;
        }
        cJSON *it = cJSON_CreateObject();
        cJSON_AddItemToArray(job->items, it);
        char *sid = suite_import_id(id);
        cJSON_AddStringToObject(it, "id", sid);
        free(sid);
        int tier = tier_of(level);
        if (tier)
            cJSON_AddNumberToObject(it, "tier", tier);
        char *text = suite_import_trim(desc);
        char *prompt = xasprintf("%s\n\nWrite a complete %s that reads the input from standard input and writes "
                                 "the answer to standard output. Reply with the whole program in one ```%s "
                                 "code block.", text, lang->words, lang->fence);
        cJSON_AddStringToObject(it, "prompt", prompt);
        free(prompt);
        free(text);
        cJSON_AddStringToObject(it, "language", lang->name);
        cJSON *tests = cJSON_AddObjectToObject(it, "tests");
        cJSON_AddStringToObject(tests, "form", "stdio");
        cJSON_AddItemToObject(tests, "cases", cases);
        cJSON *scoring = cJSON_AddObjectToObject(it, "scoring");
        if (runtime > 0)
            cJSON_AddNumberToObject(scoring, "timeout_s", runtime);
        if (memory > 0)
            cJSON_AddNumberToObject(scoring, "memory_mb", memory);
        cJSON *meta = cJSON_AddObjectToObject(it, "meta");
        if (name)
            cJSON_AddStringToObject(meta, "name", name);
        if (level)
            cJSON_AddStringToObject(meta, "level", level);
        if (runtime > 0)
            cJSON_AddNumberToObject(meta, "runtime_limit_s", runtime);
        if (memory > 0)
            cJSON_AddNumberToObject(meta, "memory_limit_mb", memory);
        cJSON_AddStringToObject(meta, "tests", samples_only ? "samples" : "files");
    }
    free(dir);
    return rc;
}
