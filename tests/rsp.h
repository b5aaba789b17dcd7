/* SPDX-License-Identifier: MIT */
/* rsp.h - reader for NIST CAVS response files (.rsp): "[SECTION]" headers,
 * "KEY = VALUE" lines, comments and blank lines. Test code only. */
#ifndef D20_RSP_H
#define D20_RSP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
	FILE *f;
	char *line;		/* getline's buffer */
	size_t cap;
	long lineno;
} rsp_file;

/* Open path; returns 0 or -1 (errno set). */
int rsp_open(rsp_file *r, const char *path);

/* Next meaningful line. For "[X]" sets *key to "[" and *value to "X";
 * for "KEY = VALUE" (leading tabs, "**" markers and trailing space
 * ignored) sets both; a "KEY" with no "=" gets value "". Returns 1, or
 * 0 at end of file. The strings live until the next call. */
int rsp_next(rsp_file *r, const char **key, const char **value);

void rsp_close(rsp_file *r);

/* The path of rel in Debian's python3-cryptography-vectors, or below
 * $D20_CAVS when it is set, in buf[n]. Returns buf. */
const char *rsp_cavs(char *buf, size_t n, const char *rel);

/* Decode hex value into a new malloc'd buffer; *len gets its length.
 * Returns NULL on bad hex (an empty value gives a 1-byte buffer, len 0). */
uint8_t *rsp_hex(const char *value, size_t *len);

#endif
