/* Tests of the option-table parser (cli/options.h): every option type,
 * the error messages and suggestions, positional arguments and --help. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "util/log.h"

struct t_opts {
    int yes, no_stream, limit;
    double rate, alpha;
    const char *store, *format;
    struct strv suites, tags;
    int shard_i, shard_n;
    uint64_t seed;
};

static int t_shard(void *opts, const char *v, struct bai_error *err)
{
    struct t_opts *o = opts;
    if (sscanf(v, "%d/%d", &o->shard_i, &o->shard_n) != 2 || o->shard_i < 1 || o->shard_i > o->shard_n) {
        bai_error_set(err, BAI_EXIT_USAGE, "expected I/N with 1 <= I <= N, got '%s'", v);
        return -1;
    }
    return 0;
}

static const struct cli_option t_options[] = {
    CLI_OPT_FLAG('y', "yes", struct t_opts, yes, "do not ask"),
    CLI_OPT_SET(0, "no-stream", struct t_opts, no_stream, 0, "do not stream"),
    CLI_OPT_INT('n', "limit", struct t_opts, limit, "N", 1, 1000, "first N items"),
    CLI_OPT_GROUP("Measurement"),
    CLI_OPT_DOUBLE(0, "rate", struct t_opts, rate, "R", 0, INFINITY, "requests per second",
                   .flags = CLI_ABOVE_MIN),
    CLI_OPT_DOUBLE(0, "alpha", struct t_opts, alpha, "A", 0, 0.5, "significance level",
                   .flags = CLI_ABOVE_MIN),
    CLI_OPT_STORE(struct t_opts, store),
    CLI_OPT_FORMAT(struct t_opts, format, cli_formats_md_csv_json, "output format"),
    CLI_OPT_SUITES(struct t_opts, suites, "suite name; repeat or\ncomma-separate"),
    CLI_OPT_LIST(0, "tag", struct t_opts, tags, "TAG", "a tag", .flags = CLI_WHOLE),
    CLI_OPT_CALLBACK(0, "shard", "I/N", t_shard, "shard I of N"),
    CLI_OPT_U64(0, "seed", struct t_opts, seed, "N", "bootstrap seed"),
    CLI_OPT_STRING(0, "secret", struct t_opts, store, "X", "not shown", .flags = CLI_HIDDEN),
    CLI_OPT_END(),
};

static const struct cli_command t_cli = {
    .name = "demo", .summary = "a test command", .usage = "RUN [--yes]\nlist",
    .description = "Does nothing.\n", .footer = "Exit status: 0.\n", .options = t_options,
    .args = "RUN", .min_args = 1, .max_args = 1,
};

static struct t_opts o;
static struct bai_error err;

static void reset(void)
{
    memset(&o, 0, sizeof o);
    o.no_stream = 1;
    o.format = "md";
    memset(&err, 0, sizeof err);
}

static void done(void)
{
    cli_free(&t_cli, &o);
    log_set_level(LOG_INFO);
}

TestSuite(cli_options, .init = reset, .fini = done);

#define PARSE(...)                                                                   \
    ({                                                                               \
        char *argv_[] = { "demo", __VA_ARGS__, NULL };                               \
        int argc_ = (int)(sizeof argv_ / sizeof argv_[0]) - 1;                       \
        char **av_ = argv_;                                                          \
        int rc_ = cli_parse(&t_cli, &o, &argc_, &av_, &err);                         \
        if (rc_ == 0) {                                                              \
            cr_assert_eq(argc_, 1);                                                  \
            cr_assert_str_eq(av_[0], "r1");                                          \
            cr_assert_null(av_[1]);                                                  \
        }                                                                            \
        rc_;                                                                         \
    })

Test(cli_options, every_type_long_and_short)
{
    cr_assert_eq(PARSE("--yes", "--no-stream", "--limit", "7", "--rate=2.5", "--alpha", "0.5",
                       "--store", "s.db", "-o", "json", "--suite", "a, b", "--suites=c", "--tag", "x,y",
                       "--shard", "2/3", "--seed", "18446744073709551615", "r1"), 0, "%s", err.msg);
    cr_assert_eq(o.seed, UINT64_MAX);
    cr_assert_eq(o.yes, 1);
    cr_assert_eq(o.no_stream, 0);
    cr_assert_eq(o.limit, 7);
    cr_assert_float_eq(o.rate, 2.5, 1e-12);
    cr_assert_float_eq(o.alpha, 0.5, 1e-12);
    cr_assert_str_eq(o.store, "s.db");
    cr_assert_str_eq(o.format, "json");
    cr_assert_eq(o.suites.n, 3);
    cr_assert_str_eq(o.suites.v[0], "a");
    cr_assert_str_eq(o.suites.v[1], "b");
    cr_assert_str_eq(o.suites.v[2], "c");
    cr_assert_eq(o.tags.n, 1, "a CLI_WHOLE list keeps commas");
    cr_assert_str_eq(o.tags.v[0], "x,y");
    cr_assert_eq(o.shard_i, 2);
    cr_assert_eq(o.shard_n, 3);
}

Test(cli_options, bundled_and_attached_short_flags)
{
    cr_assert_eq(PARSE("-yqn3", "r1"), 0, "%s", err.msg);
    cr_assert_eq(o.yes, 1);
    cr_assert_eq(o.limit, 3);
    cr_assert_eq(log_get_level(), LOG_QUIET);
    cr_assert_eq(PARSE("r1", "-ocsv", "-v"), 0, "%s", err.msg);
    cr_assert_str_eq(o.format, "csv");
    cr_assert_eq(log_get_level(), LOG_DEBUG);
}

Test(cli_options, positional_anywhere_and_double_dash)
{
    cr_assert_eq(PARSE("--yes", "r1", "--limit", "2"), 0, "%s", err.msg);
    char *argv[] = { "demo", "--", "-r", NULL }, **av = argv;
    int argc = 3;
    cr_assert_eq(cli_parse(&t_cli, &o, &argc, &av, &err), 0, "%s", err.msg);
    cr_assert_eq(argc, 1);
    cr_assert_str_eq(av[0], "-r", "after -- everything is an argument");
    char *dash[] = { "demo", "-", NULL };
    av = dash;
    argc = 2;
    cr_assert_eq(cli_parse(&t_cli, &o, &argc, &av, &err), 0, "a lone '-' is an argument: %s", err.msg);
}

Test(cli_options, unknown_long_suggests_the_closest)
{
    cr_assert_eq(PARSE("--stroe", "x", "r1"), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert_str_eq(err.msg, "unknown option '--stroe'; did you mean '--store'?");
    cr_assert_eq(PARSE("--limt=3", "r1"), -1);
    cr_assert_str_eq(err.msg, "unknown option '--limt'; did you mean '--limit'?");
    cr_assert_eq(PARSE("--suit", "a", "r1"), -1);
    cr_assert_str_eq(err.msg, "unknown option '--suit'; did you mean '--suite'?");
    cr_assert_eq(PARSE("--sutes", "a", "r1"), -1);
    cr_assert_str_eq(err.msg, "unknown option '--sutes'; did you mean '--suites'?", "aliases are suggested");
    cr_assert_eq(PARSE("--frobnicate", "r1"), -1);
    cr_assert_str_eq(err.msg, "unknown option '--frobnicate' (see benchai demo --help)");
    cr_assert_eq(PARSE("--secre", "r1"), -1);
    cr_assert(!strstr(err.msg, "secret"), "hidden options are not suggested: %s", err.msg);
}

Test(cli_options, unknown_short_and_one_dash_long)
{
    cr_assert_eq(PARSE("-x", "r1"), -1);
    cr_assert_str_eq(err.msg, "unknown option '-x' (see benchai demo --help)");
    cr_assert_eq(PARSE("-stor", "a", "r1"), -1);
    cr_assert_str_eq(err.msg, "unknown option '-stor'; did you mean '--store'?");
}

Test(cli_options, values_name_the_flag_and_what_it_wants)
{
    cr_assert_eq(PARSE("--limit", "0", "r1"), -1);
    cr_assert_str_eq(err.msg, "--limit wants an integer from 1 to 1000, got '0'");
    cr_assert_eq(PARSE("-n", "12x", "r1"), -1);
    cr_assert_str_eq(err.msg, "-n wants an integer from 1 to 1000, got '12x'");
    cr_assert_eq(PARSE("--rate", "0", "r1"), -1);
    cr_assert_str_eq(err.msg, "--rate wants a number > 0, got '0'");
    cr_assert_eq(PARSE("--alpha", "0.6", "r1"), -1);
    cr_assert_str_eq(err.msg, "--alpha wants a number > 0 and <= 0.5, got '0.6'");
    cr_assert_eq(PARSE("-o", "jsn", "r1"), -1);
    cr_assert_str_eq(err.msg, "-o wants one of md, csv, json, got 'jsn' (did you mean 'json'?)");
    cr_assert_eq(PARSE("--output=xml", "r1"), -1);
    cr_assert_str_eq(err.msg, "--output wants one of md, csv, json, got 'xml'");
    cr_assert_eq(PARSE("--shard", "4/3", "r1"), -1);
    cr_assert_str_eq(err.msg, "--shard: expected I/N with 1 <= I <= N, got '4/3'");
    cr_assert_eq(PARSE("--seed", "-1", "r1"), -1);
    cr_assert_str_eq(err.msg, "--seed wants a non-negative integer, got '-1'");
    cr_assert_eq(PARSE("r1", "--store"), -1);
    cr_assert_str_eq(err.msg, "--store needs a value (PATH)");
    cr_assert_eq(PARSE("--yes=1", "r1"), -1);
    cr_assert_str_eq(err.msg, "--yes takes no value");
}

Test(cli_options, positional_counts)
{
    char *none[] = { "demo", "--yes", NULL }, **av = none;
    int argc = 2;
    cr_assert_eq(cli_parse(&t_cli, &o, &argc, &av, &err), -1);
    cr_assert_str_eq(err.msg, "missing RUN (see benchai demo --help)");
    char *two[] = { "demo", "a", "b", NULL };
    av = two;
    argc = 3;
    cr_assert_eq(cli_parse(&t_cli, &o, &argc, &av, &err), -1);
    cr_assert_str_eq(err.msg, "unexpected argument 'b' (expected RUN)");
}

Test(cli_options, errors_free_collected_lists)
{
    /* under ASan a leak here fails the test binary */
    cr_assert_eq(PARSE("--suite", "a,b", "--limit", "x", "r1"), -1);
    cr_assert_eq(o.suites.n, 0);
    cr_assert_null(o.suites.v);
}

Test(cli_options, help_stops_parsing)
{
    cr_assert_eq(PARSE("--suite", "a", "--help", "--bogus"), CLI_HELP);
    cr_assert_eq(o.suites.n, 0, "lists are freed on help too");
    cr_assert_eq(PARSE("-yh"), CLI_HELP);
    char *argv[] = { "demo", "f1", "-h", "x", NULL }, **av = argv;
    int argc = 4;
    cr_assert_eq(cli_parse(&t_cli, &o, &argc, &av, &err), CLI_HELP);
    cr_assert_eq(argc, 1, "the arguments before -h are kept");
    cr_assert_str_eq(av[0], "f1");
}

Test(cli_options, required_flags)
{
    static const struct cli_option req[] = {
        CLI_OPT_STRING(0, "out", struct t_opts, store, "DIR", "output directory", .flags = CLI_REQUIRED),
        CLI_OPT_END(),
    };
    static const struct cli_command rc = { .name = "req", .options = req, .max_args = -1 };
    char *argv[] = { "req", "x", NULL }, **av = argv;
    int argc = 2;
    cr_assert_eq(cli_parse(&rc, &o, &argc, &av, &err), -1);
    cr_assert_str_eq(err.msg, "--out DIR is required (see benchai req --help)");
}

Test(cli_options, stop_at_first_argument)
{
    static const struct cli_command top = { .name = "", .options = t_options, .max_args = -1,
                                            .flags = CLI_CMD_STOP };
    char *argv[] = { "benchai", "-y", "run", "--bogus", "-y", NULL }, **av = argv;
    int argc = 5;
    cr_assert_eq(cli_parse(&top, &o, &argc, &av, &err), 0, "%s", err.msg);
    cr_assert_eq(argc, 3);
    cr_assert_str_eq(av[0], "run");
    cr_assert_str_eq(av[1], "--bogus");
    cr_assert_str_eq(av[2], "-y");
}

/* The array is permuted, not overwritten: parsing it again gives the same
 * result (callers may keep and reuse it). */
Test(cli_options, argv_parses_the_same_twice)
{
    char *argv[] = { "demo", "r1", "--store", "s.db", "--", "-x", NULL }, **av = argv;
    static const struct cli_command two = { .name = "two", .options = t_options, .min_args = 2, .max_args = 2 };
    int argc = 6;
    cr_assert_eq(cli_parse(&two, &o, &argc, &av, &err), 0, "%s", err.msg);
    cr_assert_eq(argc, 2);
    cr_assert_str_eq(av[0], "r1");
    cr_assert_str_eq(av[1], "-x");
    const char *want[] = { "demo", "--store", "s.db", "--", "r1", "-x" };
    for (int i = 0; i < 6; i++)
        cr_assert_str_eq(argv[i], want[i]);
    o.store = NULL;
    av = argv;
    argc = 6;
    cr_assert_eq(cli_parse(&two, &o, &argc, &av, &err), 0, "%s", err.msg);
    cr_assert_eq(argc, 2);
    cr_assert_str_eq(av[1], "-x");
    cr_assert_str_eq(o.store, "s.db");
}

Test(cli_options, help_text_from_the_table)
{
    struct buf b = { 0 };
    cli_help(&t_cli, &b);
    const char *want =
        "usage: benchai demo RUN [--yes]\n"
        "   or: benchai demo list\n"
        "\n"
        "Does nothing.\n"
        "\n"
        "Options:\n"
        "  -y, --yes                 do not ask\n"
        "      --no-stream           do not stream\n"
        "  -n, --limit N             first N items\n"
        "\n"
        "Measurement:\n"
        "      --rate R              requests per second\n"
        "      --alpha A             significance level\n"
        "      --store PATH          " CLI_STORE_HELP "\n"
        "  -o, --output md|csv|json  output format\n"
        "      --suite, --suites SUITE\n"
        "                            suite name; repeat or\n"
        "                            comma-separate\n"
        "      --tag TAG             a tag\n"
        "      --shard I/N           shard I of N\n"
        "      --seed N              bootstrap seed\n"
        "\n"
        "Common options:\n"
        "  -h, --help                this text\n"
        "  -q, --quiet               only warnings and errors on stderr\n"
        "  -v, --verbose             debug messages on stderr\n"
        "\n"
        "Exit status: 0.\n";
    cr_assert_str_eq(b.data, want);
    buf_free(&b);
}

Test(cli_options, default_synopsis)
{
    static const struct cli_command plain = { .name = "plain", .args = "FILE..." };
    struct buf b = { 0 };
    cli_help(&plain, &b);
    cr_assert(!strncmp(b.data, "usage: benchai plain [options] FILE...\n", 39), "%s", b.data);
    buf_free(&b);
}

Test(cli_options, strv_splits_and_trims)
{
    struct strv l = { 0 };
    strv_add_csv(&l, " a ,,b,");
    strv_push(&l, "c, d");
    cr_assert_eq(l.n, 3);
    cr_assert_str_eq(l.v[0], "a");
    cr_assert_str_eq(l.v[1], "b");
    cr_assert_str_eq(l.v[2], "c, d");
    strv_free(&l);
    cr_assert_eq(l.n, 0);
}
