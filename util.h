/* util.h - small helpers shared by d20 and d20d: hex, wiping, constant-time
 * comparison, full reads and writes. Nothing here allocates, prints or exits. */
#ifndef D20_UTIL_H
#define D20_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Write 2*len lower-case hex digits and a NUL to out[2*len+1]. */
void hex_encode(char *out, const uint8_t *in, size_t len);

/* The value of one hex digit (either case), or -1. */
int hex_digit(int c);

/* Decode exactly hexlen hex digits (either case) into out[outmax].
 * Returns the number of bytes written, or -1 on an odd length, a
 * non-hex digit or an output that would not fit. */
long hex_decode(uint8_t *out, size_t outmax, const char *hex, size_t hexlen);

/* c in lower case when it is an ASCII capital letter. */
int ascii_lower(int c);

/* 1 when the n bytes at s equal the lower-case word w, in any case. */
int eq_nocase(const void *s, size_t n, const char *w);

/* Overwrite len bytes with zeros in a way the compiler may not elide. */
void memzero(void *p, size_t len);

/* 1 when the n bytes at a and b are equal, else 0; time depends on n only. */
int ct_equal(const void *a, const void *b, size_t n);

/* read(2) and write(2) until len bytes or end of file, retrying on EINTR
 * and short counts. read_full returns the bytes read (less than len only
 * at end of file) or -1; write_full returns 0 or -1. */
ssize_t read_full(int fd, void *buf, size_t len);
int write_full(int fd, const void *buf, size_t len);

#endif
