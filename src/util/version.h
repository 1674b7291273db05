/* version.h - the version string benchai reports and stores with every run.
 * It lives in one object (version.c) that the Makefile rebuilds whenever
 * `git describe` changes, so no other file depends on it at compile time. */
#ifndef BAI_VERSION_H
#define BAI_VERSION_H

extern const char bai_version[];

#endif
