/* cmd.c - what every command does with its command line: parse it with
 * its option table, print --help or the parse error. */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "run/defaults.h"
#include "run/judge_client.h"
#include "store/store.h"
#include "report/format.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/mem.h"

#include <errno.h>
#include <string.h>

int cmd_options_result(const struct cli_command *c, int rc, const struct bai_error *err)
{
    if (rc == 0)
        return -1;
    if (rc == CLI_HELP) {
        struct buf b = { 0 };
        cli_help(c, &b);
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        return BAI_EXIT_OK;
    }
    char *prefix = xasprintf("benchai %s", c->name);
    cmd_print_error(prefix, err->msg);
    free(prefix);
    return err->exit_code ? err->exit_code : BAI_EXIT_USAGE;
}

int cmd_csv_raw(void *opts, const char *value, struct bai_error *err)
{
    (void)opts;
    (void)value;
    (void)err;
    report_csv_set_raw(1);
    return 0;
}

int cmd_print(const char *data, size_t len, int json)
{
    if (len && esc_term_write(stdout, data, len, json ? ESC_JSON : ESC_TEXT) != 0) {
        fprintf(stderr, "benchai: writing to stdout failed: %s\n", strerror(errno));
        return BAI_EXIT_FAIL;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "benchai: writing to stdout failed: %s\n", strerror(errno));
        return BAI_EXIT_FAIL;
    }
    return BAI_EXIT_OK;
}

void cmd_eprint(const char *text)
{
    if (text)
        esc_term_write(stderr, text, strlen(text), ESC_TEXT);
}

void cmd_print_error(const char *prefix, const char *msg)
{
    struct buf b = {0};
    buf_printf(&b, "%s: ", prefix ? prefix : "benchai");
    esc_term_puts(&b, msg && *msg ? msg : "unknown error", ESC_TEXT);
    buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr);
    buf_free(&b);
}

int cmd_options(const struct cli_command *c, void *opts, int *argc, char ***argv)
{
    struct bai_error err = { 0 };
    return cmd_options_result(c, cli_parse(c, opts, argc, argv, &err), &err);
}

int cmd_judge_defaults(struct judge_options *jo)
{
    if (jo->url || jo->gguf || jo->model || jo->api_key_env)
        return 0;   /* any --judge-* flag replaces the config's judge */
    const char *gguf = cli_config_get(CLI_CFG_JUDGE_GGUF);
    jo->url = cli_config_get(CLI_CFG_JUDGE_URL);
    jo->model = cli_config_get(CLI_CFG_JUDGE_MODEL);
    jo->api_key_env = cli_config_get(CLI_CFG_JUDGE_API_KEY_ENV);
    jo->gguf = cli_config_model(gguf) ? cli_config_model(gguf) : gguf;
    if (!jo->server_bin)
        jo->server_bin = cli_config_get(CLI_CFG_LLAMA_SERVER);
    return jo->url || jo->gguf;
}

struct store *cmd_open_run(const char *store_path, const char *spec, char *id, int *code)
{
    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(store_path, &err);
    if (st && store_resolve_run(st, spec, id, &err) == 0)
        return st;
    store_close(st);
    *code = bai_error_report(&err);
    return NULL;
}

char *cmd_roles_file(const char *command, const char *flag, int *code)
{
    if (flag)
        return xstrdup(flag);
    char *looked = NULL;
    char *f = defaults_data_file("roles.yaml", cli_config_get(CLI_CFG_ROLES_FILE), &looked);
    if (f)
        return f;
    const struct cli_config *cfg = cli_config_current();
    char *cfg_path = cfg ? xstrdup(cfg->path) : cli_config_default_path();
    fprintf(stderr, "benchai %s: no roles file: looked in %s (and roles_file: of %s, not set); "
            "give --roles FILE, or set roles_file: in %s\n", command, looked, cfg_path, cfg_path);
    free(cfg_path);
    free(looked);
    *code = BAI_EXIT_USAGE;
    return NULL;

}

const char *cmd_run_state(const struct store_run_info *r, char *buf, size_t size, const char **word_out)
{
    return store_run_state(r, buf, size, word_out);
}
