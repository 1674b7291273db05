/* version.c - see version.h. BENCHAI_VERSION comes from the Makefile. */
#include "util/version.h"

#ifndef BENCHAI_VERSION
#define BENCHAI_VERSION "unknown"
#endif

const char bai_version[] = BENCHAI_VERSION;
