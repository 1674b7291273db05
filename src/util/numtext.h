/* numtext.h - the one decimal-number syntax: what a YAML plain scalar must
 * look like to be a float (suite/tree.c) and what a CSV cell must look like
 * to be left as a number (report/format.c). Owns only the syntax; parsing
 * the value is strtod's. */
#ifndef BAI_NUMTEXT_H
#define BAI_NUMTEXT_H

/* 1 when s is [+-]?(digits[.digits?] | .digits)([eE][+-]?digits)? with at
 * least one digit before the exponent, and nothing else; 0 otherwise. */
int numtext_is_decimal(const char *s);

#endif
