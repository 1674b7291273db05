/* params.h - the one place the reports read a configuration's launch
 * settings by axis name ("k", "experts", "np", "ngl", "draft", "spec_type",
 * ...). Today they come from configs.params_json; when the store keeps
 * every setting in another shape, only this file changes.
 * Owns: how a stored configuration's settings are looked up and compared.
 * Does not own: what a setting means to llama-server (backend/, plan/). */
#ifndef BAI_REPORT_PARAMS_H
#define BAI_REPORT_PARAMS_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* The settings of one configuration, parsed from its stored text (NULL or
 * malformed text gives an empty set). Never NULL; free with cJSON_Delete. */
cJSON *report_params_parse(const char *stored);

/* A numeric setting, NaN when the configuration does not set it. */
double report_param_num(const cJSON *params, const char *axis);
/* A word setting ("draft", "spec_type"), NULL when not set. Borrowed. */
const char *report_param_str(const cJSON *params, const char *axis);
/* 1 when the configuration sets axis at all. */
int report_param_has(const cJSON *params, const char *axis);
/* The value as text ("4", "draft-simple"), NULL when not set. Allocated. */
char *report_param_text(const cJSON *params, const char *axis);

/* 1 when a and b set the same values for every axis except those named
 * (bookkeeping such as the plan's sweep name is always ignored). */
int report_params_same_except(const cJSON *a, const cJSON *b, const char *const *except, size_t n_except);

/* Iterates the settings in stored order: *name and *value (as text,
 * allocated) for index i; 0 past the end. Bookkeeping keys are skipped. */
int report_param_at(const cJSON *params, size_t i, const char **name, char **value);

#endif
