/* command.c - the command backend: one process per prompt, llama-cli style.
 *
 * The template is split into words once (single and double quotes group,
 * no other shell syntax), and placeholders are substituted inside each
 * word: {prompt} (the prompt text as ONE argument), {prompt_file} (a temp
 * file holding it), {model}, {max_tokens}, {temperature}, {system}. The
 * program is exec'd directly, never through a shell, so a prompt cannot
 * inject commands. Its stdout is the answer; a timeout kills its process
 * group.
 */
#include "backend/backend_int.h"
#include "util/defaults.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct command_state {
    char **words;
    size_t n_words;
};

static int split_words(const char *tmpl, char ***out, size_t *n_out, struct bai_error *err)
{
    char **words = NULL;
    size_t n = 0, cap = 0;
    const char *p = tmpl;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        struct buf w = {0};
        buf_puts(&w, "");
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q)
                    buf_putc(&w, *p++);
                if (*p != q) {
                    bai_error_set(err, BAI_EXIT_USAGE, "--cmd: unterminated %c quote", q);
                    buf_free(&w);
                    for (size_t i = 0; i < n; i++)
                        free(words[i]);
                    free(words);
                    return -1;
                }
                p++;
            } else {
                buf_putc(&w, *p++);
            }
        }
        XGROW(words, n + 2, cap);
        words[n++] = buf_detach(&w);
        words[n] = NULL;
    }
    if (n == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "--cmd is empty");
        free(words);
        return -1;
    }
    *out = words;
    *n_out = n;
    return 0;
}

int backend_command_start(struct backend *b, struct bai_error *err)
{
    if (!b->cfg.cmd_template) {
        bai_error_set(err, BAI_EXIT_USAGE, "--backend command needs --cmd");
        return -1;
    }
    struct command_state *st = xcalloc(1, sizeof *st);
    if (split_words(b->cfg.cmd_template, &st->words, &st->n_words, err) != 0) {
        free(st);
        return -1;
    }
    b->priv = st;
    return 0;
}

void backend_command_stop(struct backend *b)
{
    struct command_state *st = b->priv;
    if (!st)
        return;
    for (size_t i = 0; i < st->n_words; i++)
        free(st->words[i]);
    free(st->words);
    free(st);
    b->priv = NULL;
}

static char *flatten_prompt(const struct gen_request *req, const char **system_out)
{
    *system_out = "";
    if (!req->chat)
        return xstrdup(req->prompt ? req->prompt : "");
    struct buf b = {0};
    buf_puts(&b, "");
    for (size_t i = 0; i < req->n_messages; i++) {
        if (!strcmp(req->messages[i].role, "system")) {
            *system_out = req->messages[i].content;
            continue;
        }
        if (b.len)
            buf_puts(&b, "\n\n");
        buf_puts(&b, req->messages[i].content);
    }
    return buf_detach(&b);
}

static char *substitute(const char *word, const char *const keys[], const char *const values[], size_t n)
{
    struct buf b = {0};
    buf_puts(&b, "");
    const char *p = word;
    while (*p) {
        size_t matched = 0;
        for (size_t k = 0; k < n && *p == '{'; k++) {
            size_t kl = strlen(keys[k]);
            if (!strncmp(p, keys[k], kl)) {
                buf_puts(&b, values[k]);
                p += kl;
                matched = 1;
                break;
            }
        }
        if (!matched)
            buf_putc(&b, *p++);
    }
    return buf_detach(&b);
}

int backend_command_generate(struct backend *b, const struct gen_request *req, struct gen_response *resp)
{
    struct command_state *st = b->priv;
    for (size_t i = 0; req->chat && i < req->n_messages; i++)
        if (req->messages[i].n_images) {   /* a template has no place for them: never drop one silently */
            gen_response_set_error(resp, 0, "the command backend cannot send images (this item has %zu); "
                                   "use llama-server or an OpenAI-compatible endpoint",
                                   req->messages[i].n_images);
            return 0;
        }
    const char *system;
    char *prompt = flatten_prompt(req, &system);
    char prompt_file[] = "/tmp/benchai-prompt-XXXXXX";
    int pf = mkstemp(prompt_file);
    if (pf < 0 || write(pf, prompt, strlen(prompt)) != (ssize_t)strlen(prompt)) {
        gen_response_set_error(resp, 0, "prompt temp file: %s", strerror(errno));
        if (pf >= 0) {
            close(pf);
            unlink(prompt_file);
        }
        free(prompt);
        return -1;
    }
    close(pf);
    char max_tokens[32], temperature[32];
    snprintf(max_tokens, sizeof max_tokens, "%d", req->max_tokens);
    snprintf(temperature, sizeof temperature, "%g", req->temperature);
    const char *const keys[] = { "{prompt_file}", "{prompt}", "{model}", "{max_tokens}", "{temperature}", "{system}" };
    const char *const values[] = { prompt_file, prompt, b->cfg.model_name ? b->cfg.model_name : "",
                                   max_tokens, temperature, system };
    char **argv = xcalloc(st->n_words + 1, sizeof *argv);
    for (size_t i = 0; i < st->n_words; i++)
        argv[i] = substitute(st->words[i], keys, values, 6);

    int out[2];
    int rc = -1;
    if (pipe2(out, O_CLOEXEC) != 0) {
        gen_response_set_error(resp, 0, "pipe: %s", strerror(errno));
        goto done;
    }
    resp->t_send_ns = clock_mono_ns();
    pid_t pid = fork();
    if (pid < 0) {
        gen_response_set_error(resp, 0, "fork: %s", strerror(errno));
        close(out[0]);
        close(out[1]);
        goto done;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    close(out[1]);
    long timeout_ms = b->cfg.timeout_ms > 0 ? b->cfg.timeout_ms : BAI_REQUEST_TIMEOUT_MS;
    int64_t deadline = resp->t_send_ns + timeout_ms * 1000000LL;
    struct buf output = {0};
    int timed_out = 0, too_large = 0;
    size_t cap = b->cfg.max_answer_bytes ? b->cfg.max_answer_bytes : GEN_MAX_ANSWER_BYTES_DEFAULT;
    for (;;) {
        int64_t left_ms = (deadline - clock_mono_ns()) / 1000000;
        if (left_ms <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = { out[0], POLLIN, 0 };
        int pr = poll(&pfd, 1, (int)(left_ms > 1000 ? 1000 : left_ms));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        char chunk[8192];
        ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (!resp->t_first_ns)
            resp->t_first_ns = clock_mono_ns();
        if (output.len + (size_t)n > cap) {
            too_large = 1;      /* a command that writes forever is stopped here */
            break;
        }
        buf_append(&output, chunk, (size_t)n);
    }
    close(out[0]);
    if (timed_out || too_large)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    resp->t_end_ns = clock_mono_ns();
    if (too_large) {
        gen_response_set_error(resp, 0, "the command's output is larger than %zu bytes: it was "
                               "stopped (--max-answer-bytes raises the cap)", cap);
        resp->text_flags |= GEN_FLAG_TOO_LARGE;
    } else if (timed_out) {
        gen_response_set_error(resp, 0, "command timed out after %ld ms", timeout_ms);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        gen_response_set_error(resp, 0, "command %s could not be executed", argv[0]);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        gen_response_set_error(resp, 0, "command %s", WIFSIGNALED(status) ? "was killed by a signal" : "exited non-zero");
    } else {
        size_t bad = 0;
        /* NUL bytes and invalid UTF-8 become U+FFFD, flagged on the sample */
        resp->content = utf8_repair(output.data ? output.data : "", output.len, &bad);
        size_t nul = 0;
        for (size_t i = 0; i < output.len; i++)
            nul += output.data[i] == '\0';
        if (nul)
            resp->text_flags |= GEN_FLAG_NUL;
        if (bad > nul)
            resp->text_flags |= GEN_FLAG_BAD_UTF8;
        resp->finish_reason = xstrdup("stop");
        resp->ok = 1;
        gen_split_think(resp);
        rc = 0;
    }
    buf_free(&output);
done:
    unlink(prompt_file);
    for (size_t i = 0; i < st->n_words; i++)
        free(argv[i]);
    free(argv);
    free(prompt);
    return rc;
}
