/* plan_int.h - helpers shared by plan.c (axes, expansion, checks) and
 * plan_yaml.c (YAML loading). Not part of the plan module's interface. */
#ifndef BAI_PLAN_INT_H
#define BAI_PLAN_INT_H

#include "plan/plan.h"

/* Checks one value against its axis (integer range, on/off/auto, non-empty);
 * where prefixes the error. */
int plan_axis_validate(int id, const char *value, const char *where, struct bai_error *err);

/* Appends a copy of s to a string array. */
void plan_strv_push(char ***v, size_t *n, const char *s);
void plan_strv_free(char **v, size_t n);

/* A new empty plan with the defaults (reps 1, warmup 1, concurrency 0). */
struct plan *plan_new(void);
/* Frees what a point owns (not the point). */
void plan_point_free(struct plan_point *pt);

/* Adds an entry (taking ownership of m's pointers); returns the stored one. */
struct plan_model *plan_registry_add(struct plan_registry *reg, const struct plan_model *m);

#endif
