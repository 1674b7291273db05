/* config.c - `benchai config`: the effective settings and where each came
 * from (command line aside: environment, config file, built-in default). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/format.h"
#include "run/defaults.h"
#include "util/error.h"
#include "util/mem.h"

struct config_opts {
    const char *format;
    int path_only;
};

static const struct cli_option config_options[] = {
    CLI_OPT_FLAG(0, "path", struct config_opts, path_only, "print only the config file's path"),
    CLI_OPT_FORMAT(struct config_opts, format, cli_formats_md_csv_json, "output format"),
    CMD_OPT_CSV_RAW,
    CLI_OPT_END(),
};

const struct cli_command cmd_config_cli = {
    .name = "config",
    .summary = "show the effective settings and where each comes from",
    .usage = "[--path] [-o md|csv|json]",
    .description =
        "Prints every setting of the config file ($XDG_CONFIG_HOME/benchai/config.yaml,\n"
        "default ~/.config/benchai/config.yaml) with the value in effect and where it\n"
        "comes from: the environment (BENCHAI_STORE, BENCHAI_LLAMA_SERVER, kept for\n"
        "compatibility), the file (FILE:LINE) or the built-in default. A flag on the\n"
        "command line beats all of them. See docs/config.md.\n",
    .options = config_options,
    .run = cmd_config,
};

/* What applies when nothing sets k. Caller frees. */
static char *builtin(enum cli_key k)
{
    switch (k) {
    case CLI_CFG_STORE: return xstrdup(cli_default_store());
    case CLI_CFG_OUTPUT: return xstrdup("md");
    case CLI_CFG_LLAMA_SERVER: return defaults_llama_server();
    case CLI_CFG_THREADS: return xstrdup("(llama-server's default)");
    case CLI_CFG_MODELS_FILE:
    case CLI_CFG_ROLES_FILE: {
        char *looked = NULL;
        char *f = defaults_data_file(k == CLI_CFG_MODELS_FILE ? "models.yaml" : "roles.yaml", NULL, &looked);
        if (!f)
            f = xasprintf("(none found; looked in %s)", looked);
        free(looked);
        return f;
    }
    default: return xstrdup("(none)");
    }
}

int cmd_config(int argc, char **argv)
{
    struct config_opts o = { .format = cli_default_format(cli_formats_md_csv_json, "md") };
    int rc = cmd_options(&cmd_config_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const struct cli_config *cfg = cli_config_current();
    char *path = cfg ? xstrdup(cfg->path) : cli_config_default_path();
    if (o.path_only) {
        printf("%s\n", path);
        free(path);
        return BAI_EXIT_OK;
    }
    static const char *const cols[] = { "setting", "value", "from" };
    struct report_table t;
    report_table_init(&t, 3, cols);
    for (int k = 0; k < CLI_CFG_N; k++) {
        size_t r = report_table_add_row(&t);
        const char *v = cli_config_get((enum cli_key)k);
        char *src = cli_config_source((enum cli_key)k), *dflt = v ? NULL : builtin((enum cli_key)k);
        report_table_set(&t, r, 0, cli_config_key_name((enum cli_key)k));
        report_table_set(&t, r, 1, v ? v : dflt);
        report_table_set(&t, r, 2, src ? src : "built-in default");
        free(src);
        free(dflt);
    }
    for (size_t i = 0; cfg && i < cfg->n_models; i++) {
        size_t r = report_table_add_row(&t);
        report_table_setf(&t, r, 0, "models.%s", cfg->models[i].name);
        report_table_set(&t, r, 1, cfg->models[i].path);
        report_table_setf(&t, r, 2, "%s:%d", cfg->path, cfg->models[i].line);
    }
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    report_fmt_parse(o.format, &fmt, &err);
    struct buf b = { 0 };
    if (fmt == REPORT_FMT_MD)
        buf_printf(&b, "config file: %s%s\n\n", path,
                   cfg && cfg->exists ? "" : " (not found: see docs/config.md for what it may hold)");
    report_table_render(&t, fmt, &b);
    int prc = cmd_print(b.data ? b.data : "", b.len, fmt == REPORT_FMT_JSON);
    buf_free(&b);
    report_table_free(&t);
    free(path);
    return prc;
}
