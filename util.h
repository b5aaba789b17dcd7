/* SPDX-License-Identifier: MIT */
/* util.h - small helpers shared by d20 and d20d: hex, wiping, constant-time
 * comparison, full reads and writes, formatting, numbers and dates.
 * Nothing here allocates, prints or exits. */
#ifndef D20_UTIL_H
#define D20_UTIL_H

#include <stdarg.h>
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

/* A small snprintf, enough for d20's and d20d's messages: %s, %.*s, %c,
 * %d, %u, %ld, %lu, %zu and %%. The result is always NUL-terminated and
 * cut at size (> 0). Returns the length written. musl's printf alone
 * would weigh more than d20 without TLS. */
size_t vfmt(char *buf, size_t size, const char *f, va_list ap);
size_t fmt(char *buf, size_t size, const char *f, ...);

/* The decimal number s (digits only, no sign, no space) into *out when
 * lo <= it <= hi (hi < LONG_MAX / 10). Returns 0, or -1. */
int parse_long(const char *s, long lo, long hi, long *out);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
long long days_from_civil(long long y, unsigned m, unsigned d);

/* t, seconds since the epoch, as UTC "YYYY-MM-DDTHH:MM:SS" and a NUL;
 * no time zone, no table, no libc. 0 <= t < 253402300800 (year 9999). */
void utc_format(char out[20], long long t);

/* An IPv4 (af AF_INET, 4 bytes) or IPv6 (AF_INET6, 16 bytes) address as
 * text, IPv6 in RFC 5952's form (lower case, the longest run of two or
 * more zero groups as "::"), into out[IP_TEXT_MAX]. inet_ntop without
 * the printf it would pull in. */
#define IP_TEXT_MAX 46
void ip_format(char out[IP_TEXT_MAX], int af, const void *addr);

/* Text to an IPv4 (af AF_INET, 4 bytes) or IPv6 (AF_INET6, 16 bytes)
 * address, all of s: inet_pton's forms (IPv4 without leading zeros, IPv6
 * with one "::" at most and a dotted IPv4 tail), in 0.3 KiB where musl's
 * is 0.8. 0, or -1 when s is not one. */
int ip_parse(int af, const char *s, void *addr);

/* strerror(e) for the errors the programs meet, "error N" for others
 * (in a static buffer: one thread). */
const char *err_str(int e);

/* Set the real, effective and saved uid and gid and the supplementary
 * groups (ngroups of them) with the system calls themselves. For a
 * process with one thread only: musl's setuid() and setgid() first stop
 * every other thread, 2 KiB of code that d20's children and d20d's workers
 * never need. Returns 0 or -1 (errno). */
int ids_set(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups);

/* Whether this process can make itself uid 0 again (it should not once it
 * dropped root): 1 when setting uid 0 succeeded, else 0. */
int uid0_regained(void);

/* Send the descriptor fd over the Unix socket sock (SCM_RIGHTS), with
 * the len bytes at data (at least one), without blocking. Returns 0 when
 * all of it went, else -1. */
int fd_send(int sock, int fd, const void *data, size_t len);

#endif
