/* filehash.h - the SHA-256 of a file's content, computed once per file
 * version: a model of tens of GB takes minutes to hash, so the digest is
 * kept in ${XDG_CACHE_HOME:-~/.cache}/benchai/hashes/ under a key of the
 * file's path, device, inode, size and modification time (nanoseconds).
 * A file that changes in any of those is hashed again.
 *
 * Owns: the hashing loop and the cache files. Does not own what a digest
 * identifies (settings/identity.h). */
#ifndef BAI_FILEHASH_H
#define BAI_FILEHASH_H

#include "util/error.h"

/* Writes the hex digest of the file at path into hex. A cache that cannot
 * be read or written only costs hashing again. Returns 0, or -1 with err
 * naming the file. */
int filehash_sha256(const char *path, char hex[65], struct bai_error *err);

/* The cache file that would hold path's digest (for tests). Caller frees;
 * NULL when the file cannot be stat'ed. */
char *filehash_cache_path(const char *path);

#endif
