/* sandbox_check.c - `benchai sandbox-check`: what isolation this machine
 * gives untrusted code, and which languages the code scorer can run. */
#include "cmd/cmd.h"
#include "sandbox/lang.h"
#include "sandbox/sandbox.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>

struct sandbox_check_opts {
    const char *languages;
};

static const struct cli_option sandbox_check_options[] = {
    CLI_OPT_STRING(0, "languages", struct sandbox_check_opts, languages, "FILE",
                   "the language table (default suites/languages.yaml)", .complete = CLI_COMP_FILE),
    CLI_OPT_END(),
};

const struct cli_command cmd_sandbox_check_cli = {
    .name = "sandbox-check",
    .summary = "report the isolation available for running model-written code",
    .usage = "[--languages FILE]",
    .description =
        "Reports the isolation available for running model-written code: each\n"
        "namespace, seccomp, rlimits, a trial run, and the languages of the table\n"
        "(suites/languages.yaml) whose compiler/runtime is installed.\n",
    .footer = "Exit status: 0 full isolation available, 6 not (the code scorer then\n"
              "refuses unless runs pass --sandbox=rlimits).\n",
    .options = sandbox_check_options,
    .run = cmd_sandbox_check,
};

static const char *yn(int v) { return v ? "yes" : "no"; }

int cmd_sandbox_check(int argc, char **argv)
{
    struct sandbox_check_opts o = { 0 };
    int rc = cmd_options(&cmd_sandbox_check_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *lang_path = o.languages;
    struct sandbox_probe p;
    sandbox_probe(&p);
    printf("running as root:      %s%s\n", yn(p.root),
           p.root ? " (each program gets a host uid of its own, 65534 inside)"
                  : " (programs run with your uid on the host, 65534 inside)");
    printf("user namespace:       %s\n", yn(p.userns));
    printf("mount namespace:      %s\n", yn(p.mountns));
    printf("pid namespace:        %s\n", yn(p.pidns));
    printf("network namespace:    %s\n", yn(p.netns));
    printf("ipc namespace:        %s\n", yn(p.ipcns));
    printf("uts namespace:        %s\n", yn(p.utsns));
    printf("seccomp filter:       %s\n", yn(p.seccomp));
    printf("rlimits:              %s\n", yn(p.rlimits));
    printf("trial run (full):     %s\n", p.full ? "ok" : "failed");
    printf("limits held by:       %s\n",
           p.limits_by == SANDBOX_LIMITS_CGROUP2 ? "cgroup v2 (memory, pids) + rlimits"
           : p.limits_by == SANDBOX_LIMITS_CGROUP1 ? "cgroup v1 (memory, pids) + rlimits"
           : "rlimits only (RLIMIT_AS per process, RLIMIT_NPROC per run; no writable cgroup)");
    if (p.why[0])
        printf("problem:              %s\n", p.why);

    struct bai_error err = {0};
    struct sandbox_langs *t = lang_path ? sandbox_langs_load(lang_path, &err)
                                        : sandbox_langs_load_default(&err);
    if (!t) {
        printf("languages:            (table not loaded: %s)\n", err.msg);
    } else {
        printf("languages (%s):\n", t->path);
        for (size_t i = 0; i < t->n; i++)
            printf("  %-12s %s\n", t->v[i].name, t->v[i].available ? "available" : "not installed");
        sandbox_langs_free(t);
    }
    int full = p.full && p.seccomp && p.rlimits;
    printf("isolation:            %s\n", full ? "full" : "NOT available (use --sandbox=rlimits to "
                                                         "run code with resource limits only)");
    return full ? BAI_EXIT_OK : BAI_EXIT_SANDBOX;
}
