/* ifeval.h - instruction-following checks (internal to score/).
 *
 * Owns: the table of check types (the 25 IFEval instruction ids with their
 * reference kwargs, and benchai's own checks), the text primitives they
 * share (word, sentence and paragraph counts, language detection), and evaluation
 * of one response against a list of checks in strict and loose form.
 * Does not own: the scorer glue (ifeval.c) or aggregation (cmd/score.c).
 */
#ifndef BAI_SCORE_IFEVAL_H
#define BAI_SCORE_IFEVAL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "util/error.h"
#include "util/mem.h"

/* What a check sees: one response variant (NUL-terminated, len bytes),
 * its kwargs, and a lazily built lower-case copy shared by the checks. */
struct ifeval_text {
    const char *s;
    size_t n;
    struct buf lower;       /* str.lower() of s, built on first use */
    int have_lower;
};
const struct buf *ifeval_lower(struct ifeval_text *t);

/* A check returns 1 followed, 0 not followed, -1 bad kwargs (why in msg). */
typedef int (*ifeval_check_fn)(struct ifeval_text *t, const cJSON *kw, char *msg, size_t msg_size);

struct ifeval_type {
    const char *name;
    ifeval_check_fn fn;
    /* required kwargs, space separated "kind:name"; kind i=integer,
     * s=string, l=list of strings, r=relation ("less than"/"at least");
     * a leading '?' marks an optional one */
    const char *kwargs;
};

/* Finds a check type (IFEval instruction id or benchai name); NULL if none. */
const struct ifeval_type *ifeval_find(const char *name);
/* "a, b, c" of every known type, for error messages. */
const char *ifeval_known_types(void);
/* Checks a check's kwargs against its spec; 0 ok, else -1 with msg. */
int ifeval_validate_kwargs(const struct ifeval_type *t, const cJSON *kw, char *msg, size_t msg_size);

/* detectable_content:postscript (ifeval_checks.c); benchai's own
 * postscript check (ifeval_own.c) calls it with its marker. */
int ifeval_check_postscript(struct ifeval_text *t, const cJSON *kw, char *msg, size_t msz);

/* The two tables (ifeval_checks.c, ifeval_own.c). */
extern const struct ifeval_type ifeval_reference_types[];
extern const size_t ifeval_reference_count;
extern const struct ifeval_type ifeval_own_types[];
extern const size_t ifeval_own_count;

/* ---- kwarg access (ifeval_text.c) ---------------------------------------- */
/* Integer kwarg; 0 and *ok = 0 when absent or null. */
long ifeval_kw_int(const cJSON *kw, const char *key, int *ok);
const char *ifeval_kw_str(const cJSON *kw, const char *key);
/* relation: 0 "less than", 1 "at least", -1 otherwise. */
int ifeval_kw_relation(const cJSON *kw, const char *key);
/* relation test as the reference does it. */
int ifeval_compare(long actual, int relation, long threshold);

/* ---- primitives (ifeval_text.c) ------------------------------------------ */
/* nltk RegexpTokenizer(r"\w+") token count: runs of Python \w. Exact. */
size_t ifeval_count_words(const char *s, size_t n);
/* len(punkt English tokenizer .tokenize(s)): nltk 3.8's algorithm with the
 * English model (ifeval_punkt.c). */
size_t ifeval_count_sentences(const char *s, size_t n);
/* Approximation of nltk word_tokenize + str.isupper(): words in capitals. */
size_t ifeval_count_capital_words(const char *s, size_t n);
/* re.findall(r"\[.*?\]") count. */
size_t ifeval_count_placeholders(const char *s, size_t n);
/* HighlightSectionChecker's count (single and double asterisk spans). */
size_t ifeval_count_highlights(const char *s, size_t n);
/* BulletListChecker's count (^\s*\*[^\*].*$ plus ^\s*-.*$, multi-line). */
size_t ifeval_count_bullets(const char *s, size_t n);
/* TitleChecker: a non-blank <<title>>. */
int ifeval_has_title(const char *s, size_t n);
/* JsonFormat: after stripping ``` fences the way the reference does,
 * whether Python's json.loads accepts the rest (json_py.h). */
int ifeval_is_json(const char *s, size_t n);
/* Case-insensitive search of a keyword. whole_word 0 and 1 are the
 * reference's: the keyword is a Python pattern (re.IGNORECASE), searched
 * as is (0) or as r"\b" + keyword + r"\b" (1), with Python's meaning
 * (pyre.h); 2 is benchai's: a literal with no adjacent word character.
 * Returns the match count (count_all) or 0/1. -1 on a bad pattern. */
long ifeval_keyword(struct ifeval_text *t, const char *kw, int whole_word, int count_all);

/* ---- language (ifeval_lang.c) ---------------------------------------------- */
/* langdetect.detect(s) with DetectorFactory.seed = 0, reproduced from
 * langdetect's own profiles read at run time (Debian's python3-langdetect;
 * BENCHAI_LANGDETECT_DIR overrides where). Returns 1 and the language code
 * ("unknown" when no language passes 0.1), 0 when langdetect raises "No
 * features in text" (the reference then counts the check as followed),
 * -1 with err when the profiles are not installed. Thread-safe. */
int ifeval_langdetect(const char *s, size_t n, char code[8], struct bai_error *err);

#endif
