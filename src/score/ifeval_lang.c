/* ifeval_lang.c - langdetect 1.0.9's detect(), reproduced for IFEval's
 * language checks (ifeval.h, ifeval_langdetect).
 *
 * The algorithm follows langdetect's detector.py, detector_factory.py and
 * utils/ngram.py step for step, with Python's float arithmetic in the same
 * order and Python's random.Random (MT19937, random(), gauss(), choice())
 * seeded with 0, the value langdetect documents for reproducible results.
 * The data are langdetect's own, read at run time from the installed
 * package (Debian's python3-langdetect): the 55 n-gram profiles, in the
 * order the directory lists them (os.listdir, as load_profile reads
 * them), and utils/messages.properties (the CJK classes, Latin-1
 * exclusions and Vietnamese tables). Nothing of langdetect is copied here.
 */
#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "score/ifeval.h"
#include "score/pyre.h"
#include "score/text.h"
#include "score/unicode_py.h"

#pragma GCC optimize("fp-contract=off")

/* ---- the data ------------------------------------------------------------ */

#define MAX_LANGS 128

struct lprob {
    uint8_t lang;
    double p;
};

struct gram {
    uint64_t key;            /* the 1..3 code points, 21 bits each (0: free) */
    struct lprob *e;         /* the languages whose profile has the n-gram */
    size_t count, cap;
};

static struct {
    int loaded;              /* 1 ok, -1 failed (msg) */
    char msg[8192];
    char langs[MAX_LANGS][8];
    int n_langs;
    struct gram *grams;      /* open-addressing hash table */
    size_t cap;
    uint32_t cjk[0x5200];    /* U+4E00..U+9FFF -> representative (0: itself) */
    uint32_t latin1_excluded[16];
    int n_latin1_excluded;
    uint32_t vi_base[64];
    int n_vi_base;
    uint8_t vi_index[0x200];  /* base letter below U+0200 -> its first index + 1 */
    uint32_t vi_max;          /* the highest base letter */
    uint32_t vi_mark[8];
    int n_vi_mark;
    uint32_t vi_composed[8][64];
} ld;
static pthread_once_t ld_once = PTHREAD_ONCE_INIT;

/* An n-gram as one number: its code points, 21 bits each, first one
 * highest. No n-gram holds U+0000 (langdetect turns it into a space), so
 * grams of different lengths never share a number. */
static uint64_t pack(const uint32_t *g, int n)
{
    uint64_t k = 0;
    for (int i = 0; i < n; i++)
        k = (k << 21) | g[i];
    return k;
}

static struct gram *find_gram(uint64_t key, int create)
{
    if (!ld.cap || !key)
        return NULL;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (ld.cap - 1);
    for (;;) {
        struct gram *g = &ld.grams[i];
        if (!g->key) {
            if (!create)
                return NULL;
            g->key = key;
            return g;
        }
        if (g->key == key)
            return g;
        i = (i + 1) & (ld.cap - 1);
    }
}

/* the characters of a messages.properties value (\uXXXX escapes) */
static int decode_value(const char *v, uint32_t *out, int max)
{
    int n = 0;
    while (*v && *v != '\n' && *v != '\r') {
        uint32_t c;
        if (v[0] == '\\' && v[1] == 'u') {
            char h[5] = { v[2], v[3], v[4], v[5], 0 };
            c = (uint32_t)strtoul(h, NULL, 16);
            v += 6;
        } else {
            size_t adv;
            c = score_utf8_next(v, strlen(v), &adv);
            v += adv;
        }
        if (n < max)
            out[n] = c;
        n++;
    }
    return n;
}

static int load_messages(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t lcap = 0;
    uint32_t *tmp = xmalloc(4096 * sizeof *tmp);
    while (getline(&line, &lcap, f) > 0) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = 0;
        const char *key = line, *val = eq + 1;
        if (!strncmp(key, "NGram.KANJI_", 12)) {
            int n = decode_value(val, tmp, 4096);
            for (int i = 0; i < n && i < 4096; i++)
                if (tmp[i] >= 0x4E00 && tmp[i] <= 0x9FFF)
                    ld.cjk[tmp[i] - 0x4E00] = tmp[0];
        } else if (!strcmp(key, "NGram.LATIN1_EXCLUDE")) {
            ld.n_latin1_excluded = decode_value(val, ld.latin1_excluded, 16);
        } else if (!strcmp(key, "TO_NORMALIZE_VI_CHARS")) {
            ld.n_vi_base = decode_value(val, ld.vi_base, 64);
        } else if (!strcmp(key, "DMARK_CLASS")) {
            ld.n_vi_mark = decode_value(val, ld.vi_mark, 8);
        } else if (!strncmp(key, "NORMALIZED_VI_CHARS_", 20)) {
            static const char *const marks[] = { "0300", "0301", "0303", "0309", "0323" };
            for (int m = 0; m < 5; m++)
                if (!strcmp(key + 20, marks[m]))
                    decode_value(val, ld.vi_composed[m], 64);
        }
    }
    free(tmp);
    free(line);
    fclose(f);
    for (int k = 0; k < ld.n_vi_base && k < 64; k++)
        if (ld.vi_base[k] > ld.vi_max)
            ld.vi_max = ld.vi_base[k];
    for (int k = 0; k < ld.n_vi_base && k < 64; k++)
        if (ld.vi_base[k] < 0x200 && !ld.vi_index[ld.vi_base[k]])
            ld.vi_index[ld.vi_base[k]] = (uint8_t)(k + 1);
    return ld.n_latin1_excluded && ld.n_vi_base && ld.n_vi_mark ? 0 : -1;
}

static int add_profile(const char *path, int index)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, got);
    fclose(f);
    cJSON *j = cJSON_Parse(b.data ? b.data : "");
    buf_free(&b);
    const cJSON *freq = cJSON_GetObjectItemCaseSensitive(j, "freq");
    const cJSON *nw = cJSON_GetObjectItemCaseSensitive(j, "n_words");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    if (!cJSON_IsObject(freq) || !cJSON_IsArray(nw) || !cJSON_IsString(name)) {
        cJSON_Delete(j);
        return -1;
    }
    snprintf(ld.langs[index], sizeof ld.langs[index], "%s", name->valuestring);
    double n_words[3];
    for (int k = 0; k < 3; k++)
        n_words[k] = cJSON_GetNumberValue(cJSON_GetArrayItem(nw, k));
    const cJSON *e;
    cJSON_ArrayForEach(e, freq) {
        const char *key = e->string;
        size_t len = strlen(key), chars = 0;
        uint32_t cps[3];
        for (size_t i = 0; i < len;) {
            size_t adv;
            uint32_t c = score_utf8_next(key + i, len - i, &adv);
            if (chars < 3)
                cps[chars] = c;
            i += adv;
            chars++;
        }
        if (chars < 1 || chars > 3)
            continue;
        /* prob = 1.0 * freq / n_words[len - 1] */
        double p = (1.0 * e->valuedouble) / n_words[chars - 1];
        struct gram *g = find_gram(pack(cps, (int)chars), 1);
        if (!g)
            continue;
        XGROW(g->e, g->count + 1, g->cap);
        g->e[g->count].lang = (uint8_t)index;
        g->e[g->count].p = p;
        g->count++;
    }
    cJSON_Delete(j);
    return 0;
}

/* Where langdetect is installed: $BENCHAI_LANGDETECT_DIR, Debian's
 * python3-langdetect, or a pip install under /usr/local. */
static int find_package(char *dir, size_t size)
{
    const char *env = getenv("BENCHAI_LANGDETECT_DIR");
    struct stat st;
    char probe[4096];
    if (env && *env) {
        snprintf(dir, size, "%s", env);
        return 0;
    }
    static const char *const fixed[] = { "/usr/lib/python3/dist-packages/langdetect" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf(probe, sizeof probe, "%s/profiles", fixed[i]);
        if (!stat(probe, &st) && S_ISDIR(st.st_mode)) {
            snprintf(dir, size, "%s", fixed[i]);
            return 0;
        }
    }
    glob_t g;
    if (!glob("/usr/local/lib/python3*/*-packages/langdetect/profiles", 0, NULL, &g) && g.gl_pathc) {
        snprintf(dir, size, "%.*s", (int)(strlen(g.gl_pathv[0]) - strlen("/profiles")), g.gl_pathv[0]);
        globfree(&g);
        return 0;
    }
    globfree(&g);
    return -1;
}

static void load(void)
{
    char dir[2048], path[4096];
    ld.loaded = -1;
    if (find_package(dir, sizeof dir) < 0) {
        snprintf(ld.msg, sizeof ld.msg,
                 "language detection needs langdetect's profiles: install Debian's "
                 "python3-langdetect (scripts/install-deps.sh), or set BENCHAI_LANGDETECT_DIR "
                 "to a langdetect package directory");
        return;
    }
    snprintf(path, sizeof path, "%s/utils/messages.properties", dir);
    if (load_messages(path) < 0) {
        snprintf(ld.msg, sizeof ld.msg, "langdetect: cannot read %s", path);
        return;
    }
    snprintf(path, sizeof path, "%s/profiles", dir);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(ld.msg, sizeof ld.msg, "langdetect: cannot open %s", path);
        return;
    }
    ld.cap = 1u << 18;               /* 87,598 keys in langdetect 1.0.9 */
    ld.grams = xcalloc(ld.cap, sizeof *ld.grams);
    struct dirent *e;
    while ((e = readdir(d))) {       /* os.listdir's order */
        if (e->d_name[0] == '.')
            continue;
        char file[4096 + 256];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        struct stat st;
        if (stat(file, &st) || !S_ISREG(st.st_mode))
            continue;
        if (ld.n_langs >= MAX_LANGS || add_profile(file, ld.n_langs) < 0) {
            snprintf(ld.msg, sizeof ld.msg, "langdetect: profile format error in %s", file);
            closedir(d);
            return;
        }
        ld.n_langs++;
    }
    closedir(d);
    if (ld.n_langs < 2) {
        snprintf(ld.msg, sizeof ld.msg, "langdetect: no profiles in %s", path);
        return;
    }
    ld.loaded = 1;
}

/* ---- Python's random.Random ----------------------------------------------- */

struct mt {
    uint32_t s[624];
    int i;
    int have_gauss;
    double gauss_next;
};

static void mt_init(struct mt *m, uint32_t seed)
{
    m->s[0] = seed;
    for (int i = 1; i < 624; i++)
        m->s[i] = 1812433253u * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) + (uint32_t)i;
    m->i = 624;
}

/* random.seed(0): init_by_array with the key [0] */
static void mt_seed0(struct mt *m)
{
    uint32_t key[1] = { 0 };
    mt_init(m, 19650218u);
    int i = 1, j = 0;
    for (int k = 624; k; k--) {
        m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= 624) {
            m->s[0] = m->s[623];
            i = 1;
        }
        if (j >= 1)
            j = 0;
    }
    for (int k = 623; k; k--) {
        m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= 624) {
            m->s[0] = m->s[623];
            i = 1;
        }
    }
    m->s[0] = 0x80000000u;
    m->i = 624;
    m->have_gauss = 0;
}

static uint32_t mt_next(struct mt *m)
{
    if (m->i >= 624) {
        for (int k = 0; k < 624; k++) {
            uint32_t y = (m->s[k] & 0x80000000u) | (m->s[(k + 1) % 624] & 0x7fffffffu);
            m->s[k] = m->s[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        m->i = 0;
    }
    uint32_t y = m->s[m->i++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static double mt_random(struct mt *m)
{
    uint32_t a = mt_next(m) >> 5, b = mt_next(m) >> 6;
    return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

static double mt_gauss(struct mt *m)
{
    double z;
    if (m->have_gauss) {
        m->have_gauss = 0;
        z = m->gauss_next;
    } else {
        double x2pi = mt_random(m) * (2.0 * M_PI);
        double g2rad = sqrt(-2.0 * log(1.0 - mt_random(m)));
        z = cos(x2pi) * g2rad;
        m->gauss_next = sin(x2pi) * g2rad;
        m->have_gauss = 1;
    }
    return 0.0 + z * 1.0;
}

/* _randbelow_with_getrandbits(n), n >= 1 */
static uint32_t mt_below(struct mt *m, uint32_t n)
{
    int k = 0;
    for (uint32_t v = n; v; v >>= 1)
        k++;
    uint32_t r;
    do
        r = mt_next(m) >> (32 - k);
    while (r >= n);
    return r;
}

/* ---- the detector --------------------------------------------------------- */

static int in_list(const uint32_t *l, int n, uint32_t c)
{
    for (int i = 0; i < n; i++)
        if (l[i] == c)
            return 1;
    return 0;
}

/* NGram.normalize */
static uint32_t normalize(uint32_t c)
{
    if (c <= 0x7F)
        return (c < 'A' || (c > 'Z' && c < 'a') || c > 'z') ? ' ' : c;
    if (c <= 0xFF)
        return in_list(ld.latin1_excluded, ld.n_latin1_excluded, c) ? ' ' : c;
    if (c >= 0x180 && c <= 0x24F)
        return c == 0x219 ? 0x15F : c == 0x21B ? 0x163 : c;
    if (c >= 0x2000 && c <= 0x206F)
        return ' ';
    if (c >= 0x600 && c <= 0x6FF)
        return c == 0x6CC ? 0x64A : c;
    if (c >= 0x1E00 && c <= 0x1EFF)
        return c >= 0x1EA0 ? 0x1EC3 : c;
    if (c >= 0x3040 && c <= 0x309F)
        return 0x3042;
    if (c >= 0x30A0 && c <= 0x30FF)
        return 0x30A2;
    if ((c >= 0x3100 && c <= 0x312F) || (c >= 0x31A0 && c <= 0x31BF))
        return 0x3105;
    if (c >= 0x4E00 && c <= 0x9FFF)
        return ld.cjk[c - 0x4E00] ? ld.cjk[c - 0x4E00] : c;
    if (c >= 0xAC00 && c <= 0xD7AF)
        return 0xAC00;
    return c;
}

static int is_upper1(uint32_t c) { return (unicode_py_flags(c) & PY_UPPER) != 0; }

/* Detector.URL_RE and MAIL_RE, as Python patterns */
static struct score_pyre re_url = { "https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}", 0, NULL };
static struct score_pyre re_mail = {
    "[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}", 0, NULL };

/* re.sub(pattern, ' ', s) */
static void sub_space(const pcre2_code *re, const char *s, size_t n, struct buf *out)
{
    size_t at = 0, prev = 0, a, b;
    int pe = 0;
    while (score_pyre_next(re, s, n, &at, &pe, &a, &b)) {
        buf_append(out, s + prev, a - prev);
        buf_putc(out, ' ');
        prev = b;
    }
    buf_append(out, s + prev, n - prev);
}

int ifeval_langdetect(const char *s, size_t n, char code[8], struct bai_error *err)
{
    pthread_once(&ld_once, load);
    code[0] = 0;
    if (ld.loaded < 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s", ld.msg);
        return -1;
    }
    /* append(): URLs and mail addresses become spaces, Vietnamese letter +
     * combining mark pairs are composed, the first 10,000 characters are
     * kept with runs of spaces collapsed */
    struct buf a = {0}, b = {0};
    sub_space(score_pyre_get(&re_url), s, n, &a);
    sub_space(score_pyre_get(&re_mail), a.data ? a.data : "", a.len, &b);
    uint32_t *text = xmalloc(10001 * sizeof *text);
    size_t tn = 0, seen = 0;
    uint32_t pre = 0;
    for (size_t i = 0; i < b.len && seen < 10000;) {
        size_t adv;
        uint32_t c = score_utf8_next(b.data + i, b.len - i, &adv);
        i += adv;
        /* normalize_vi: a base letter followed by one of the marks */
        int bi = -1;
        if (c < 0x200) {
            bi = ld.vi_index[c] - 1;
        } else if (c <= ld.vi_max) {
            for (int k = 0; k < ld.n_vi_base && bi < 0; k++)   /* str.find: the first */
                if (ld.vi_base[k] == c)
                    bi = k;
        }
        if (bi >= 0 && i < b.len) {
            size_t adv2;
            uint32_t m = score_utf8_next(b.data + i, b.len - i, &adv2);
            for (int k = 0; k < ld.n_vi_mark; k++)
                if (ld.vi_mark[k] == m) {
                    c = ld.vi_composed[k][bi];
                    i += adv2;
                    break;
                }
        }
        seen++;
        if (c != ' ' || pre != ' ')
            text[tn++] = c;
        pre = c;
    }
    buf_free(&a);
    buf_free(&b);
    /* cleaning_text(): when non-Latin letters dominate, Latin ones go (the
     * reference's block test compares a number with a string, so every
     * character from U+0300 on counts as non-Latin) */
    size_t latin = 0, non_latin = 0;
    for (size_t i = 0; i < tn; i++) {
        if (text[i] >= 'A' && text[i] <= 'z')
            latin++;
        else if (text[i] >= 0x300)
            non_latin++;
    }
    if (latin * 2 < non_latin) {
        size_t w = 0;
        for (size_t i = 0; i < tn; i++)
            if (text[i] < 'A' || text[i] > 'z')
                text[w++] = text[i];
        tn = w;
    }
    /* _extract_ngrams() */
    struct gram **found = NULL;
    size_t nf = 0, fcap = 0;
    uint32_t g[4] = { ' ' };
    int gl = 1, capital = 0;
    for (size_t i = 0; i < tn; i++) {
        uint32_t ch = normalize(text[i]);
        uint32_t last = g[gl - 1];
        int skip = 0;
        if (last == ' ') {
            g[0] = ' ';
            gl = 1;
            capital = 0;
            if (ch == ' ')
                skip = 1;
        } else if (gl >= 3) {
            g[0] = g[1];
            g[1] = g[2];
            gl = 2;
        }
        if (!skip) {
            g[gl++] = ch;
            if (is_upper1(ch)) {
                if (is_upper1(last))
                    capital = 1;
            } else {
                capital = 0;
            }
        }
        if (capital)
            continue;
        for (int k = 1; k <= 3; k++) {
            if (gl < k)
                break;
            if (k == 1 && g[gl - 1] == ' ')
                continue;
            struct gram *gr = find_gram(pack(g + gl - k, k), 0);
            if (gr) {
                XGROW(found, nf + 1, fcap);
                found[nf++] = gr;
            }
        }
    }
    free(text);
    if (!nf) {
        free(found);
        return 0;                    /* LangDetectException: no features */
    }
    /* _detect_block() */
    int L = ld.n_langs;
    double langprob[MAX_LANGS] = {0}, prob[MAX_LANGS], add[MAX_LANGS];
    struct mt m;
    mt_seed0(&m);
    for (int t = 0; t < 7; t++) {
        for (int i = 0; i < L; i++)
            prob[i] = 1.0 / L;
        double alpha = 0.5 + mt_gauss(&m) * 0.05;
        for (int it = 0;; it++) {
            struct gram *gr = found[mt_below(&m, (uint32_t)nf)];
            double weight = alpha / 10000;
            for (int i = 0; i < L; i++)
                add[i] = 0.0;
            for (size_t e = 0; e < gr->count; e++)
                add[gr->e[e].lang] = gr->e[e].p;
            for (int i = 0; i < L; i++)
                prob[i] *= weight + add[i];
            if (it % 5 == 0) {
                double maxp = 0.0, sump = 0.0;
                for (int i = 0; i < L; i++)
                    sump += prob[i];
                for (int i = 0; i < L; i++) {
                    double p = prob[i] / sump;
                    if (maxp < p)
                        maxp = p;
                    prob[i] = p;
                }
                if (maxp > 0.99999 || it >= 1000)
                    break;
            }
        }
        for (int j = 0; j < L; j++)
            langprob[j] += prob[j] / 7;
    }
    free(found);
    /* _sort_probability(): above 0.1, highest first, ties in list order */
    int best = -1;
    for (int i = 0; i < L; i++)
        if (langprob[i] > 0.1 && (best < 0 || langprob[i] > langprob[best]))
            best = i;
    snprintf(code, 8, "%s", best < 0 ? "unknown" : ld.langs[best]);
    return 1;
}
