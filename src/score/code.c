/* code.c - the `code` scorer: extract the model's code, compile and run it
 * in the sandbox against the item's tests (humaneval / asserts / stdio),
 * and report passed/total with the first failure.
 *
 * The verdict never comes from the program: stdio outputs are compared
 * here; Python tests run in a judge process the program cannot reach
 * (code_python.c) and report on a descriptor it never has; C/C++ asserts
 * are evaluated here on the values the program reports (code_cexpr.c). The
 * expected values stay out of the sandbox's files, and an exit status is
 * never a pass by itself. */
#include "score/code.h"
#include "score/code_cexpr.h"
#include "score/text.h"
#include "sandbox/lang.h"
#include "sandbox/pool.h"
#include "sandbox/sandbox.h"
#include "util/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define DETAIL_CAP 4096          /* stderr / compile error / actual kept per sample */

enum code_status { CS_PASSED, CS_FAILED, CS_COMPILE_ERROR, CS_RUNTIME_ERROR, CS_TIMEOUT,
                   CS_MEMORY, CS_OUTPUT };
static const char *const status_names[] = { "passed", "failed", "compile_error", "runtime_error",
                                            "timeout", "memory_limit", "output_limit" };

/* An item's fields, read from item->data (pointers into it). */
struct code_spec {
    const char *language, *form, *harness;
    const char *entry_point, *test;               /* humaneval */
    const char **asserts;                         /* asserts */
    size_t n_asserts;
    const char *setup;
    const cJSON *cases;                           /* stdio: [{input, output}] */
    size_t n_cases;
    double tolerance;                             /* < 0: exact */
    int extract;
    double timeout_s;
    long memory_mb;
};

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void problem(struct bai_error *err, int *count, const char *msg)
{
    if (!err)
        return;
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof err->msg - len, "%scode: %s", len ? "\n" : "", msg);
    err->exit_code = BAI_EXIT_USAGE;
    (*count)++;
}

/* Reads and checks the spec; returns the number of problems. */
static int parse_spec(const cJSON *data, struct code_spec *s, struct bai_error *err)
{
    int bad = 0;
    memset(s, 0, sizeof *s);
    s->tolerance = -1;
    s->language = jstr(data, "language");
    s->harness = jstr(data, "harness");
    if (!s->language)
        problem(err, &bad, "'language' (python, c, cpp, java, javascript, ...) is required");
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(data, "tests");
    s->form = jstr(tests, "form");
    if (!cJSON_IsObject(tests) || !s->form) {
        problem(err, &bad, "'tests: {form: humaneval|asserts|stdio, ...}' is required");
    } else if (!strcmp(s->form, "humaneval")) {
        s->entry_point = jstr(tests, "entry_point");
        s->test = jstr(tests, "test");
        if (!s->entry_point || !s->test)
            problem(err, &bad, "humaneval tests need 'entry_point' and 'test'");
    } else if (!strcmp(s->form, "asserts")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(tests, "asserts");
        s->setup = jstr(tests, "setup");
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0) {
            problem(err, &bad, "asserts tests need a non-empty 'asserts' list");
        } else {
            s->n_asserts = (size_t)cJSON_GetArraySize(a);
            s->asserts = xcalloc(s->n_asserts, sizeof *s->asserts);
            size_t i = 0;
            const cJSON *x;
            cJSON_ArrayForEach(x, a) {
                if (!cJSON_IsString(x))
                    problem(err, &bad, "every assert must be a string");
                s->asserts[i++] = cJSON_IsString(x) ? x->valuestring : "";
            }
        }
    } else if (!strcmp(s->form, "stdio")) {
        s->cases = cJSON_GetObjectItemCaseSensitive(tests, "cases");
        s->tolerance = jnum(tests, "tolerance", -1);
        if (!cJSON_IsArray(s->cases) || cJSON_GetArraySize(s->cases) == 0) {
            problem(err, &bad, "stdio tests need a non-empty 'cases' list");
        } else {
            s->n_cases = (size_t)cJSON_GetArraySize(s->cases);
            const cJSON *c;
            cJSON_ArrayForEach(c, s->cases)
                if (!jstr(c, "output"))
                    problem(err, &bad, "every stdio case needs 'output' (and usually 'input')");
        }
    } else {
        problem(err, &bad, "tests.form must be humaneval, asserts or stdio");
    }
    if (s->harness && !strstr(s->harness, "/*SOLUTION*/"))
        problem(err, &bad, "'harness' must contain the /*SOLUTION*/ marker");
    s->extract = code_extract_mode_parse(score_opt_str(data, "extract", NULL));
    if (s->extract < 0)                  /* the option table's check reports it */
        s->extract = CODE_EXTRACT_LAST;
    s->timeout_s = score_opt_num(data, "timeout_s", 0);
    s->memory_mb = (long)score_opt_num(data, "memory_mb", 0);
    return bad;
}

static int code_validate(const cJSON *data, struct bai_error *err)
{
    struct code_spec s;
    int bad = parse_spec(data, &s, err);
    free(s.asserts);
    return bad;
}

/* ---- the sandbox the scorer runs in ------------------------------------ */

struct code_sandbox {
    const struct sandbox *sb;
    struct sandbox_pool *pool;            /* NULL: run sequentially */
    const struct sandbox_langs *langs;
    struct sandbox *own_sb;               /* temporary ones (no pool given) */
    struct sandbox_langs *own_langs;
};

static int code_sandbox_open(struct code_sandbox *r, const struct score_context *ctx,
                             struct bai_error *err)
{
    memset(r, 0, sizeof *r);
    if (ctx && ctx->sandbox) {
        r->pool = ctx->sandbox;
        r->sb = sandbox_pool_sandbox(r->pool);
        r->langs = sandbox_pool_langs(r->pool);
        if (sandbox_pool_on_worker(r->pool))
            r->pool = NULL;               /* never wait on our own pool from a worker */
    } else {
        r->sb = r->own_sb = sandbox_new(NULL, err);
        if (!r->sb)
            return -1;
    }
    if (!r->langs) {
        r->langs = r->own_langs = sandbox_langs_load_default(err);
        if (!r->langs)
            return -1;
    }
    return 0;
}

static void code_sandbox_close(struct code_sandbox *r)
{
    sandbox_free(r->own_sb);
    sandbox_langs_free(r->own_langs);
}

/* One pending run: the job, its argv, and where its result lands. */
struct run_slot {
    struct sandbox_job job;
    char **argv;
    struct sandbox_result res;
    int rc;
    struct bai_error err;
    struct run_group *group;
};

struct run_group {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t left;
};

static void slot_done(void *ud, int rc, const struct sandbox_result *res, const struct bai_error *err)
{
    struct run_slot *s = ud;
    s->rc = rc;
    s->res = *res;
    s->res.out = xstrndup(res->out ? res->out : "", res->out_len);
    s->res.err = xstrndup(res->err ? res->err : "", res->err_len);
    s->res.report = res->report ? xstrndup(res->report, res->report_len) : NULL;
    s->err = *err;
    pthread_mutex_lock(&s->group->mu);
    if (--s->group->left == 0)
        pthread_cond_signal(&s->group->cv);
    pthread_mutex_unlock(&s->group->mu);
}

/* Runs slots[0..n): on the pool in parallel when there is one, else here. */
static void run_all(struct code_sandbox *r, struct run_slot *slots, size_t n)
{
    if (!r->pool || n == 1) {
        for (size_t i = 0; i < n; i++)
            slots[i].rc = sandbox_run(r->sb, &slots[i].job, &slots[i].res, &slots[i].err);
        return;
    }
    struct run_group g = { .left = n };
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    for (size_t i = 0; i < n; i++) {
        slots[i].group = &g;
        sandbox_pool_submit(r->pool, &slots[i].job, slot_done, &slots[i]);
    }
    pthread_mutex_lock(&g.mu);
    while (g.left > 0)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);
    pthread_mutex_destroy(&g.mu);
    pthread_cond_destroy(&g.cv);
}

static void slot_free(struct run_slot *s)
{
    for (size_t i = 0; s->argv && s->argv[i]; i++)
        free(s->argv[i]);
    free(s->argv);
    sandbox_result_free(&s->res);
}

static enum code_status status_of(const struct sandbox_result *r)
{
    if (r->memory_exceeded)
        return CS_MEMORY;
    if (r->outcome == SANDBOX_TIMEOUT)
        return CS_TIMEOUT;
    if (r->outcome == SANDBOX_OUTPUT_LIMIT)
        return CS_OUTPUT;
    if (r->outcome == SANDBOX_EXITED && r->exit_code == 0)
        return CS_PASSED;
    return code_stderr_is_oom(r->err) ? CS_MEMORY : CS_RUNTIME_ERROR;
}

static void add_capped(cJSON *o, const char *key, const char *text)
{
    if (!text) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    size_t n = strlen(text);
    if (n <= DETAIL_CAP) {
        cJSON_AddStringToObject(o, key, text);
        return;
    }
    char *t = xasprintf("%.*s\n[... %zu bytes cut]", DETAIL_CAP, text, n - DETAIL_CAP);
    cJSON_AddStringToObject(o, key, t);
    free(t);
}

static int write_file(const char *dir, const char *file, const char *text, struct bai_error *err)
{
    char *path = xasprintf("%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(text, 1, strlen(text), f) == strlen(text);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        bai_error_set(err, BAI_EXIT_SANDBOX, "code: cannot write %s", path);
    free(path);
    return ok ? 0 : -1;
}

static const char *item_prompt(const struct score_item *it)
{
    return it->prompt ? it->prompt : "";
}

/* The limits of the run step: language table, then the item's scoring. */
static struct sandbox_limits run_limits(const struct sandbox_lang *lang, const struct code_spec *s)
{
    struct sandbox_limits l = lang->limits;
    if (s->timeout_s > 0) {
        l.wall_s = s->timeout_s;
        l.cpu_s = (int)ceil(s->timeout_s);
    }
    if (s->memory_mb > 0)
        l.memory_mb = s->memory_mb;
    sandbox_limits_fill(&l);
    return l;
}

/* A random suffix for the names of the C driver (hex). */
static void make_tag(char out[17])
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)(rand() & 0xff);
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* ---- one sample ----------------------------------------------------------- */

enum code_judge { JUDGE_STDIO, JUDGE_PYTHON, JUDGE_CASSERTS };

/* Everything one sample's scoring holds; released by sample_release. */
struct code_sample {
    struct code_spec spec;
    const struct sandbox_lang *lang;
    enum code_judge judge;
    char *code;                /* extracted */
    char *dir;                 /* the host work dir */
    char *judge_input;         /* JUDGE_PYTHON: the item's tests, on the judge's stdin */
    struct code_casserts *casserts;
    struct sandbox_limits limits;
    struct run_slot *slots;
    size_t n_slots;
    enum code_status status;
    size_t passed, total;
    double wall_ms;
    cJSON *detail, *first;
    const char *stderr_text;   /* into a slot */
};

static void sample_release(struct code_sample *cs)
{
    for (size_t i = 0; i < cs->n_slots; i++)
        slot_free(&cs->slots[i]);
    free(cs->slots);
    if (cs->dir) {
        sandbox_workdir_remove(cs->dir);
        free(cs->dir);
    }
    code_casserts_free(cs->casserts);
    free(cs->judge_input);
    free(cs->code);
    free(cs->spec.asserts);
    cJSON_Delete(cs->first);
    cJSON_Delete(cs->detail);
}

/* The code of the response; in HumanEval's completion mode the raw text
 * that continues the prompt. NULL: nothing to run. */
static char *extract_code(const struct code_spec *s, const char *output)
{
    char *code = code_extract(output, (enum code_extract_mode)s->extract);
    if (!code && !strcmp(s->form, "humaneval") && output) {
        const char *p = output;
        while (*p == '\n' || *p == '\r')
            p++;
        if (*p && strspn(p, " \t\r\n") < strlen(p))
            code = xstrdup(output);
    }
    return code;
}

/* The judge's stdin: the tests of a Python item. */
static char *python_judge_input(const struct code_spec *s, const struct score_input *in)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "form", s->form);
    cJSON_AddStringToObject(j, "serve", "_benchai_serve.py");
    if (!strcmp(s->form, "humaneval")) {
        cJSON_AddStringToObject(j, "prompt", item_prompt(in->item));
        cJSON_AddStringToObject(j, "test", s->test);
        cJSON_AddStringToObject(j, "entry_point", s->entry_point);
    } else {
        cJSON *a = cJSON_AddArrayToObject(j, "asserts");
        for (size_t i = 0; i < s->n_asserts; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(s->asserts[i]));
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

/* Writes the program (and for Python tests the judge and server) into the
 * work dir, and decides who judges. */
static int write_program(struct code_sample *cs, const struct score_input *in, struct bai_error *err)
{
    const struct code_spec *s = &cs->spec;
    const char *name = cs->lang->name;
    int is_python = !strcmp(name, "python");
    int is_c = !strcmp(name, "c") || !strcmp(name, "cpp");
    char *program = NULL;
    cs->judge = JUDGE_STDIO;
    if (!strcmp(s->form, "humaneval") || !strcmp(s->form, "asserts")) {
        if (is_python) {
            cs->judge = JUDGE_PYTHON;
            /* an asserts item with a harness places the code in it first
             * (the imports it needs before it: the LiveCodeBench importer) */
            char *placed = !strcmp(s->form, "asserts") && s->harness ? code_c_program(s->harness, cs->code) : NULL;
            program = !strcmp(s->form, "humaneval")
                ? code_humaneval_program(item_prompt(in->item), cs->code, s->entry_point)
                : code_python_asserts_program(placed ? placed : cs->code, s->setup);
            free(placed);
            cs->judge_input = python_judge_input(s, in);
        } else if (is_c && !strcmp(s->form, "asserts")) {
            cs->judge = JUDGE_CASSERTS;
            struct bai_error perr = {0};
            cs->casserts = code_casserts_parse(s->asserts, s->n_asserts, !strcmp(name, "cpp"), &perr);
            if (!cs->casserts) {
                bai_error_set(err, BAI_EXIT_USAGE, "item %s: %s", in->item->id, perr.msg);
                return -1;
            }
            char tag[17];
            make_tag(tag);
            char *base = code_c_program(s->harness, cs->code);
            char *driver = code_casserts_driver(cs->casserts, tag);
            program = xasprintf("%s%s", base ? base : "", driver);
            free(base);
            free(driver);
        } else {
            bai_error_set(err, BAI_EXIT_USAGE, "code: the %s form is for %s", s->form,
                          !strcmp(s->form, "humaneval") ? "python" : "python, c and cpp");
            return -1;
        }
    } else {
        program = s->harness ? code_c_program(s->harness, cs->code) : xstrdup(cs->code);
    }
    if (!program) {
        bai_error_set(err, BAI_EXIT_USAGE, "code: 'harness' must contain the /*SOLUTION*/ marker");
        return -1;
    }
    cs->dir = sandbox_workdir_new(err);
    int rc = !cs->dir || write_file(cs->dir, cs->lang->file, program, err) != 0 ? -1 : 0;
    if (rc == 0 && cs->judge == JUDGE_PYTHON)
        rc = write_file(cs->dir, "_benchai_judge.py", code_python_judge, err) ||
             write_file(cs->dir, "_benchai_serve.py", code_python_serve, err) ? -1 : 0;
    free(program);
    return rc;
}

/* A job of the sample: argv from a template, the language's paths and env. */
static void fill_slot(struct code_sample *cs, struct run_slot *slot, char *const *tmpl,
                      struct sandbox_limits lim)
{
    slot->argv = sandbox_lang_argv(cs->lang, tmpl, &lim);
    slot->job.argv = (const char *const *)slot->argv;
    slot->job.host_dir = cs->dir;
    slot->job.limits = lim;
    slot->job.paths = (const char *const *)cs->lang->paths;
    slot->job.env = (const char *const *)cs->lang->env;
}

/* The compile step, when the language has one: 0 and cs->status set to
 * CS_COMPILE_ERROR when the compiler refused; -1 when the sandbox failed. */
static int compile_step(struct code_sandbox *r, struct code_sample *cs, struct bai_error *err)
{
    if (!cs->lang->compile)
        return 0;
    struct run_slot c = {0};
    struct sandbox_limits cl = cs->lang->compile_limits;
    sandbox_limits_fill(&cl);
    fill_slot(cs, &c, cs->lang->compile, cl);
    c.job.collect = (const char *const *)cs->lang->artifacts;
    c.rc = sandbox_run(r->sb, &c.job, &c.res, &c.err);
    cs->wall_ms += c.res.wall_ms;
    if (c.rc != 0) {
        *err = c.err;
        slot_free(&c);
        return -1;
    }
    if (!(c.res.outcome == SANDBOX_EXITED && c.res.exit_code == 0)) {
        cs->status = CS_COMPILE_ERROR;
        /* some toolchains (the JVM) report on stdout */
        char *msg = c.res.outcome == SANDBOX_TIMEOUT ? xstrdup("compiler timed out")
                  : xasprintf("%s%s", c.res.err, c.res.err_len ? "" : c.res.out);
        add_capped(cs->detail, "compile_error", msg);
        free(msg);
    }
    slot_free(&c);
    return 0;
}

/* The run step: one run per stdio case, else one run. Python tests run
 * the judge (which starts the program); C/C++ asserts get fd 3 for the
 * values of their leaves. */
static int run_step(struct code_sandbox *r, struct code_sample *cs, struct bai_error *err)
{
    const struct code_spec *s = &cs->spec;
    cs->n_slots = cs->judge == JUDGE_STDIO && s->cases ? s->n_cases : 1;
    cs->slots = xcalloc(cs->n_slots, sizeof *cs->slots);
    for (size_t i = 0; i < cs->n_slots; i++) {
        struct run_slot *slot = &cs->slots[i];
        if (cs->judge == JUDGE_PYTHON) {
            char *const judge_argv[] = { cs->lang->run[0], "-I", "-S", "-X", "utf8",
                                         "_benchai_judge.py", NULL };
            fill_slot(cs, slot, judge_argv, cs->limits);
            slot->job.stdin_data = cs->judge_input;
            slot->job.stdin_len = strlen(cs->judge_input);
            slot->job.report = 1;
        } else {
            fill_slot(cs, slot, cs->lang->run, cs->limits);
            slot->job.report = cs->judge == JUDGE_CASSERTS;
            if (s->cases) {
                const char *inp = jstr(cJSON_GetArrayItem(s->cases, (int)i), "input");
                slot->job.stdin_data = inp ? inp : "";
                slot->job.stdin_len = inp ? strlen(inp) : 0;
            }
        }
    }
    run_all(r, cs->slots, cs->n_slots);
    for (size_t i = 0; i < cs->n_slots; i++) {
        if (cs->slots[i].rc != 0) {
            *err = cs->slots[i].err;
            return -1;
        }
        cs->wall_ms += cs->slots[i].res.wall_ms;
    }
    return 0;
}

/* stdio: each case's output compared here with the expected one. */
static void judge_stdio(struct code_sample *cs)
{
    const struct code_spec *s = &cs->spec;
    cs->total = cs->n_slots;
    for (size_t i = 0; i < cs->n_slots; i++) {
        const struct sandbox_result *res = &cs->slots[i].res;
        const cJSON *c = cJSON_GetArrayItem(s->cases, (int)i);
        enum code_status st = status_of(res);
        size_t line = 0;
        if (st == CS_PASSED && !code_outputs_match(jstr(c, "output"), res->out, s->tolerance, &line))
            st = CS_FAILED;
        if (st == CS_PASSED) {
            cs->passed++;
        } else if (!cs->first) {
            cs->status = st;
            cs->first = cJSON_CreateObject();
            cJSON_AddNumberToObject(cs->first, "test", (double)i);
            add_capped(cs->first, "input", jstr(c, "input"));
            add_capped(cs->first, "expected", jstr(c, "output"));
            add_capped(cs->first, "actual", res->out);
            if (line)
                cJSON_AddNumberToObject(cs->first, "line", (double)line);
            cs->stderr_text = res->err;
        }
    }
}

/* Python: the judge's verdict lines, from fd 3. A test with no verdict
 * (the judge was stopped: timeout, output or memory limit) failed with the
 * run's status. */
static void judge_python(struct code_sample *cs)
{
    const struct code_spec *s = &cs->spec;
    const struct sandbox_result *res = &cs->slots[0].res;
    int humaneval = !strcmp(s->form, "humaneval");
    cs->total = humaneval ? 1 : s->n_asserts;
    cs->stderr_text = res->err;
    int *ok = xcalloc(cs->total, sizeof *ok);
    int ff = -1;
    char *ffjson = NULL;
    cs->passed = code_parse_verdicts(res->report, cs->total, ok, &ff, &ffjson);
    if (cs->passed < cs->total) {
        enum code_status st = status_of(res);
        cJSON *fj = ffjson ? cJSON_Parse(ffjson) : NULL;
        if (ff < 0)
            for (size_t i = 0; i < cs->total && ff < 0; i++)
                if (!ok[i])
                    ff = (int)i;
        const char *kind = jstr(fj, "kind");
        if (st != CS_PASSED && st != CS_RUNTIME_ERROR)
            cs->status = st;                  /* timeout, memory, output */
        else if (!kind)
            cs->status = st == CS_PASSED ? CS_RUNTIME_ERROR : st;
        else if (!strcmp(kind, "program_ended"))
            cs->status = code_stderr_is_oom(res->err) ? CS_MEMORY : CS_RUNTIME_ERROR;
        else if (humaneval && strcmp(kind, "failed"))
            cs->status = CS_RUNTIME_ERROR;
        else
            cs->status = CS_FAILED;
        cs->first = cJSON_CreateObject();
        cJSON_AddNumberToObject(cs->first, "test", ff);
        if (!humaneval)
            add_capped(cs->first, "assert", s->asserts[ff]);
        if (cJSON_IsObject(fj)) {
            cJSON *x;
            cJSON_ArrayForEach(x, fj)
                if (strcmp(x->string, "kind"))
                    cJSON_AddItemToObject(cs->first, x->string, cJSON_Duplicate(x, 1));
        } else {
            cJSON_AddStringToObject(cs->first, "error", "no verdict: the run ended first");
        }
        cJSON_Delete(fj);
    }
    free(ok);
    free(ffjson);
}

/* C/C++ asserts: each evaluated here on the leaf values the program wrote. */
static void judge_casserts(struct code_sample *cs)
{
    const struct sandbox_result *res = &cs->slots[0].res;
    cs->total = code_casserts_count(cs->casserts);
    cs->stderr_text = res->err;
    enum code_status st = status_of(res);
    for (size_t i = 0; i < cs->total; i++) {
        char *expected, *actual, *error;
        if (code_casserts_judge(cs->casserts, i, res->report, &expected, &actual, &error)) {
            cs->passed++;
        } else if (!cs->first) {
            cs->status = st == CS_PASSED || st == CS_RUNTIME_ERROR ? CS_FAILED : st;
            cs->first = cJSON_CreateObject();
            cJSON_AddNumberToObject(cs->first, "test", (double)i);
            add_capped(cs->first, "assert", code_casserts_source(cs->casserts, i));
            if (expected)
                add_capped(cs->first, "expected", expected);
            if (actual)
                add_capped(cs->first, "actual", actual);
            add_capped(cs->first, "error", error);
        }
        free(expected);
        free(actual);
        free(error);
    }
}

static void sample_unparsed(struct code_sample *cs, struct score_result *out)
{
    out->status = SCORE_UNPARSED;
    out->value = 0;
    out->passed = 0;
    cJSON_AddStringToObject(cs->detail, "status", "unparsed");
    cJSON_AddStringToObject(cs->detail, "reason", "no code block found in the response");
}

static void sample_finish(struct code_sample *cs, struct score_result *out)
{
    cJSON *d = cs->detail;
    if (cs->first) {
        cJSON_AddItemToObject(d, "first_failure", cs->first);
        cs->first = NULL;
    }
    if (cs->stderr_text && *cs->stderr_text)
        add_capped(d, "stderr", cs->stderr_text);
    cJSON_AddStringToObject(d, "status", status_names[cs->status]);
    cJSON_AddNumberToObject(d, "passed", (double)cs->passed);
    cJSON_AddNumberToObject(d, "total", (double)cs->total);
    cJSON_AddNumberToObject(d, "wall_ms", round(cs->wall_ms * 10) / 10);
    out->status = SCORE_SCORED;
    out->value = cs->total ? (double)cs->passed / (double)cs->total : 0;
    out->passed = cs->total > 0 && cs->passed == cs->total;
}

/* Where the limits of this sample's runs came from (stored with it). */
static void add_limits(cJSON *d, const struct sandbox *sb, const struct sandbox_limits *l,
                       const struct sandbox_lang *lang)
{
    cJSON *lj = cJSON_AddObjectToObject(d, "limits");
    cJSON_AddStringToObject(lj, "by", sandbox_limiter_name(sandbox_limits_by(sb)));
    cJSON_AddNumberToObject(lj, "memory_mb", (double)l->memory_mb);
    if (sandbox_limits_by(sb) != SANDBOX_LIMITS_RLIMITS)
        cJSON_AddNumberToObject(lj, "cgroup_memory_mb", (double)(l->memory_mb + l->memory_extra_mb));
    cJSON_AddNumberToObject(lj, "address_space_mb",
                            (double)(l->memory_mb + l->address_space_extra_mb));
    cJSON_AddNumberToObject(lj, "nproc", l->nproc);
    (void)lang;
}

static int code_score(const struct score_input *in, const struct score_context *ctx,
                      struct score_result *out, struct bai_error *err)
{
    struct code_sample cs;
    memset(&cs, 0, sizeof cs);
    memset(out, 0, sizeof *out);
    out->passed = -1;
    struct bai_error verr = {0};
    if (parse_spec(in->item->data, &cs.spec, &verr) != 0) {
        free(cs.spec.asserts);
        bai_error_set(err, BAI_EXIT_USAGE, "item %s: %s", in->item->id, verr.msg);
        return -1;
    }
    cs.detail = cJSON_CreateObject();
    cJSON_AddStringToObject(cs.detail, "language", cs.spec.language ? cs.spec.language : "");
    cJSON_AddStringToObject(cs.detail, "form", cs.spec.form);
    cs.code = extract_code(&cs.spec, in->output);
    if (!cs.code) {
        sample_unparsed(&cs, out);
        out->detail_json = cJSON_PrintUnformatted(cs.detail);
        sample_release(&cs);
        return 0;
    }
    out->extracted = xstrdup(cs.code);
    struct code_sandbox r;
    int rc = -1;
    if (code_sandbox_open(&r, ctx, err) != 0)
        goto done;
    cs.lang = sandbox_langs_find(r.langs, cs.spec.language);
    if (!cs.lang || !cs.lang->available) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "item %s: language '%s' is %s", in->item->id,
                      cs.spec.language, cs.lang ? "not installed on this machine"
                                                : "not in the language table");
        goto done;
    }
    if (write_program(&cs, in, err) != 0)
        goto done;
    cJSON_AddStringToObject(cs.detail, "sandbox", sandbox_mode_name(sandbox_mode(r.sb)));
    cs.limits = run_limits(cs.lang, &cs.spec);
    add_limits(cs.detail, r.sb, &cs.limits, cs.lang);
    cs.status = CS_PASSED;
    if (compile_step(&r, &cs, err) != 0)
        goto done;
    if (cs.status == CS_COMPILE_ERROR) {
        cs.total = !strcmp(cs.spec.form, "stdio") ? cs.spec.n_cases
                 : !strcmp(cs.spec.form, "asserts") ? cs.spec.n_asserts : 1;
    } else {
        if (run_step(&r, &cs, err) != 0)
            goto done;
        if (cs.judge == JUDGE_PYTHON)
            judge_python(&cs);
        else if (cs.judge == JUDGE_CASSERTS)
            judge_casserts(&cs);
        else if (cs.spec.cases)
            judge_stdio(&cs);
    }
    sample_finish(&cs, out);
    rc = 0;
done:
    if (rc != 0) {
        out->status = SCORE_ERROR;
        cJSON_AddStringToObject(cs.detail, "status", "error");
        cJSON_AddStringToObject(cs.detail, "error", err->msg);
    }
    out->detail_json = cJSON_PrintUnformatted(cs.detail);
    code_sandbox_close(&r);
    sample_release(&cs);
    return rc;
}

/* ---- asynchronous scoring on the pool ---------------------------------- */

struct submit_ctx {
    struct sandbox_pool *pool;
    const struct score_input *in;
    code_done_fn done;
    void *userdata;
};

static void submit_task(void *ud, const struct sandbox *sb)
{
    struct submit_ctx *t = ud;
    struct score_context ctx = { .sandbox = t->pool };
    struct score_result *res = xcalloc(1, sizeof *res);
    struct bai_error err = {0};
    int rc = code_score(t->in, &ctx, res, &err);
    t->done(t->userdata, rc, res, &err);
    free(t);
}

void code_score_submit(struct sandbox_pool *pool, const struct score_input *in,
                       code_done_fn done, void *userdata)
{
    struct submit_ctx *t = xcalloc(1, sizeof *t);
    t->pool = pool;
    t->in = in;
    t->done = done;
    t->userdata = userdata;
    sandbox_pool_submit_task(pool, submit_task, t);
}

static const struct score_field code_fields[] = {
    { "language", "python, c, cpp, java or javascript (the sandbox's language table)" },
    { "tests", "{form: humaneval, entry_point, test} | {form: asserts, asserts: [...], setup} | "
      "{form: stdio, cases: [{input, output}], tolerance}" },
    { "harness", "C/C++: the program around the answer, with a /*SOLUTION*/ marker" },
    { NULL, NULL },
};

static const struct score_option code_options[] = {
    { "extract", SCORE_OPT_ENUM, CODE_EXTRACT_NAMES, "last",
      "which code of the response runs: the last fenced block, the longest, DebugBench's "
      "<code> tags, or the whole response when it has no block" },
    { "timeout_s", SCORE_OPT_NUMBER, NULL, "the language's",
      "wall-clock limit of each run, in seconds" },
    { "memory_mb", SCORE_OPT_NUMBER, NULL, "the language's", "memory limit of each run" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_code = {
    .name = "code",
    .summary = "run the extracted code against the item's tests in the sandbox (passed/total)",
    .fields = code_fields,
    .options = code_options,
    .validate = code_validate,
    .score = code_score,
};
