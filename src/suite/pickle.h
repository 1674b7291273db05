/* pickle.h - the one Python pickle shape benchai reads: a pickled str (or
 * bytes), as LiveCodeBench's releases store their private tests
 * (base64(zlib(pickle(json_text)))). A reader, not an unpickler: it knows
 * the opcodes that write one string (protocols 0-5: PROTO, FRAME, the
 * (SHORT_)BIN/UNICODE and BINBYTES families, the memo opcodes, STOP) and
 * refuses everything else by name and offset, so no pickle can make it
 * build objects or call anything.
 *
 * Owns: decoding. Does not own: base64 (util/base64.h), zlib, what the
 * string means (the importer parses it as JSON).
 */
#ifndef BAI_SUITE_PICKLE_H
#define BAI_SUITE_PICKLE_H

#include <stddef.h>

/* Reads the single string a pickle holds into *out (UTF-8, NUL-terminated,
 * allocated) and its length. 0, or -1 with why filled ("opcode 0x63
 * (GLOBAL) at byte 2: ..."). */
int suite_pickle_string(const unsigned char *p, size_t n, char **out, size_t *out_len, char *why,
                        size_t why_len);

#endif
