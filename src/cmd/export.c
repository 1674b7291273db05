/* export.c - `benchai export RUN -o csv|jsonl|md`: one row per sample (and
 * scorer) with its score and timings, streamed so a 100,000-sample run
 * needs no more memory than one row. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/format.h"
#include "store/store.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/fs.h"
#include "util/mem.h"

enum export_fmt { EXPORT_CSV, EXPORT_JSONL, EXPORT_MD };

struct export_opts {
    const char *format, *out, *store;
};

static const char *const export_formats[] = { "csv", "jsonl", "md", NULL };

static const struct cli_option export_options[] = {
    CLI_OPT_FORMAT(struct export_opts, format, export_formats,
                   "csv, jsonl or md (required unless the config file's\noutput is one of them)"),
    CLI_OPT_STRING(0, "out", struct export_opts, out, "FILE", "write to FILE (atomically) instead of stdout",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_STORE(struct export_opts, store),
    CMD_OPT_CSV_RAW,
    CLI_OPT_END(),
};

const struct cli_command cmd_export_cli = {
    .name = "export",
    .summary = "one row per sample of a run as csv, jsonl or md",
    .usage = "RUN -o csv|jsonl|md [--out FILE] [--store PATH]",
    .description =
        "Writes one row per sample with its score and timings (a sample scored by two\n"
        "scorers gives two rows). Unmeasured numbers are empty (csv, md) or null (jsonl).\n"
        "Times keep millisecond precision (t_start_s: Unix seconds with milliseconds).\n"
        "jsonl is lossless; csv and md show control characters as \\x1b, and csv cells\n"
        "that start with = + - @ get a leading ' (--csv-raw keeps them; docs/reports.md).\n"
        "RUN is a full id, a unique prefix, tag:NAME or latest.\n",
    .options = export_options,
    CLI_ARGS_ONE_RUN,
    .run = cmd_export,
};

/* K_TIME_S, K_TIME_MS: times, always with three decimals (milliseconds of a
 * Unix time, microseconds of a duration); K_NUM: up to 10 significant
 * digits, so no figure becomes 1.79652e+09. */
enum col_kind { K_STR, K_INT, K_NUM, K_TIME_S, K_TIME_MS };

/* The header; row() writes the fields in this order. */
static const char *const COLUMNS[] = {
    "run", "config", "suite", "suite_version", "item", "rep", "tier", "status", "warmup",
    "attempts", "scorer", "value", "passed", "score_status", "extracted", "ttft_ms", "e2e_ms",
    "tpot_ms", "prompt_tokens", "completion_tokens", "cached_tokens", "prompt_tps", "gen_tps",
    "speed_source", "cache_hit", "draft_n", "draft_accepted", "t_start_s", "finish_reason", "error",
    "flags", "output",
};
#define N_COLUMNS (sizeof COLUMNS / sizeof COLUMNS[0])

struct export_ctx {
    enum export_fmt fmt;
    const char *run_id;
    FILE *f;
};

/* Writes one cell in the current text format; numbers < 0 are "unmeasured".
 * Escaping is report/format.c's: the CSV formula guard, Markdown without
 * raw HTML, control characters made visible. */
static void text_cell(struct export_ctx *c, int first, enum col_kind k, const char *s, double v)
{
    if (!first)
        fputs(c->fmt == EXPORT_CSV ? "," : " | ", c->f);
    char num[64] = "";
    if (k != K_STR) {
        static const char *const fmts[] = { [K_INT] = "%.0f", [K_NUM] = "%.10g",
                                            [K_TIME_S] = "%.3f", [K_TIME_MS] = "%.3f" };
        if (v >= 0)
            snprintf(num, sizeof num, fmts[k], v);
        fputs(num, c->f);       /* a number needs no escaping, and gets none */
        return;
    }
    if (!s)
        s = "";
    struct buf b = {0};
    if (c->fmt == EXPORT_CSV)
        report_csv_field(&b, s);
    else
        report_md_escape(&b, s, 1);
    if (b.len)
        fwrite(b.data, 1, b.len, c->f);
    buf_free(&b);
}

static void header(struct export_ctx *c)
{
    if (c->fmt == EXPORT_JSONL)
        return;
    if (c->fmt == EXPORT_MD)
        fputs("| ", c->f);
    for (size_t i = 0; i < N_COLUMNS; i++)
        text_cell(c, i == 0, K_STR, COLUMNS[i], 0);
    if (c->fmt == EXPORT_MD) {
        fputs(" |\n|", c->f);
        for (size_t i = 0; i < N_COLUMNS; i++)
            fputs("---|", c->f);
    }
    fputc('\n', c->f);
}

static int row_jsonl(struct export_ctx *c, const struct store_sample_row *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run", c->run_id);
    cJSON_AddStringToObject(o, "config", r->config_label);
    cJSON_AddStringToObject(o, "suite", r->suite_name);
    cJSON_AddNumberToObject(o, "suite_version", r->suite_version);
    cJSON_AddStringToObject(o, "item", r->item_id);
    cJSON_AddNumberToObject(o, "rep", r->rep);
    cJSON_AddNumberToObject(o, "tier", r->tier);
    cJSON_AddStringToObject(o, "status", r->status ? r->status : "ok");
    cJSON_AddBoolToObject(o, "warmup", r->warmup);
    cJSON_AddNumberToObject(o, "attempts", r->attempts);
    report_json_str(o, "scorer", r->scorer);
    if (r->scorer)
        cJSON_AddNumberToObject(o, "value", r->value);
    else
        cJSON_AddNullToObject(o, "value");
    if (r->passed < 0)
        cJSON_AddNullToObject(o, "passed");
    else
        cJSON_AddBoolToObject(o, "passed", r->passed);
    report_json_str(o, "score_status", r->score_status);
    report_json_str(o, "extracted", r->extracted);
    report_json_measured(o, "ttft_ms", r->ttft_ms);
    report_json_measured(o, "e2e_ms", r->e2e_ms);
    report_json_measured(o, "tpot_ms", r->tpot_ms);
    report_json_measured(o, "prompt_tokens", (double)r->prompt_tokens);
    report_json_measured(o, "completion_tokens", (double)r->completion_tokens);
    report_json_measured(o, "cached_tokens", (double)r->cached_tokens);
    report_json_measured(o, "prompt_tps", r->prompt_tps);
    report_json_measured(o, "gen_tps", r->gen_tps);
    report_json_str(o, "speed_source", r->speed_source);
    if (r->cache_hit < 0)
        cJSON_AddNullToObject(o, "cache_hit");
    else
        cJSON_AddBoolToObject(o, "cache_hit", r->cache_hit);
    report_json_measured(o, "draft_n", (double)r->draft_n);
    report_json_measured(o, "draft_accepted", (double)r->draft_accepted);
    report_json_measured(o, "t_start_s", r->t_start_s);
    report_json_str(o, "finish_reason", r->finish_reason);
    report_json_str(o, "error", r->error);
    report_json_str(o, "flags", r->flags);
    report_json_str(o, "output", r->output);
    struct buf line = { 0 };
    report_json_emit(o, 0, &line);
    /* lossless: C1 controls and bidi overrides become \u escapes */
    esc_term_write(c->f, line.data, line.len, ESC_JSON);
    buf_free(&line);
    return ferror(c->f) ? 1 : 0;
}

/* csv and md: the fields in COLUMNS order */
static int row_text(struct export_ctx *c, const struct store_sample_row *r)
{
    if (c->fmt == EXPORT_MD)
        fputs("| ", c->f);
    text_cell(c, 1, K_STR, c->run_id, 0);
    text_cell(c, 0, K_STR, r->config_label, 0);
    text_cell(c, 0, K_STR, r->suite_name, 0);
    text_cell(c, 0, K_INT, NULL, r->suite_version);
    text_cell(c, 0, K_STR, r->item_id, 0);
    text_cell(c, 0, K_INT, NULL, r->rep);
    text_cell(c, 0, K_INT, NULL, r->tier);
    text_cell(c, 0, K_STR, r->status, 0);
    text_cell(c, 0, K_INT, NULL, r->warmup);
    text_cell(c, 0, K_INT, NULL, r->attempts);
    text_cell(c, 0, K_STR, r->scorer, 0);
    text_cell(c, 0, K_NUM, NULL, r->scorer ? r->value : -1);
    text_cell(c, 0, K_INT, NULL, r->passed);
    text_cell(c, 0, K_STR, r->score_status, 0);
    text_cell(c, 0, K_STR, r->extracted, 0);
    text_cell(c, 0, K_TIME_MS, NULL, r->ttft_ms);
    text_cell(c, 0, K_TIME_MS, NULL, r->e2e_ms);
    text_cell(c, 0, K_TIME_MS, NULL, r->tpot_ms);
    text_cell(c, 0, K_INT, NULL, (double)r->prompt_tokens);
    text_cell(c, 0, K_INT, NULL, (double)r->completion_tokens);
    text_cell(c, 0, K_INT, NULL, (double)r->cached_tokens);
    text_cell(c, 0, K_NUM, NULL, r->prompt_tps);
    text_cell(c, 0, K_NUM, NULL, r->gen_tps);
    text_cell(c, 0, K_STR, r->speed_source, 0);
    text_cell(c, 0, K_INT, NULL, r->cache_hit);
    text_cell(c, 0, K_INT, NULL, (double)r->draft_n);
    text_cell(c, 0, K_INT, NULL, (double)r->draft_accepted);
    text_cell(c, 0, K_TIME_S, NULL, r->t_start_s);
    text_cell(c, 0, K_STR, r->finish_reason, 0);
    text_cell(c, 0, K_STR, r->error, 0);
    text_cell(c, 0, K_STR, r->flags, 0);
    text_cell(c, 0, K_STR, r->output, 0);
    fputs(c->fmt == EXPORT_MD ? " |\n" : "\n", c->f);
    return ferror(c->f) ? 1 : 0;
}

static int row(void *vctx, const struct store_sample_row *r)
{
    struct export_ctx *c = vctx;
    return c->fmt == EXPORT_JSONL ? row_jsonl(c, r) : row_text(c, r);
}

int cmd_export(int argc, char **argv)
{
    struct export_opts o = { .format = cli_default_format(export_formats, NULL), .store = cli_default_store() };
    int rc = cmd_options(&cmd_export_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *path = o.store, *out_path = o.out;
    struct export_ctx ctx = { 0 };
    if (!o.format) {
        fprintf(stderr, "benchai export: -o csv|jsonl|md is required\n");
        return BAI_EXIT_USAGE;
    }
    ctx.fmt = !strcmp(o.format, "csv") ? EXPORT_CSV : !strcmp(o.format, "jsonl") ? EXPORT_JSONL : EXPORT_MD;
    struct bai_error err = { 0 };
    char id[STORE_RUN_ID_MAX];
    struct store *st = cmd_open_run(path, argv[0], id, &rc);
    if (!st)
        return rc;
    ctx.run_id = id;
    char *tmp = NULL;
    ctx.f = stdout;
    if (out_path) {
        /* a file of our own (never through a link), renamed at the end */
        int fd = fs_refuse_symlink(out_path, &err) == 0 ? fs_create_temp(out_path, NULL, &tmp, &err) : -1;
        ctx.f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!ctx.f) {
            if (fd >= 0) {
                bai_error_set(&err, BAI_EXIT_USAGE, "%s: %s", tmp, strerror(errno));
                close(fd);
                unlink(tmp);
            }
            free(tmp);
            store_close(st);
            return bai_error_report(&err);
        }
    }
    header(&ctx);
    rc = store_run_samples(st, id, 0, row, &ctx, &err);
    int ok = rc == 0 && !ferror(ctx.f);
    if (out_path) {
        ok = (fclose(ctx.f) == 0) && ok;
        if (ok && fs_refuse_symlink(out_path, &err) != 0) {
            bai_error_report(&err);
            ok = 0;
        } else if (ok && rename(tmp, out_path) != 0) {
            fprintf(stderr, "benchai export: cannot rename %s to %s: %s\n", tmp, out_path,
                    strerror(errno));
            ok = 0;
        }
        if (!ok)
            remove(tmp);
        free(tmp);
    } else if (fflush(stdout) != 0) {
        ok = 0;
    }
    store_close(st);
    if (rc < 0)
        return bai_error_report(&err);
    if (!ok) {
        fprintf(stderr, "benchai export: writing the export failed: %s\n", strerror(errno));
        return BAI_EXIT_FAIL;
    }
    return BAI_EXIT_OK;
}
