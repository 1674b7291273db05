/* rescore.c - `benchai rescore RUN`: score a run's stored outputs again
 * (another scorer, a judge model, peer answers) and print before/after. */
#include "cli/config_file.h"
#include "cli/interrupt.h"
#include "sandbox/sandbox.h"
#include "cmd/cmd.h"
#include "net/http.h"
#include "run/judge_client.h"
#include "run/rescore.h"
#include "util/mem.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rescore_cmd_opts {
    struct rescore_options r;
    struct judge_options jo;
    struct strv suites;
};

#define R struct rescore_cmd_opts
static const struct cli_option rescore_options_table[] = {
    CLI_OPT_STRING(0, "scorer", R, r.scorer, "NAME", "score with NAME instead of each item's own scorer",
                   .complete = CLI_COMP_SCORER),
    CLI_OPT_SUITES(R, suites, "only this suite (name or file; repeat or comma-separate);\n"
                              "a file also replaces the lookup of suites/v1/S.yaml"),
    CMD_JUDGE_OPTIONS(R, jo.url, jo.model, jo.api_key_env, jo.gguf),
    CLI_OPT_INT(0, "peers", R, r.peers, "N", 0, 100,
                "judge: show up to N other stored answers to the same item\n"
                "(other runs or configs, same suite version; default 3, 0 = none)"),
    CLI_OPT_FLAG(0, "force", R, r.force, "rescore against suite files whose hash changed"),
    CLI_OPT_FLAG(0, "allow-outside-source", R, r.allow_outside_source,
                 "let suites read source:/filler files outside their folder"),
    CLI_OPT_FLAG(0, "dry-run", R, r.dry_run, "check and count only; nothing is scored or written"),
    CLI_OPT_STORE(R, r.store_path),
    CLI_OPT_END(),
};
#undef R

const struct cli_command cmd_rescore_cli = {
    .name = "rescore",
    .summary = "score a run's stored outputs again (another scorer, a judge model, peer answers)",
    .usage = "RUN [--scorer NAME] [--suite S]... [--judge-url URL | --judge-gguf PATH]\n"
             " [--peers N] [--force] [--dry-run] [--store PATH]",
    .description =
        "Scores the stored outputs of RUN (id, unique prefix, tag:NAME or latest) again:\n"
        "every sample that produced an answer, warm-ups excluded. Items are rebuilt from\n"
        "the suite files as they are now; a file whose content hash differs from the one\n"
        "the run used is refused unless --force. Each new score replaces that scorer's\n"
        "earlier score of the sample; scores of other scorers are kept. A judge's scores\n"
        "are stored as judge:MODEL#PROMPT, so a second judge (another model, prompt or\n"
        "--peers) is kept beside the first; reports show the judge written last unless\n"
        "--judge picks one. Without --judge-* flags, items scored by judge use the\n"
        "config file's judge (docs/config.md).\n",
    .footer = "Prints per suite and scorer: samples rescored, the score before and after\n"
              "(0-100, as show counts it: unparsed answers worth 0), changed, unparsed, errors.\n"
              "Exit codes: 0 done, 2 bad input or refused suite, 3 judge unavailable,\n"
              "4 store error, 5 interrupted (scores written so far are kept).\n",
    .options = rescore_options_table,
    CLI_ARGS_ONE_RUN,
    .run = cmd_rescore,
};

/* Whether the chosen samples include items scored by judge: a dry run
 * (reads and checks only) names the scorers it would use. */
static int needs_judge(const struct rescore_options *o)
{
    if (o->scorer)
        return !strcmp(o->scorer, "judge");
    struct rescore_options dry = *o;
    dry.dry_run = 1;
    struct rescore_result res;
    struct bai_error err = {0};
    int need = 0;
    if (rescore_run(&dry, &res, &err) == 0)
        for (size_t i = 0; i < res.n_rows; i++)
            need |= res.rows[i].scorer && !strcmp(res.rows[i].scorer, "judge");
    rescore_result_free(&res);
    return need;
}

int cmd_rescore(int argc, char **argv)
{
    struct rescore_cmd_opts co = { .r = { .peers = 3, .store_path = cli_default_store() } };
    int code = cmd_options(&cmd_rescore_cli, &co, &argc, &argv);
    if (code >= 0)
        return code;
    code = BAI_EXIT_USAGE;
    struct rescore_options o = co.r;
    struct judge_options jo = co.jo;
    o.run = argv[0];
    o.suites = (const char *const *)co.suites.v;
    o.n_suites = co.suites.n;
    if (!o.dry_run && !judge_options_given(&jo) && !jo.model && !jo.api_key_env) {
        struct judge_options cfg = { 0 };
        if (cmd_judge_defaults(&cfg) && needs_judge(&o))
            jo = cfg;
    }

    struct bai_error err = {0};
    struct judge *judge = NULL;
    if (judge_options_given(&jo) && !o.dry_run) {
        http_global_init();
        if (judge_client_open(&jo, &judge, &err) != 0) {
            code = bai_error_report(&err);
            goto out;
        }
        o.judge = judge;
    } else if ((jo.model || jo.api_key_env) && !judge_options_given(&jo)) {
        fprintf(stderr, "benchai: --judge-model / --judge-api-key-env need --judge-url or --judge-gguf\n");
        goto out;
    }
    o.stop = cli_interrupt_install();
    cli_interrupt_on_exit(sandbox_workdirs_remove_all);

    struct rescore_result res;
    int rc = rescore_run(&o, &res, &err);
    if (res.run_id[0] && (rc == 0 || res.n_rows > 0)) {
        char *text = NULL;
        size_t len = 0;
        FILE *mf = open_memstream(&text, &len);
        rescore_result_print(&res, o.dry_run, mf);
        fclose(mf);
        cmd_print(text, len, 0);
        free(text);
        if (res.missing_items)
            printf("\n%zu sample(s) skipped: their items are no longer in the suite file\n", res.missing_items);
        if (o.dry_run)
            printf("\ndry run: nothing was scored or written (run %s)\n", res.run_id);
        else
            printf("\nrun %s: %zu sample(s) rescored%s%s\n", res.run_id, res.samples, judge ? " with judge " : "",
                   judge ? judge->model : "");
    }
    code = rc == 0 ? BAI_EXIT_OK : bai_error_report(&err);
    rescore_result_free(&res);
    judge_client_close(judge);
out:
    cli_free(&cmd_rescore_cli, &co);
    return code;
}
