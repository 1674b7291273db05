/* code.c - the `code` scorer: extract the model's code, compile and run it
 * in the sandbox against the item's tests (humaneval / asserts / stdio),
 * and report passed/total with the first failure. */
#include "score/code.h"
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

/* ---- running ------------------------------------------------------------ */

struct runner {
    const struct sandbox *sb;
    struct sandbox_pool *pool;            /* NULL: run sequentially */
    const struct sandbox_langs *langs;
    struct sandbox *own_sb;               /* temporary ones (no pool given) */
    struct sandbox_langs *own_langs;
};

static int runner_open(struct runner *r, const struct score_context *ctx, struct bai_error *err)
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

static void runner_close(struct runner *r)
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
    s->err = *err;
    pthread_mutex_lock(&s->group->mu);
    if (--s->group->left == 0)
        pthread_cond_signal(&s->group->cv);
    pthread_mutex_unlock(&s->group->mu);
}

/* Runs slots[0..n): on the pool in parallel when there is one, else here. */
static void run_all(struct runner *r, struct run_slot *slots, size_t n)
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

static int write_source(const char *dir, const char *file, const char *text, struct bai_error *err)
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

static const char *item_prompt(const struct suite_item *it)
{
    if (it->prompt)
        return it->prompt;
    for (size_t i = it->n_messages; i-- > 0;)
        if (!strcmp(it->messages[i].role, "user"))
            return it->messages[i].content;
    return "";
}

/* The limits of the run step: language table, then the item's scoring. */
static struct sandbox_limits run_limits(const struct sandbox_lang *lang, const struct code_spec *s,
                                        long *template_mem)
{
    struct sandbox_limits l = lang->limits;
    if (s->timeout_s > 0) {
        l.wall_s = s->timeout_s;
        l.cpu_s = (int)ceil(s->timeout_s);
    }
    if (s->memory_mb > 0)
        l.memory_mb = s->memory_mb;
    sandbox_limits_fill(&l);
    *template_mem = l.memory_mb;
    return l;
}

static void make_nonce(char out[33])
{
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)(rand() & 0xff);
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
    memcpy(out, "BAI", 3);
}

/* Builds the program text for the spec's form; NULL with err set. */
static char *build_program(const struct code_spec *s, const struct sandbox_lang *lang,
                           const struct score_input *in, const char *code, const char *nonce,
                           struct bai_error *err)
{
    int is_python = !strcmp(lang->name, "python");
    int is_c = !strcmp(lang->name, "c") || !strcmp(lang->name, "cpp");
    if (!strcmp(s->form, "humaneval")) {
        if (!is_python) {
            bai_error_set(err, BAI_EXIT_USAGE, "code: humaneval form is for python");
            return NULL;
        }
        return code_humaneval_program(item_prompt(in->item), code, s->test, s->entry_point);
    }
    if (!strcmp(s->form, "asserts")) {
        if (is_python)
            return code_python_asserts_program(s->setup, code, s->asserts, s->n_asserts, nonce);
        if (is_c)
            return code_c_program(s->harness, code, s->asserts, s->n_asserts, nonce);
        bai_error_set(err, BAI_EXIT_USAGE, "code: asserts form is for python, c and cpp");
        return NULL;
    }
    if (s->harness)
        return code_c_program(s->harness, code, NULL, 0, nonce);
    return xstrdup(code);
}

static void fill_slot(struct run_slot *slot, const struct sandbox_lang *lang, char *const *tmpl,
                      struct sandbox_limits lim, long template_mem, const char *dir)
{
    struct sandbox_limits tl = lim;
    tl.memory_mb = template_mem;
    slot->argv = sandbox_lang_argv(lang, tmpl, &tl);
    slot->job.argv = (const char *const *)slot->argv;
    slot->job.host_dir = dir;
    slot->job.limits = lim;
    slot->job.paths = (const char *const *)lang->paths;
    slot->job.env = (const char *const *)lang->env;
}

static int code_score(const struct score_input *in, const struct score_context *ctx,
                      struct score_result *out, struct bai_error *err)
{
    struct code_spec s;
    memset(out, 0, sizeof *out);
    out->passed = -1;
    struct bai_error verr = {0};
    if (parse_spec(in->item->data, &s, &verr) != 0) {
        free(s.asserts);
        bai_error_set(err, BAI_EXIT_USAGE, "item %s: %s", in->item->id, verr.msg);
        return -1;
    }
    char *code = code_extract(in->output, (enum code_extract_mode)s.extract);
    if (!code && !strcmp(s.form, "humaneval") && in->output) {
        /* completion mode: the raw text continues the prompt */
        const char *p = in->output;
        while (*p == '\n' || *p == '\r')
            p++;
        if (*p && strspn(p, " \t\r\n") < strlen(p))
            code = xstrdup(in->output);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "language", s.language ? s.language : "");
    cJSON_AddStringToObject(d, "form", s.form);
    if (!code) {
        out->status = SCORE_UNPARSED;
        out->value = 0;
        out->passed = 0;
        cJSON_AddStringToObject(d, "status", "unparsed");
        cJSON_AddStringToObject(d, "reason", "no code block found in the response");
        out->detail_json = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
        free(s.asserts);
        return 0;
    }
    out->extracted = xstrdup(code);

    struct runner r;
    int rc = -1;
    char *dir = NULL, *program = NULL;
    struct run_slot *slots = NULL;
    size_t n_slots = 0;
    if (runner_open(&r, ctx, err) != 0)
        goto done;
    const struct sandbox_lang *lang = sandbox_langs_find(r.langs, s.language);
    if (!lang || !lang->available) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "item %s: language '%s' is %s", in->item->id,
                      s.language, lang ? "not installed on this machine" : "not in the language table");
        goto done;
    }
    char nonce[33];
    make_nonce(nonce);
    program = build_program(&s, lang, in, code, nonce, err);
    if (!program)
        goto done;
    dir = sandbox_workdir_new(err);
    if (!dir || write_source(dir, lang->file, program, err) != 0)
        goto done;
    cJSON_AddStringToObject(d, "sandbox", sandbox_mode_name(sandbox_mode(r.sb)));

    long template_mem = 0;
    struct sandbox_limits lim = run_limits(lang, &s, &template_mem);
    cJSON *lj = cJSON_AddObjectToObject(d, "limits");
    cJSON_AddStringToObject(lj, "by", sandbox_limiter_name(sandbox_limits_by(r.sb)));
    cJSON_AddNumberToObject(lj, "memory_mb", (double)lim.memory_mb);
    cJSON_AddNumberToObject(lj, "nproc", lim.nproc);
    enum code_status status = CS_PASSED;
    size_t passed = 0, total = 1;
    double wall_ms = 0;
    if (lang->compile) {
        struct run_slot c = {0};
        struct sandbox_limits cl = lang->compile_limits;
        sandbox_limits_fill(&cl);
        fill_slot(&c, lang, lang->compile, cl, cl.memory_mb, dir);
        c.job.collect = (const char *const *)lang->artifacts;
        c.rc = sandbox_run(r.sb, &c.job, &c.res, &c.err);
        wall_ms += c.res.wall_ms;
        if (c.rc != 0) {
            *err = c.err;
            slot_free(&c);
            goto done;
        }
        if (!(c.res.outcome == SANDBOX_EXITED && c.res.exit_code == 0)) {
            status = CS_COMPILE_ERROR;
            /* some toolchains (the JVM) report on stdout */
            char *msg = c.res.outcome == SANDBOX_TIMEOUT ? xstrdup("compiler timed out")
                      : xasprintf("%s%s", c.res.err, c.res.err_len ? "" : c.res.out);
            add_capped(d, "compile_error", msg);
            free(msg);
        }
        slot_free(&c);
    }
    if (status != CS_COMPILE_ERROR) {
        n_slots = !strcmp(s.form, "stdio") ? s.n_cases : 1;
        slots = xcalloc(n_slots, sizeof *slots);
        for (size_t i = 0; i < n_slots; i++) {
            fill_slot(&slots[i], lang, lang->run, lim, template_mem, dir);
            if (s.cases) {
                const char *inp = jstr(cJSON_GetArrayItem(s.cases, (int)i), "input");
                slots[i].job.stdin_data = inp ? inp : "";
                slots[i].job.stdin_len = inp ? strlen(inp) : 0;
            }
        }
        run_all(&r, slots, n_slots);
        for (size_t i = 0; i < n_slots; i++) {
            if (slots[i].rc != 0) {
                *err = slots[i].err;
                goto done;
            }
            wall_ms += slots[i].res.wall_ms;
        }
        cJSON *first = NULL;
        const char *stderr_text = NULL;
        if (!strcmp(s.form, "stdio")) {
            total = n_slots;
            for (size_t i = 0; i < n_slots; i++) {
                const struct sandbox_result *res = &slots[i].res;
                const cJSON *c = cJSON_GetArrayItem(s.cases, (int)i);
                enum code_status st = status_of(res);
                size_t line = 0;
                if (st == CS_PASSED &&
                    !code_outputs_match(jstr(c, "output"), res->out, s.tolerance, &line))
                    st = CS_FAILED;
                if (st == CS_PASSED) {
                    passed++;
                } else if (!first) {
                    status = st;
                    first = cJSON_CreateObject();
                    cJSON_AddNumberToObject(first, "test", (double)i);
                    add_capped(first, "input", jstr(c, "input"));
                    add_capped(first, "expected", jstr(c, "output"));
                    add_capped(first, "actual", res->out);
                    if (line)
                        cJSON_AddNumberToObject(first, "line", (double)line);
                    stderr_text = res->err;
                }
            }
        } else {
            const struct sandbox_result *res = &slots[0].res;
            enum code_status st = status_of(res);
            stderr_text = res->err;
            if (!strcmp(s.form, "humaneval")) {
                if (st == CS_PASSED) {
                    passed = 1;
                } else {
                    status = (st == CS_RUNTIME_ERROR && strstr(res->err, "AssertionError"))
                                 ? CS_FAILED : st;
                    first = cJSON_CreateObject();
                    cJSON_AddNumberToObject(first, "test", 0);
                    const char *last = res->err + strlen(res->err);
                    while (last > res->err && (last[-1] == '\n'))
                        last--;
                    const char *ls = last;
                    while (ls > res->err && ls[-1] != '\n')
                        ls--;
                    char *msg = xstrndup(ls, (size_t)(last - ls));
                    add_capped(first, "error", msg);
                    free(msg);
                }
            } else {
                total = s.n_asserts;
                int *ok = xcalloc(total, sizeof *ok);
                int ff = -1;
                char *ffjson = NULL;
                passed = code_parse_report(res->out, nonce, total, ok, &ff, &ffjson);
                if (passed < total) {
                    /* the program died before reporting every assert */
                    status = st == CS_PASSED ? CS_FAILED : st;
                    if (ff < 0)
                        for (size_t i = 0; i < total && ff < 0; i++)
                            if (!ok[i])
                                ff = (int)i;
                    first = cJSON_CreateObject();
                    cJSON_AddNumberToObject(first, "test", ff);
                    add_capped(first, "assert", s.asserts[ff]);
                    cJSON *fj = ffjson ? cJSON_Parse(ffjson) : NULL;
                    if (cJSON_IsObject(fj)) {
                        cJSON *x;
                        cJSON_ArrayForEach(x, fj)
                            cJSON_AddItemToObject(first, x->string, cJSON_Duplicate(x, 1));
                    } else if (st != CS_PASSED) {
                        cJSON_AddStringToObject(first, "error", "not reached: the program ended first");
                    }
                    cJSON_Delete(fj);
                }
                free(ok);
                free(ffjson);
            }
        }
        if (first)
            cJSON_AddItemToObject(d, "first_failure", first);
        if (stderr_text && *stderr_text)
            add_capped(d, "stderr", stderr_text);
    } else {
        total = !strcmp(s.form, "stdio") ? s.n_cases
              : !strcmp(s.form, "asserts") ? s.n_asserts : 1;
    }
    cJSON_AddStringToObject(d, "status", status_names[status]);
    cJSON_AddNumberToObject(d, "passed", (double)passed);
    cJSON_AddNumberToObject(d, "total", (double)total);
    cJSON_AddNumberToObject(d, "wall_ms", round(wall_ms * 10) / 10);
    out->status = SCORE_SCORED;
    out->value = total ? (double)passed / (double)total : 0;
    out->passed = total > 0 && passed == total;
    rc = 0;
done:
    if (rc != 0) {
        out->status = SCORE_ERROR;
        cJSON_AddStringToObject(d, "status", "error");
        cJSON_AddStringToObject(d, "error", err->msg);
    }
    out->detail_json = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    for (size_t i = 0; i < n_slots; i++)
        slot_free(&slots[i]);
    free(slots);
    if (dir) {
        sandbox_workdir_remove(dir);
        free(dir);
    }
    runner_close(&r);
    free(program);
    free(code);
    free(s.asserts);
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
