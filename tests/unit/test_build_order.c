/* The README's two commands must work on a machine where nothing is
 * installed yet: `make demo` and `make check` install the packages before
 * anything is compiled and before pkg-config is asked for their flags.
 * `make -n` shows the order without doing the work; a pkg-config stub on
 * PATH announces each time it is asked. A Makefile that compiles (or asks
 * pkg-config while it is parsed) before the install line fails here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define ASKED "BAI-PKGCONFIG-ASKED"

/* Line numbers (1-based, 0 = absent) of the first install line, the first
 * pkg-config query and the first compile in `make -n GOAL`'s output. */
struct order {
    int install, asked, compile;
    char log[8192];
};

static void dry_run(const char *goal, const char *jobs, struct order *o)
{
    char *dir = harness_tempdir();
    char stub[512], cmd[2048];
    snprintf(stub, sizeof stub, "%s/pkg-config", dir);
    FILE *f = fopen(stub, "w");
    cr_assert(f != NULL);
    fprintf(f, "#!/bin/sh\necho %s >&2\necho -I/nonexistent\n", ASKED);
    fclose(f);
    chmod(stub, 0755);
    /* A build folder that does not exist yet is a fresh clone's state; the
     * outer make's MAKEFLAGS (jobserver, -n of the caller) must not leak in. */
    snprintf(cmd, sizeof cmd,
             "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL PATH='%s':\"$PATH\" "
             "make -n --no-print-directory %s BUILD='%s/build' %s 2>&1",
             dir, jobs, dir, goal);
    FILE *p = popen(cmd, "r");
    cr_assert(p != NULL);
    memset(o, 0, sizeof *o);
    char line[4096];
    size_t used = 0;
    for (int n = 1; fgets(line, sizeof line, p); n++) {
        if (!o->install && strstr(line, "install-deps.sh"))
            o->install = n;
        if (!o->asked && strstr(line, ASKED))
            o->asked = n;
        if (!o->compile && strstr(line, " -c -o "))
            o->compile = n;
        size_t len = strlen(line);
        if (used + len < sizeof o->log) {
            memcpy(o->log + used, line, len + 1);
            used += len;
        }
    }
    pclose(p);
    char rm[600];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(dir);
}

static void assert_installs_first(const char *goal, const char *jobs)
{
    struct order o;
    dry_run(goal, jobs, &o);
    cr_assert(o.install > 0, "make -n %s %s: no install line\n%s", jobs, goal, o.log);
    cr_assert(o.compile > 0, "make -n %s %s: nothing compiled\n%s", jobs, goal, o.log);
    cr_assert(o.install < o.compile, "make %s %s compiles (line %d) before it installs (line %d)\n%s",
              jobs, goal, o.compile, o.install, o.log);
    cr_assert(o.asked == 0 || o.install < o.asked,
              "make %s %s asks pkg-config (line %d) before it installs (line %d)\n%s", jobs, goal,
              o.asked, o.install, o.log);
}

Test(build_order, demo_installs_before_it_compiles)
{
    assert_installs_first("demo", "");
}

Test(build_order, check_installs_before_it_compiles)
{
    assert_installs_first("check", "");
}

Test(build_order, parallel_make_keeps_the_order)
{
    assert_installs_first("demo", "-j2");
    assert_installs_first("check", "-j2");
}
