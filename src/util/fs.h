/* fs.h - whole-file reads, atomic writes and directory creation.
 * Owns nothing beyond the buffers it returns (caller frees). */
#ifndef BAI_FS_H
#define BAI_FS_H

#include <stddef.h>
#include "util/error.h"

/* Reads a whole file into a NUL-terminated buffer; *len_out may be NULL. */
char *fs_read_file(const char *path, size_t *len_out, struct bai_error *err);

/* Writes data to path via a temp file in the same directory, fsync and
 * rename, so readers see the old file or the new one, never half of one.
 * The temp file is created new (O_EXCL, so never through a planted link),
 * and a path that is a symbolic link is refused (fs_refuse_symlink). */
int fs_write_atomic(const char *path, const void *data, size_t len, struct bai_error *err);

/* -1 with err (BAI_EXIT_USAGE) when path is a symbolic link: benchai writes
 * its outputs (--out, --plot, -o FILE, --junit) only to files it makes, never
 * through a link someone else placed there (a shared results folder, /tmp).
 * 0 when path is anything else or does not exist. */
int fs_refuse_symlink(const char *path, struct bai_error *err);

/* Creates a new, empty temp file next to path ("path.tmp.XXXXXX" + suffix)
 * exclusively (mode 0644); returns its fd and *tmp_out (caller frees), or -1
 * with err. For files another program fills (gnuplot) before the rename. */
int fs_create_temp(const char *path, const char *suffix, char **tmp_out, struct bai_error *err);

/* mkdir -p; 0 on success (also when it exists). */
int fs_mkdirs(const char *path, int mode, struct bai_error *err);

/* 1 when path exists (any type), else 0. */
int fs_exists(const char *path);

/* Sorted "dir/name" paths of the entries of dir whose name ends in one of
 * the NULL-terminated suffixes (hidden entries skipped). A missing or
 * unreadable dir gives none. Caller frees each string and the array. */
char **fs_list_suffix(const char *dir, const char *const *suffixes, size_t *n);

/* The last n_lines lines of a text file (trailing line ends dropped), for
 * quoting a log in an error; a copy of `unreadable` when the file cannot be
 * read. Allocated. */
char *fs_tail_lines(const char *path, int n_lines, const char *unreadable);

/* Directory part of path, allocated ("." when there is none). */
char *fs_dirname(const char *path);

/* The executable a bare command name runs ($PATH searched as execvp
 * does), allocated, or NULL when none is found. */
char *fs_which(const char *name);

#endif
