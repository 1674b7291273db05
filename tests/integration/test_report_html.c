/* test_report_html.c - `benchai report` end to end on a store built through
 * the store API (tests/unit/test_report_fixture.h): the page is written,
 * self-contained (no scripts, no external URLs), outputs are escaped, and
 * headless Chromium renders it (screenshot, no console errors). Skips the
 * browser part when chromium is not installed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report/html.h"
#include "store/store.h"
#include "util/fs.h"
#include "../unit/test_report_fixture.h"

static const char *find_chromium(void)
{
    static const char *const cands[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser",
                                         "/usr/bin/google-chrome", NULL };
    const char *env = getenv("BENCHAI_CHROMIUM");     /* a path, or "none" */
    if (env && *env)
        return strcmp(env, "none") && access(env, X_OK) == 0 ? env : NULL;
    for (int i = 0; cands[i]; i++)
        if (access(cands[i], X_OK) == 0)
            return cands[i];
    return NULL;
}

/* Runs argv with stdout+stderr into log_path; kills it after timeout_s.
 * Returns the exit status, or -1 on timeout / failure to start. */
static int run_logged(char *const argv[], const char *log_path, int timeout_s)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        setpgid(0, 0);   /* chromium forks helpers: kill the whole group on timeout */
        execv(argv[0], argv);
        _exit(127);
    }
    for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 50) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* PNG width and height from the IHDR chunk. */
static int png_size(const char *path, unsigned *w, unsigned *h)
{
    unsigned char hdr[24];
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(hdr, 1, sizeof hdr, f);
    fclose(f);
    if (n != sizeof hdr || memcmp(hdr, "\x89PNG", 4) || memcmp(hdr + 12, "IHDR", 4))
        return -1;
    *w = (unsigned)hdr[16] << 24 | (unsigned)hdr[17] << 16 | (unsigned)hdr[18] << 8 | hdr[19];
    *h = (unsigned)hdr[20] << 24 | (unsigned)hdr[21] << 16 | (unsigned)hdr[22] << 8 | hdr[23];
    return 0;
}

static struct fixture fx;

static void fini(void)
{
    if (!getenv("BENCHAI_KEEP_REPORT"))
        fixture_fini(&fx);
}

Test(report_html, renders_self_contained_page, .fini = fini, .timeout = 180)
{
    cr_assert_eq(fixture_build(&fx), 0);
    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(fx.db_path, &err);
    cr_assert_not_null(st, "%s", err.msg);
    char *out = xasprintf("%s/report", fx.dir);
    const char *runs[] = { fx.run_a, fx.run_b };
    int missing = -1;
    struct report_html_opts o = { .compare_resamples = 2000 };
    cr_assert_eq(report_html_write(st, runs, 2, out, &o, &missing, &err), 0, "%s", err.msg);
    store_close(st);

    char *index = xasprintf("%s/index.html", out);
    char *html = fs_read_file(index, NULL, &err);
    cr_assert_not_null(html, "%s", err.msg);
    /* every section is there */
    const char *want[] = { "id=\"runs\"", "id=\"scores\"", "id=\"pareto\"", "id=\"sweeps\"",
                           "id=\"compare\"", "id=\"failed\"", "fixture run A", "Test CPU, 4 cores",
                           "tiny-moe experts=2", "72.7 (8/11)" };   /* g11 failed: a failure */
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert(strstr(html, want[i]), "missing %s", want[i]);
    /* the model output holding HTML is escaped, the error text too */
    cr_assert(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"));
    cr_assert(strstr(html, "HTTP 500 &lt;server error&gt;"));
    /* self-contained: no scripts, no external resources (the SVG namespace
     * URIs are names, not fetches) */
    cr_assert_null(strcasestr(html, "<script"));
    cr_assert_null(strstr(html, "src=\""));
    cr_assert_null(strstr(html, "href=\"http"));
    cr_assert_null(strstr(html, "@import"));
    if (missing == 0)
        cr_assert(strstr(html, "<svg"), "gnuplot present but no inline SVG");

    const char *chromium = find_chromium();
    if (!chromium) {
        free(html);
        free(index);
        free(out);
        cr_skip("chromium not installed (apt-get install chromium): page checked, not rendered");
    }
    char *shot = xasprintf("%s/screenshot.png", out);
    char *shot_arg = xasprintf("--screenshot=%s", shot);
    char *profile = xasprintf("--user-data-dir=%s/chromium-profile", fx.dir);
    char *url = xasprintf("file://%s", index);
    char *log = xasprintf("%s/chromium.log", out);
    char *const argv[] = { (char *)chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-quic", "--no-first-run", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", profile, shot_arg,
                           "--window-size=1280,2000", "--enable-logging=stderr", "--v=0", url, NULL };
    int rc = run_logged(argv, log, 120);
    char *logtext = fs_read_file(log, NULL, &err);
    cr_assert_eq(rc, 0, "chromium failed (%d): %s", rc, logtext ? logtext : "");
    unsigned w = 0, h = 0;
    cr_assert_eq(png_size(shot, &w, &h), 0, "no screenshot at %s", shot);
    cr_assert_eq(w, 1280);
    cr_assert_eq(h, 2000);
    /* page-level problems Chromium logs: console errors and failed loads */
    if (logtext) {
        cr_assert_null(strstr(logtext, ":CONSOLE"), "console output: %s", logtext);
        cr_assert_null(strstr(logtext, "Uncaught"), "%s", logtext);
        cr_assert_null(strstr(logtext, "Failed to load resource"), "%s", logtext);
    }
    free(logtext);
    free(log);
    free(url);
    free(profile);
    free(shot_arg);
    free(shot);
    free(html);
    free(index);
    free(out);
}
