/* score.c - `benchai score SCORER --input FILE.jsonl [--out FILE.jsonl]`:
 * scores predictions produced elsewhere, one JSON object per line, and
 * prints the aggregate (SQuAD EM/F1 in percent, IFEval's four accuracies,
 * else mean score / pass rate), with unparsed outputs counted apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/interrupt.h"
#include "cmd/cmd.h"
#include "sandbox/sandbox.h"
#include "score/json_py.h"
#include "score/registry.h"
#include "score/score.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"

struct score_opts {
    const char *input, *out;
};

static const struct cli_option score_options[] = {
    CLI_OPT_STRING('i', "input", struct score_opts, input, "FILE", "the JSONL file (required)",
                   .flags = CLI_REQUIRED, .complete = CLI_COMP_FILE),
    CLI_OPT_STRING(0, "out", struct score_opts, out, "FILE", "write one result line per input line",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_STRING('o', "output", struct score_opts, out, "FILE", "old spelling of --out",
                   .flags = CLI_HIDDEN, .replaced_by = "--out"),
    CLI_OPT_END(),
};

static void scorers_help(struct buf *out)
{
    buf_puts(out, "\nScorers ('benchai score SCORER --help' describes one):\n");
    for (const char *const *n = score_names(); *n; n++)
        buf_printf(out, "  %-10s %s\n", *n, score_find(*n)->summary);
}

const struct cli_command cmd_score_cli = {
    .name = "score",
    .summary = "score predictions made elsewhere (JSONL) and print the aggregate",
    .usage = "SCORER --input FILE.jsonl [--out FILE.jsonl]\nSCORER --help",
    .description =
        "Scores predictions made elsewhere. Each input line is a JSON object with the\n"
        "prediction in 'prediction' or 'response' and the fields the scorer needs;\n"
        "options as the line's fields or inside its 'scoring' object.\n",
    .more_help = scorers_help,
    .options = score_options,
    .args = "SCORER", .min_args = 1, .max_args = 1, .args_complete = CLI_COMP_SCORER,
    .run = cmd_score,
};

struct totals {
    size_t n, scored, unparsed, errors, passed, bad_lines;
    double value_sum;
    /* f1 */
    double em_sum, f1_sum;
    /* ifeval */
    size_t prompt_strict, prompt_loose, instr_total, instr_strict, instr_loose;
};

static const char *first_string(const cJSON *o, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *keys);
        if (cJSON_IsString(v))
            return v->valuestring;
    }
    return NULL;
}

static void add_detail(struct totals *t, const char *scorer, const char *detail)
{
    cJSON *d = cJSON_Parse(detail ? detail : "{}");
    if (!d)
        return;
    if (!strcmp(scorer, "f1")) {
        const cJSON *em = cJSON_GetObjectItem(d, "em"), *f1 = cJSON_GetObjectItem(d, "f1");
        t->em_sum += cJSON_IsNumber(em) ? em->valuedouble : 0;
        t->f1_sum += cJSON_IsNumber(f1) ? f1->valuedouble : 0;
    } else if (!strcmp(scorer, "ifeval")) {
        t->prompt_strict += cJSON_IsTrue(cJSON_GetObjectItem(d, "strict_all"));
        t->prompt_loose += cJSON_IsTrue(cJSON_GetObjectItem(d, "loose_all"));
        const cJSON *n = cJSON_GetObjectItem(d, "n_checks"), *s = cJSON_GetObjectItem(d, "strict_count"),
                    *l = cJSON_GetObjectItem(d, "loose_count");
        t->instr_total += cJSON_IsNumber(n) ? (size_t)n->valuedouble : 0;
        t->instr_strict += cJSON_IsNumber(s) ? (size_t)s->valuedouble : 0;
        t->instr_loose += cJSON_IsNumber(l) ? (size_t)l->valuedouble : 0;
    }
    cJSON_Delete(d);
}

static double pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0; }

static void print_totals(const struct totals *t, const char *scorer)
{
    printf("scorer: %s\n", scorer);
    printf("items: %zu\n", t->n);
    printf("unparsed: %zu\n", t->unparsed);
    printf("errors: %zu\n", t->errors);
    if (t->bad_lines)
        printf("skipped_lines: %zu\n", t->bad_lines);
    if (!strcmp(scorer, "f1")) {
        printf("exact_match: %.2f\n", pct(t->em_sum, (double)t->n));
        printf("f1: %.2f\n", pct(t->f1_sum, (double)t->n));
    } else if (!strcmp(scorer, "ifeval")) {
        /* every percentage benchai prints is 0-100 (docs/metrics.md) */
        printf("prompt_level_strict: %.2f\n", pct((double)t->prompt_strict, (double)t->n));
        printf("instruction_level_strict: %.2f\n", pct((double)t->instr_strict, (double)t->instr_total));
        printf("prompt_level_loose: %.2f\n", pct((double)t->prompt_loose, (double)t->n));
        printf("instruction_level_loose: %.2f\n", pct((double)t->instr_loose, (double)t->instr_total));
    }
    printf("mean_score: %.2f\n", pct(t->value_sum, (double)t->n));
    printf("pass_rate: %.2f\n", pct((double)t->passed, (double)t->n));
}

/* Scores one parsed line; appends its result to out when out is set. */
static void score_line(const struct scorer *sc, cJSON *obj, const char *raw, size_t lineno,
                       const char *input, struct totals *t, struct buf *out)
{
    static const char *const pred_keys[] = { "prediction", "response", NULL };
    static const char *const prompt_keys[] = { "prompt", "question", NULL };
    static const char *const id_keys[] = { "id", "task_id", "key", NULL };
    struct bai_error err = {0};
    const char *pred = first_string(obj, pred_keys);
    if (!pred) {
        fprintf(stderr, "benchai: %s:%zu: missing field 'prediction' (or 'response')\n", input, lineno);
        t->bad_lines++;
        return;
    }
    if (score_check(sc->name, obj, &err)) {
        char *where = xasprintf("benchai: %s:%zu", input, lineno);
        cmd_print_error(where, err.msg);
        free(where);
        t->bad_lines++;
        return;
    }
    char idbuf[32];
    const char *id = first_string(obj, id_keys);
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(obj, "key");
    if (!id && cJSON_IsNumber(key)) {
        snprintf(idbuf, sizeof idbuf, "%.0f", key->valuedouble);
        id = idbuf;
    }
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "line%zu", lineno);
        id = idbuf;
    }
    struct score_item item = { .id = id, .scorer = sc->name, .data = obj,
                               .prompt = first_string(obj, prompt_keys) };
    struct score_input in = {0};
    in.item = &item;
    in.output = pred;
    /* cJSON ends a string at an escaped NUL (\u0000); the official scripts
     * keep it, so the prediction is read again with its NULs */
    struct buf full = {0};
    if (strstr(raw, "\\u0000")) {
        for (size_t k = 0; pred_keys[k]; k++)
            if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, pred_keys[k]))) {
                if (json_py_member_string(raw, strlen(raw), pred_keys[k], &full)) {
                    in.output = full.data;
                    in.output_len = full.len;
                }
                break;
            }
    }
    in.tool_calls = cJSON_GetObjectItemCaseSensitive(obj, "tool_calls");
    in.logprobs = cJSON_GetObjectItemCaseSensitive(obj, "logprobs");
    if (!in.logprobs)
        in.logprobs = cJSON_GetObjectItemCaseSensitive(obj, "completion_probabilities");
    struct score_result r;
    score_sample(&in, NULL, &r, &err);
    t->n++;
    t->value_sum += r.status == SCORE_ERROR ? 0 : r.value;
    t->passed += r.passed == 1;
    if (r.status == SCORE_SCORED)
        t->scored++;
    else if (r.status == SCORE_UNPARSED)
        t->unparsed++;
    else {
        t->errors++;
        char *where = xasprintf("benchai: %s:%zu", input, lineno);
        cmd_print_error(where, err.msg);
        free(where);
    }
    add_detail(t, sc->name, r.detail_json);
    if (out) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "line", (double)lineno);
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddNumberToObject(o, "value", r.value);
        if (r.passed >= 0)
            cJSON_AddBoolToObject(o, "passed", r.passed);
        else
            cJSON_AddNullToObject(o, "passed");
        cJSON_AddStringToObject(o, "status", score_status_name(r.status));
        if (r.extracted)
            cJSON_AddStringToObject(o, "extracted", r.extracted);
        cJSON *d = cJSON_Parse(r.detail_json ? r.detail_json : "{}");
        cJSON_AddItemToObject(o, "detail", d ? d : cJSON_CreateObject());
        char *s = cJSON_PrintUnformatted(o);
        buf_puts(out, s);
        buf_putc(out, '\n');
        free(s);
        cJSON_Delete(o);
    }
    score_result_free(&r);
    buf_free(&full);
}

int cmd_score(int argc, char **argv)
{
    struct score_opts o = { 0 };
    struct bai_error perr = { 0 };
    int n = argc, rc = cli_parse(&cmd_score_cli, &o, &n, &argv, &perr);
    if (rc == CLI_HELP && n > 0 && score_find(argv[0])) {
        /* the scorer's own help comes from its registry entry (score/) */
        char *text = score_help(score_find(argv[0]));
        fputs(text, stdout);
        free(text);
        return BAI_EXIT_OK;
    }
    if ((rc = cmd_options_result(&cmd_score_cli, rc, &perr)) >= 0)
        return rc;
    argc = n;
    const char *input = o.input, *output = o.out;
    const char *name = argv[0];
    const struct scorer *sc = score_find(name);
    if (!sc) {
        fprintf(stderr, "benchai: unknown scorer '%s' (known: %s)\n", name, score_known_names());
        return BAI_EXIT_USAGE;
    }
    /* code runs each program in a temporary sandbox (score.h); judge needs
     * a judge model, which only run and rescore take */
    if (!strcmp(name, "judge")) {
        fprintf(stderr, "benchai: scorer 'judge' needs a judge model; use 'benchai rescore RUN --scorer judge --judge-url ...'\n");
        return BAI_EXIT_USAGE;
    }
    /* Ctrl-C or SIGTERM ends the command at once, without leaving the
     * sandbox's work dirs behind (nothing is stored, so nothing to finish) */
    cli_interrupt_install();
    cli_interrupt_on_exit(sandbox_workdirs_remove_all);
    cli_interrupt_immediate(1);
    struct bai_error err = {0};
    size_t len;
    char *text = fs_read_file(input, &len, &err);
    if (!text)
        return bai_error_report(&err);
    struct totals t = {0};
    struct buf out = {0};
    size_t lineno = 0;
    char *p = text;
    while (p < text + len) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = p;
        p = nl ? nl + 1 : text + len;
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (!*s)
            continue;
        cJSON *obj = cJSON_Parse(s);
        if (!cJSON_IsObject(obj)) {
            fprintf(stderr, "benchai: %s:%zu: not a JSON object\n", input, lineno);
            t.bad_lines++;
            cJSON_Delete(obj);
            continue;
        }
        score_line(sc, obj, s, lineno, input, &t, output ? &out : NULL);
        cJSON_Delete(obj);
    }
    free(text);
    rc = BAI_EXIT_OK;
    if (output && fs_write_atomic(output, out.data ? out.data : "", out.len, &err) < 0)
        rc = bai_error_report(&err);
    buf_free(&out);
    print_totals(&t, name);
    if (rc == BAI_EXIT_OK && t.bad_lines)
        rc = BAI_EXIT_USAGE;
    return rc;
}
