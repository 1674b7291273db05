/* import.c - the importers' common path: read the records in the format's
 * file type, let the format fill items, make ids unique, emit YAML, load
 * that YAML back with the suite validator, then write it atomically. */
#include "suite/import.h"
#include "suite/emit.h"
#include "suite/suite.h"
#include "util/fs.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct format {
    const char *name;
    const char *file_type;   /* csv | json | jsonl */
    suite_import_fn fn;
    const char *what;
};

static const struct format formats[] = {
    { "gpqa", "csv", suite_import_gpqa,
      "GPQA CSV (Question, Correct Answer, Incorrect Answer 1-3, Record ID): choice, shuffled" },
    { "debugbench", "json", suite_import_debugbench,
      "DebugBench JSON records (slug, language, buggy_code, solution, examples): code or judge" },
    { "hotpotqa", "json", suite_import_hotpotqa,
      "HotpotQA JSON (_id, question, answer, context, supporting_facts): f1, hotpot variant" },
    { "simpleqa", "csv", suite_import_simpleqa,
      "SimpleQA CSV (metadata, problem, answer): exact (contains), reference for judge" },
    { "ifeval", "jsonl", suite_import_ifeval,
      "IFEval input_data.jsonl (key, prompt, instruction_id_list, kwargs): ifeval" },
    { "humaneval", "jsonl", suite_import_humaneval,
      "HumanEval JSONL (task_id, prompt, canonical_solution, test, entry_point): code" },
    { "livecodebench", "jsonl", suite_import_livecodebench,
      "LiveCodeBench code generation release (test*.jsonl): code, stdin and functional tests" },
    { "usaco", "json_object", suite_import_usaco,
      "USACO-bench problem dict (usaco_*_dict.json) + tests folder (--tests): code, stdio, limits" },
    { "jsonl", "jsonl", suite_import_jsonl,
      "any JSONL with --map id=F,prompt=F,answer=F,... and --scorer NAME" },
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

const char *suite_import_formats(void)
{
    return "gpqa, debugbench, hotpotqa, simpleqa, ifeval, humaneval, livecodebench, usaco, jsonl";
}

void suite_import_describe(void (*line)(void *ctx, const char *name, const char *what), void *ctx)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        line(ctx, formats[i].name, formats[i].what);
}

struct idref {
    cJSON *id;
    size_t pos;
};

static int cmp_idref(const void *a, const void *b)
{
    const struct idref *x = a, *y = b;
    int c = strcmp(x->id->valuestring, y->id->valuestring);
    return c ? c : (x->pos < y->pos ? -1 : x->pos > y->pos);
}

/* Source ids are kept; where a data set repeats one (DebugBench slugs
 * across bug types), later copies get "_2", "_3"... in file order. */
static void unique_ids(cJSON *items)
{
    size_t n = (size_t)cJSON_GetArraySize(items), k = 0;
    if (n < 2)
        return;
    struct idref *v = xmalloc(n * sizeof *v);
    for (cJSON *it = items->child; it; it = it->next, k++) {
        v[k].id = cJSON_GetObjectItemCaseSensitive(it, "id");
        v[k].pos = k;
    }
    qsort(v, n, sizeof *v, cmp_idref);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && !strcmp(v[j].id->valuestring, v[i].id->valuestring))
            j++;
        for (size_t a = i + 1; a < j; a++) {
            char *nid = xasprintf("%s_%zu", v[a].id->valuestring, a - i + 1);
            cJSON_SetValuestring(v[a].id, nid);
            free(nid);
        }
        i = j;
    }
    free(v);
}

static char *default_name(const char *out_path)
{
    const char *base = strrchr(out_path, '/');
    base = base ? base + 1 : out_path;
    const char *dot = strrchr(base, '.');
    size_t n = dot ? (size_t)(dot - base) : strlen(base);
    char *name = xstrndup(base, n);
    for (char *p = name; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
        if (!isalnum((unsigned char)*p))
            *p = '_';
    }
    return name;
}

char *suite_import_text(const char *format, const char *in_path, const char *out_path,
                        const struct suite_import_options *o, long *n_items,
                        struct bai_error *err)
{
    const struct format *f = NULL;
    for (size_t i = 0; i < N_FORMATS; i++)
        if (!strcmp(formats[i].name, format))
            f = &formats[i];
    if (!f) {
        bai_error_set(err, BAI_EXIT_USAGE, "unknown import format '%s' (known: %s)", format,
                      suite_import_formats());
        return NULL;
    }
    struct suite_records rec;
    if (suite_records_read_max(in_path, f->file_type, o->limit > 0 ? (size_t)o->limit : 0, &rec, err) != 0)
        return NULL;
    struct suite_import_job job = { in_path, &rec, rec.n, o, cJSON_CreateObject(),
                                    cJSON_CreateArray(), NULL };
    if (o->limit > 0 && (size_t)o->limit < job.n)
        job.n = (size_t)o->limit;
    char *yaml = NULL;
    cJSON *doc = NULL;
    if (job.n == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: no records to import", in_path);
        goto out;
    }
    if (f->fn(&job, err) != 0)
        goto out;
    unique_ids(job.items);
    char *name = o->name ? xstrdup(o->name) : default_name(out_path);
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "suite", name);
    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON_AddStringToObject(doc, "description", job.description ? job.description : format);
    cJSON_AddItemToObject(doc, "defaults", job.defaults);
    cJSON_AddItemToObject(doc, "items", job.items);
    job.defaults = job.items = NULL;
    free(name);
    const char *base = strrchr(in_path, '/');
    char *header = rec.truncated
        ? xasprintf("Imported by `benchai import %s %s` (its first %zu records).\n"
                    "Ids are the source's. Edit freely; bump version on any change.",
                    format, base ? base + 1 : in_path, job.n)
        : xasprintf("Imported by `benchai import %s %s` (%zu of %zu records).\n"
                    "Ids are the source's. Edit freely; bump version on any change.",
                    format, base ? base + 1 : in_path, job.n, rec.n);
    yaml = suite_emit_yaml(doc, header, err);
    free(header);
    if (!yaml)
        goto out;
    /* the file must load: check it exactly as `benchai run` will */
    struct suite *s = suite_load_text(out_path, yaml, strlen(yaml), NULL, NULL, err);
    if (!s) {
        bai_error_prefix(err, "the imported suite does not validate (a bug in the %s importer "
                         "or an unusual record)", format);
        free(yaml);
        yaml = NULL;
        goto out;
    }
    if (n_items)
        *n_items = (long)s->n_items;
    suite_free(s);
out:
    cJSON_Delete(doc);
    cJSON_Delete(job.defaults);
    cJSON_Delete(job.items);
    free(job.description);
    suite_records_free(&rec);
    return yaml;
}

long suite_import(const char *format, const char *in_path, const char *out_path,
                  const struct suite_import_options *o, struct bai_error *err)
{
    long n = 0;
    char *yaml = suite_import_text(format, in_path, out_path, o, &n, err);
    if (!yaml)
        return -1;
    char *dir = fs_dirname(out_path);
    int rc = fs_mkdirs(dir, 0755, err);
    free(dir);
    if (rc == 0)
        rc = fs_write_atomic(out_path, yaml, strlen(yaml), err);
    free(yaml);
    return rc == 0 ? n : -1;
}
