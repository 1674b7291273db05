/* Tests of llama-server flag translation (against --help texts of an old
 * and a new build, written here in their real shapes) and of the command
 * backend (argv without a shell, timeout). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/server_flags.h"
#include "settings/settings.h"

static const char *new_help =
    "----- common params -----\n"
    "-h,    --help, --usage                  print usage and exit\n"
    "-t,    --threads N                      number of CPU threads\n"
    "-c,    --ctx-size N                     size of the prompt context\n"
    "-fa,   --flash-attn [on|off|auto]       set Flash Attention use\n"
    "--spec-draft-model, -md, --model-draft FNAME\n"
    "                                        draft model for speculative decoding\n"
    "--spec-draft-n-max N                    number of tokens to draft\n"
    "--spec-type none,draft-simple,ngram-simple\n"
    "-np,   --parallel N                     number of server slots\n"
    "--ui,  --webui, --no-ui, --no-webui     whether to enable the Web UI\n";

static const char *old_help =
    "-t,    --threads N                      number of threads\n"
    "-md,   --model-draft FNAME              draft model\n"
    "--draft-max, --draft, --draft-n N       number of tokens to draft\n"
    "-np,   --parallel N                     number of slots\n";

Test(server_flags, parses_every_spelling_of_a_line)
{
    struct server_flags f;
    server_flags_parse_help(new_help, &f);
    cr_assert(server_flags_accepts(&f, "-t"));
    cr_assert(server_flags_accepts(&f, "--threads"));
    cr_assert(server_flags_accepts(&f, "-md"));
    cr_assert(server_flags_accepts(&f, "--model-draft"));
    cr_assert(server_flags_accepts(&f, "--spec-draft-model"));
    cr_assert(server_flags_accepts(&f, "--no-webui"));
    cr_assert(server_flags_accepts(&f, "--spec-type"));
    cr_assert_not(server_flags_accepts(&f, "--draft-max"));
    cr_assert_not(server_flags_accepts(&f, "N"));
    cr_assert_not(server_flags_accepts(&f, "number"));
    server_flags_free(&f);
}

Test(server_flags, translates_k_for_new_and_old_builds)
{
    struct server_flags f;
    struct bai_error err = {0};
    server_flags_parse_help(new_help, &f);
    const struct setting_def *k = settings_def(SETTING_K), *experts = settings_def(SETTING_EXPERTS);
    server_flags_parse_help(new_help, &f);
    cr_assert_str_eq(server_flags_first(&f, k->server, k->name, &err), "--spec-draft-n-max");
    cr_assert_str_eq(server_flags_spelling(&f, SFLAG_DRAFT_MODEL, &err), "--spec-draft-model");
    server_flags_free(&f);
    server_flags_parse_help(old_help, &f);
    cr_assert_str_eq(server_flags_first(&f, k->server, k->name, &err), "--draft-max");
    cr_assert_str_eq(server_flags_spelling(&f, SFLAG_DRAFT_MODEL, &err), "--model-draft");
    /* old build: no --spec-type, no --override-kv -> a clear error */
    cr_assert_null(server_flags_first(&f, experts->server, experts->name, &err));
    cr_assert(strstr(err.msg, "does not support setting 'experts"), "%s", err.msg);
    server_flags_free(&f);
}

static struct backend start_command(const char *tmpl, long timeout_ms)
{
    struct backend b;
    struct backend_config cfg = { .kind = BACKEND_COMMAND, .cmd_template = tmpl, .timeout_ms = timeout_ms };
    struct bai_error err = {0};
    cr_assert_eq(backend_start(&b, &cfg, &err), 0, "%s", err.msg);
    return b;
}

Test(command_backend, prompt_is_one_argument_and_never_shell_code)
{
    struct backend b = start_command("printf '%s|%s' {max_tokens} {prompt}", 10000);
    struct gen_request req = { .chat = 0, .prompt = "$(touch /tmp/benchai-pwned); echo `id`", .max_tokens = 7 };
    struct gen_response r;
    gen_response_init(&r);
    cr_assert_eq(backend_generate_sync(&b, &req, "k", &r), 0, "%s", r.error ? r.error : "");
    cr_assert_str_eq(r.content, "7|$(touch /tmp/benchai-pwned); echo `id`");
    cr_assert_neq(access("/tmp/benchai-pwned", F_OK), 0);
    gen_response_free(&r);
    backend_stop(&b);
}

Test(command_backend, prompt_file_placeholder)
{
    struct backend b = start_command("cat {prompt_file}", 10000);
    struct gen_message m[] = { { .role = "system", .content = "sys" }, { .role = "user", .content = "line one\nline two" } };
    struct gen_request req = { .chat = 1, .messages = m, .n_messages = 2, .max_tokens = 7 };
    struct gen_response r;
    gen_response_init(&r);
    cr_assert_eq(backend_generate_sync(&b, &req, "k", &r), 0);
    cr_assert_str_eq(r.content, "line one\nline two");
    gen_response_free(&r);
    backend_stop(&b);
}

Test(command_backend, timeout_kills_and_reports)
{
    struct backend b = start_command("sleep 5", 300);
    struct gen_request req = { .prompt = "x", .max_tokens = 1 };
    struct gen_response r;
    gen_response_init(&r);
    cr_assert_neq(backend_generate_sync(&b, &req, "k", &r), 0);
    cr_assert(strstr(r.error, "timed out"), "%s", r.error);
    cr_assert_lt(gen_e2e_ms(&r), 3000.0);
    gen_response_free(&r);
    backend_stop(&b);
}

Test(command_backend, missing_program_and_bad_quotes)
{
    struct backend b = start_command("/nonexistent/benchai-cli {prompt}", 5000);
    struct gen_request req = { .prompt = "x", .max_tokens = 1 };
    struct gen_response r;
    gen_response_init(&r);
    cr_assert_neq(backend_generate_sync(&b, &req, "k", &r), 0);
    cr_assert(strstr(r.error, "could not be executed"), "%s", r.error);
    gen_response_free(&r);
    backend_stop(&b);

    struct backend b2;
    struct backend_config cfg = { .kind = BACKEND_COMMAND, .cmd_template = "echo 'oops" };
    struct bai_error err = {0};
    cr_assert_neq(backend_start(&b2, &cfg, &err), 0);
    cr_assert(strstr(err.msg, "unterminated"), "%s", err.msg);
}
