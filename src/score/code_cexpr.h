/* code_cexpr.h - C/C++ asserts judged by benchai (code_cexpr.c): each
 * assert's expression is split into the parts only the program can compute
 * (its calls and variables: "leaves") and the rest, which benchai evaluates
 * itself on the values the program reports, so the expected values never
 * enter the program. Owns: the expression parser, the generated driver that
 * reports leaf values on fd 3, and the evaluation. Does not own: running
 * the program (score/code.c, sandbox/).
 */
#ifndef BAI_SCORE_CODE_CEXPR_H
#define BAI_SCORE_CODE_CEXPR_H

#include <stddef.h>
#include "util/error.h"

struct code_casserts;

/* Parses every assert (an `assert(...)` wrapper is removed); NULL and err
 * (naming the assert) when one is not an expression benchai can split:
 * assignments, unbalanced brackets, characters C has no token for. */
struct code_casserts *code_casserts_parse(const char *const *asserts, size_t n, int cpp,
                                          struct bai_error *err);
void code_casserts_free(struct code_casserts *ca);
size_t code_casserts_count(const struct code_casserts *ca);
const char *code_casserts_source(const struct code_casserts *ca, size_t i);

/* The text appended to the program: a main that evaluates each assert's
 * leaves in a forked child and writes "V <assert> <leaf> <type> <value>"
 * and "X <assert> <how the child ended>" lines on fd 3. tag keeps its names
 * apart from the program's (random per sample). Allocated. */
char *code_casserts_driver(const struct code_casserts *ca, const char *tag);

/* Evaluates assert i on the values in report (what came on fd 3): 1 when
 * it holds. Otherwise 0 with *error (and for a failed `a == b`, *expected
 * and *actual) allocated; the caller frees all three. */
int code_casserts_judge(const struct code_casserts *ca, size_t i, const char *report,
                        char **expected, char **actual, char **error);

#endif
