/* SPDX-License-Identifier: MIT */
/* util_test.c - hex, ct_equal, memzero, and read_full/write_full over a
 * pipe whose far end moves in small pieces and keeps signalling the test
 * while it waits in the call, so the EINTR and short-count paths run. */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "../util.h"

#define PIPE_BYTES (1024 * 1024)	/* well past a pipe's 64 KiB */
#define GUARD 0x5a

/* Clear ok and say which expectation failed. */
#define EXPECT(ok, cond) do { \
	if (!(cond)) { \
		test_note("line %d: %s", __LINE__, #cond); \
		(ok) = 0; \
	} \
} while (0)

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Catch SIGALRM without SA_RESTART, so that a read or write blocked when
 * it arrives returns EINTR or a short count. The child at the other end
 * of the pipe sends the signals: a bounded number, at moments when the
 * parent is likely blocked, and never so many that it cannot progress
 * (a fast interval timer livelocks under valgrind). */
static void
catch_alarm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* Signal the parent, but only while it is still ours: after it dies
 * getppid() names another process, which must not get the signal. */
static void
poke_parent(pid_t parent)
{
	if (getppid() == parent)
		kill(parent, SIGALRM);
}

/* waitpid that a late SIGALRM cannot interrupt; 1 when pid exited 0. */
static int
reap(pid_t pid)
{
	int status;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	return r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static uint8_t
pattern(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 8));
}

static void
check_hex_encode(void)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 2];
	int ok = 1;

	memset(out, GUARD, sizeof(out));
	hex_encode(out, in, sizeof(in));
	EXPECT(ok, strcmp(out, "00017f80abff") == 0);
	EXPECT(ok, (uint8_t)out[sizeof(out) - 1] == GUARD);

	memset(out, GUARD, sizeof(out));
	hex_encode(out, in, 0);
	EXPECT(ok, out[0] == '\0' && (uint8_t)out[1] == GUARD);
	test_ok(ok, "hex_encode: lower case, NUL-terminated, no byte past it, "
	    "empty input");
}

/* 1 when hex_decode(hex) fails with -1. */
static int
decode_fails(const char *hex, size_t hexlen, size_t outmax)
{
	uint8_t out[16];

	return hex_decode(out, outmax, hex, hexlen) == -1;
}

static void
check_hex_decode(void)
{
	static const char bad[] = "gG/:@`~ \n\x80\xff";
	uint8_t out[8], all[256];
	char hex[2 * 256 + 1], d[3];
	size_t i;
	int ok = 1;

	/* either case, and mixed */
	EXPECT(ok, hex_decode(out, sizeof(out), "00ff7a", 6) == 3 &&
	    memcmp(out, "\x00\xff\x7a", 3) == 0);
	EXPECT(ok, hex_decode(out, sizeof(out), "ABCDEF09", 8) == 4 &&
	    memcmp(out, "\xab\xcd\xef\x09", 4) == 0);
	EXPECT(ok, hex_decode(out, sizeof(out), "aBcD", 4) == 2 &&
	    memcmp(out, "\xab\xcd", 2) == 0);
	/* hexlen rules, not the NUL; zero digits give zero bytes */
	EXPECT(ok, hex_decode(out, sizeof(out), "1234zz", 4) == 2);
	EXPECT(ok, hex_decode(out, sizeof(out), "", 0) == 0);

	/* odd length */
	EXPECT(ok, decode_fails("abc", 3, 8));
	EXPECT(ok, decode_fails("a", 1, 8));
	/* a bad digit in either place of the first, a middle, the last
	 * byte; characters just past each digit range; high bytes */
	for (i = 0; bad[i]; i++) {
		d[0] = bad[i];
		d[1] = '0';
		d[2] = '\0';
		EXPECT(ok, decode_fails(d, 2, 8));
		d[0] = '0';
		d[1] = bad[i];
		EXPECT(ok, decode_fails(d, 2, 8));
	}
	EXPECT(ok, decode_fails("00112g33", 8, 8));
	EXPECT(ok, decode_fails("001122x3", 8, 8));
	EXPECT(ok, decode_fails("0011\0" "233", 8, 8));

	/* output that would not fit leaves out untouched; exact fit works */
	memset(out, GUARD, sizeof(out));
	EXPECT(ok, hex_decode(out, 4, "0011223344", 10) == -1);
	EXPECT(ok, out[0] == GUARD && out[4] == GUARD);
	EXPECT(ok, decode_fails("00", 2, 0));
	memset(out, GUARD, sizeof(out));
	EXPECT(ok, hex_decode(out, 4, "01020304", 8) == 4 &&
	    memcmp(out, "\x01\x02\x03\x04", 4) == 0 && out[4] == GUARD);

	/* every byte value round-trips */
	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	hex_encode(hex, all, 256);
	memset(all, 0, sizeof(all));
	EXPECT(ok, hex_decode(all, sizeof(all), hex, 512) == 256);
	for (i = 0; i < 256 && all[i] == i; i++)
		continue;
	EXPECT(ok, i == 256);
	test_ok(ok, "hex_decode: both cases, odd length, %zu bad digits, "
	    "outmax overflow, exact fit, 256-value round trip",
	    strlen(bad) + 3);
}

static void
check_ct_equal(void)
{
	uint8_t a[32], b[32];
	int ok = 1, bit, pos;

	for (pos = 0; pos < 32; pos++)
		a[pos] = b[pos] = pattern((size_t)pos);
	EXPECT(ok, ct_equal(a, b, 32) == 1);
	EXPECT(ok, ct_equal(a, a, 32) == 1);
	EXPECT(ok, ct_equal(a, b, 0) == 1);
	EXPECT(ok, ct_equal("x", "y", 0) == 1);
	/* every one-bit difference at the first, a middle and the last
	 * byte; the result must be exactly 0, not just false */
	for (pos = 0; pos < 32; pos += 15) {
		for (bit = 0; bit < 8; bit++) {
			b[pos] ^= (uint8_t)(1 << bit);
			EXPECT(ok, ct_equal(a, b, 32) == 0);
			EXPECT(ok, ct_equal(b, a, 32) == 0);
			b[pos] ^= (uint8_t)(1 << bit);
		}
	}
	/* all 255 differences in one byte */
	for (bit = 1; bit < 256; bit++) {
		b[31] = (uint8_t)(a[31] ^ bit);
		EXPECT(ok, ct_equal(a, b, 32) == 0);
	}
	b[31] = a[31];
	/* a difference past n does not count */
	b[31] ^= 1;
	EXPECT(ok, ct_equal(a, b, 31) == 1);
	test_ok(ok, "ct_equal: equal, n = 0, differences at first/middle/last "
	    "byte in every bit, outside n ignored");
}

static void
check_memzero(void)
{
	uint8_t buf[64];
	size_t i;
	int ok = 1;

	memset(buf, GUARD, sizeof(buf));
	memzero(buf + 8, 48);
	for (i = 0; i < sizeof(buf); i++)
		EXPECT(ok, buf[i] == (i >= 8 && i < 56 ? 0 : GUARD));
	memzero(buf, 0);
	EXPECT(ok, buf[0] == GUARD);
	test_ok(ok, "memzero: clears exactly the range, len 0 is a no-op");
}

/* The child writes n pattern bytes in pieces of 1, 2, 3 ... bytes with
 * pauses, so the parent's reads come back short, then exits. */
static void
slow_writer(int fd, size_t n, pid_t parent)
{
	uint8_t piece[1024];
	size_t off = 0, len, i, k = 0;

	while (off < n) {
		len = k % 1000 + 1;
		if (len > n - off)
			len = n - off;
		for (i = 0; i < len; i++)
			piece[i] = pattern(off + i);
		if (write_full(fd, piece, len) < 0)
			_exit(2);
		off += len;
		if (k++ % 16 == 0) {
			pause_us(50);
			poke_parent(parent);
		}
	}
	_exit(0);
}

static void
check_read_full(void)
{
	uint8_t *buf = malloc(PIPE_BYTES + 16);
	int fds[2], ok = 1;
	ssize_t got;
	size_t i, n;
	pid_t pid, parent;

	if (!buf || pipe(fds) < 0) {
		test_ok(0, "read_full: setup failed");
		free(buf);
		return;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		test_ok(0, "read_full: fork failed");
		close(fds[0]);
		close(fds[1]);
		free(buf);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		slow_writer(fds[1], PIPE_BYTES, parent);
	}
	close(fds[1]);
	alarms = 0;
	/* more than the writer sends: the count stops short at EOF */
	got = read_full(fds[0], buf, PIPE_BYTES + 16);
	EXPECT(ok, got == PIPE_BYTES);
	n = got > 0 ? (size_t)got : 0;
	for (i = 0; i < n && buf[i] == pattern(i); i++)
		continue;
	EXPECT(ok, i == n);
	EXPECT(ok, read_full(fds[0], buf, 16) == 0);
	EXPECT(ok, read_full(fds[0], buf, 0) == 0);
	close(fds[0]);
	EXPECT(ok, reap(pid));
	EXPECT(ok, read_full(-1, buf, 16) == -1 && errno == EBADF);
	test_ok(ok, "read_full: 1 MiB from a pipe written in 1..1000-byte "
	    "pieces, %d signals caught, short count at EOF, bad fd",
	    (int)alarms);
	free(buf);
}

/* The child reads n bytes in 1000-byte pieces with pauses, checks them
 * and end of file, and exits 0 when all matched. */
static void
slow_reader(int fd, size_t n, pid_t parent)
{
	uint8_t piece[1000];
	size_t off = 0, i;
	ssize_t r;

	while (off < n) {
		r = read_full(fd, piece, sizeof(piece));
		if (r <= 0)
			_exit(2);
		for (i = 0; i < (size_t)r; i++)
			if (piece[i] != pattern(off + i))
				_exit(3);
		off += (size_t)r;
		if (off % 8000 == 0) {
			pause_us(50);
			poke_parent(parent);
		}
	}
	_exit(read_full(fd, piece, 1) == 0 ? 0 : 4);
}

static void
check_write_full(void)
{
	uint8_t *buf = malloc(PIPE_BYTES);
	int fds[2], ok = 1, r;
	size_t i;
	pid_t pid, parent;

	if (!buf || pipe(fds) < 0) {
		test_ok(0, "write_full: setup failed");
		free(buf);
		return;
	}
	for (i = 0; i < PIPE_BYTES; i++)
		buf[i] = pattern(i);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		test_ok(0, "write_full: fork failed");
		close(fds[0]);
		close(fds[1]);
		free(buf);
		return;
	}
	if (pid == 0) {
		close(fds[1]);
		slow_reader(fds[0], PIPE_BYTES, parent);
	}
	close(fds[0]);
	alarms = 0;
	r = write_full(fds[1], buf, PIPE_BYTES);
	EXPECT(ok, r == 0);
	EXPECT(ok, write_full(fds[1], buf, 0) == 0);
	close(fds[1]);
	EXPECT(ok, reap(pid));

	/* a reader gone: -1 with EPIPE (SIGPIPE is ignored, as d20 does) */
	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds) == 0) {
		close(fds[0]);
		EXPECT(ok, write_full(fds[1], buf, 16) == -1 &&
		    errno == EPIPE);
		close(fds[1]);
	} else {
		ok = 0;
	}
	EXPECT(ok, write_full(-1, buf, 16) == -1 && errno == EBADF);
	test_ok(ok, "write_full: 1 MiB to a slow reader, %d signals caught, "
	    "closed pipe, bad fd", (int)alarms);
	free(buf);
}

static void
check_nocase(void)
{
	static const char nul[] = "conTENT-length\0";
	int ok = 1, c;

	for (c = 0; c < 256; c++)
		ok &= ascii_lower(c) == (c >= 'A' && c <= 'Z' ? c + 32 : c);
	ok &= eq_nocase("Content-Length", 14, "content-length") == 1;
	ok &= eq_nocase("CONTENT-LENGTH", 14, "content-length") == 1;
	ok &= eq_nocase("Content-Length", 13, "content-length") == 0;
	ok &= eq_nocase("Content-Lengths", 15, "content-length") == 0;
	ok &= eq_nocase(nul, 15, "content-length") == 0;
	ok &= eq_nocase("Content_Length", 14, "content-length") == 0;
	ok &= eq_nocase("", 0, "") == 1;
	/* bytes over 127 are not letters: no locale folds them */
	ok &= eq_nocase("\xc9", 1, "\xe9") == 0;
	test_ok(ok, "ascii_lower on all 256 bytes; eq_nocase: case, length, "
	    "NUL, non-letters, empty");
}

static size_t
call_vfmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = vfmt(buf, size, f, ap);
	va_end(ap);
	return n;
}

/* fmt against the C library's snprintf on the conversions it knows, and
 * its cutting at every buffer size. */
static void
check_fmt(void)
{
	char a[128], b[128], g[160];
	size_t n, size, full;
	int ok = 1;

	n = fmt(a, sizeof(a), "%s|%.*s|%c|%d|%d|%u|%ld|%ld|%lu|%zu|%%|%d", "str", 3,
	    "abcdef", 'x', INT_MIN, 0, UINT_MAX, LONG_MIN, LONG_MAX, ULONG_MAX,
	    (size_t)12345, -7);
	snprintf(b, sizeof(b), "%s|%.*s|%c|%d|%d|%u|%ld|%ld|%lu|%zu|%%|%d", "str", 3,
	    "abcdef", 'x', INT_MIN, 0, UINT_MAX, LONG_MIN, LONG_MAX, ULONG_MAX,
	    (size_t)12345, -7);
	EXPECT(ok, strcmp(a, b) == 0 && n == strlen(b));
	EXPECT(ok, call_vfmt(a, sizeof(a), "%.*s.", 10, "ab") == 3 && !strcmp(a, "ab."));
	full = strlen(b);
	for (size = 1; size <= full + 2; size++) {
		memset(g, GUARD, sizeof(g));
		n = fmt(g, size, "%s|%.*s|%c|%d|%d|%u|%ld|%ld|%lu|%zu|%%|%d", "str", 3,
		    "abcdef", 'x', INT_MIN, 0, UINT_MAX, LONG_MIN, LONG_MAX,
		    ULONG_MAX, (size_t)12345, -7);
		EXPECT(ok, n == (size - 1 < full ? size - 1 : full));
		EXPECT(ok, g[n] == '\0' && memcmp(g, b, n) == 0);
		EXPECT(ok, (unsigned char)g[size] == GUARD);
	}
	test_ok(ok, "fmt: %%s %%.*s %%c %%d %%u %%ld %%lu %%zu %%%% as snprintf, "
	    "extremes, cut and NUL-terminated at every size");
}

static void
check_parse_long(void)
{
	static const struct {
		const char *s;
		long lo, hi, want;	/* want -1: refused */
	} v[] = {
		{ "0", 0, 10, 0 }, { "10", 0, 10, 10 }, { "11", 0, 10, -1 },
		{ "5", 6, 10, -1 }, { "", 0, 10, -1 }, { "-1", 0, 10, -1 },
		{ "+1", 0, 10, -1 }, { " 1", 0, 10, -1 }, { "1 ", 0, 10, -1 },
		{ "0x1", 0, 10, -1 }, { "007", 0, 10, 7 },
		{ "99999999999999999999999999", 0, 65535, -1 },
		{ "65535", 0, 65535, 65535 }, { "65536", 0, 65535, -1 },
	};
	size_t i;
	long out;
	int ok = 1, r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		out = -2;
		r = parse_long(v[i].s, v[i].lo, v[i].hi, &out);
		if (v[i].want < 0)
			EXPECT(ok, r == -1 && out == -2);
		else
			EXPECT(ok, r == 0 && out == v[i].want);
	}
	test_ok(ok, "parse_long: bounds, empty, signs, spaces, hex, overflow "
	    "(%zu cases)", sizeof(v) / sizeof(v[0]));
}

/* utc_format against gmtime and strftime: every day from 1970 to 2400
 * at a varying second, and the ends of the range. */
static void
check_utc_format(void)
{
	char a[20], b[32];
	long long t, n = 0;
	struct tm tm;
	time_t tt;
	int ok = 1;

	for (t = 0; t < 13569465600LL; t += 86400 + 3607) {
		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
		utc_format(a, t);
		if (strcmp(a, b) != 0) {
			if (ok)
				test_note("%lld: %s, want %s", t, a, b);
			ok = 0;
		}
		n++;
	}
	utc_format(a, 0);
	EXPECT(ok, !strcmp(a, "1970-01-01T00:00:00"));
	utc_format(a, 951782400);	/* a leap day in a century year */
	EXPECT(ok, !strcmp(a, "2000-02-29T00:00:00"));
	utc_format(a, 253402300799LL);
	EXPECT(ok, !strcmp(a, "9999-12-31T23:59:59"));
	EXPECT(ok, days_from_civil(1970, 1, 1) == 0 &&
	    days_from_civil(2000, 3, 1) == 11017);
	test_ok(ok, "utc_format: %lld times from 1970 to 2400 as gmtime, leap "
	    "days, year 9999; days_from_civil", n);
}

/* RFC 5952 the slow way, by string search: ":g0:g1:...:g7:", then the
 * first of the longest ":0:0...:" runs (two or more) becomes "::". */
static void
ref_ip6(char out[64], const uint8_t a[16])
{
	char s[64], pat[32], *p;
	int i, k;

	p = s;
	*p++ = ':';
	for (i = 0; i < 8; i++)
		p += sprintf(p, "%x:", a[2 * i] << 8 | a[2 * i + 1]);
	for (k = 8; k >= 2; k--) {
		for (i = 0, p = pat; i < k; i++)
			p += sprintf(p, ":0");
		strcpy(p, ":");
		if ((p = strstr(s, pat)) != NULL) {
			memmove(p + 2, p + strlen(pat), strlen(p + strlen(pat)) + 1);
			p[0] = ':';
			p[1] = ':';
			break;
		}
	}
	/* drop the framing colons, except where they belong to "::" */
	p = s[1] == ':' ? s : s + 1;
	k = (int)strlen(p);
	if (k >= 2 && p[k - 1] == ':' && p[k - 2] != ':')
		p[k - 1] = '\0';
	strcpy(out, p);
}

/* An IPv6 address whose group i is zero where bit i of mask is 0, and one
 * of a few values elsewhere: 256 masks, every pattern of zero runs. */
static void
zero_pattern(uint8_t a6[16], unsigned mask)
{
	static const uint16_t val[] = { 0x1, 0xdb8, 0xabcd, 0x10, 0xffff };
	unsigned i;

	for (i = 0; i < 8; i++) {
		uint16_t g = mask >> i & 1 ? val[(i + mask) % 5] : 0;

		a6[2 * i] = (uint8_t)(g >> 8);
		a6[2 * i + 1] = (uint8_t)g;
	}
}

/* ip_format against that reference on every pattern of zero and
 * non-zero groups (not inet_ntop: musl's picks the wrong one of two
 * equal runs). */
static void
check_ip_format(void)
{
	uint8_t a6[16], a4[4];
	char a[IP_TEXT_MAX], b[64];
	unsigned mask, n = 0;
	int ok = 1;

	for (mask = 0; mask < 256; mask++) {
		zero_pattern(a6, mask);
		ip_format(a, AF_INET6, a6);
		ref_ip6(b, a6);
		if (strcmp(a, b) != 0) {
			if (ok)
				test_note("%s, want %s", a, b);
			ok = 0;
		}
		n++;
	}
	ip_format(a, AF_INET6, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
	EXPECT(ok, !strcmp(a, "::"));
	ip_format(a, AF_INET6, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1");
	EXPECT(ok, !strcmp(a, "::1"));
	ip_format(a, AF_INET6, (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\1\0\0\0\0\0\0\0\1");
	EXPECT(ok, !strcmp(a, "2001:db8:0:1::1"));
	ip_format(a, AF_INET6, (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\1\0\0\0\0\0\0");
	EXPECT(ok, !strcmp(a, "2001:db8::1:0:0:0") == 0 && !strcmp(a, "2001:db8:0:0:1::"));
	memset(a6, 0xff, sizeof(a6));
	ip_format(a, AF_INET6, a6);
	EXPECT(ok, !strcmp(a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	memcpy(a4, "\x7f\x00\x00\x01", 4);
	ip_format(a, AF_INET, a4);
	EXPECT(ok, !strcmp(a, "127.0.0.1"));
	memcpy(a4, "\xff\x0a\x64\x09", 4);
	ip_format(a, AF_INET, a4);
	EXPECT(ok, !strcmp(a, "255.10.100.9"));
	test_ok(ok, "ip_format: %u IPv6 zero patterns as RFC 5952 (longest, "
	    "then first run as ::), ::, ::1; IPv4 dotted quads", n);
}

/* ip_parse: every string ip_format makes reads back to its bytes, as do
 * the same addresses fully written out in upper case; then known answers
 * for the forms inet_pton takes and refuses, each also asked of libc's
 * inet_pton, which must agree. */
static void
check_ip_parse(void)
{
	static const struct {
		int af;
		const char *text;
		const char *want;	/* the bytes, or NULL: refused */
	} kat[] = {
		{ AF_INET, "0.0.0.0", "\0\0\0\0" },
		{ AF_INET, "127.0.0.1", "\x7f\0\0\x01" },
		{ AF_INET, "255.255.255.255", "\xff\xff\xff\xff" },
		{ AF_INET, "10.200.3.45", "\x0a\xc8\x03\x2d" },
		{ AF_INET, "", NULL }, { AF_INET, "1.2.3", NULL },
		{ AF_INET, "1.2.3.4.5", NULL }, { AF_INET, "256.1.1.1", NULL },
		{ AF_INET, "01.2.3.4", NULL }, { AF_INET, "1.2.3.04", NULL },
		{ AF_INET, "1.2.3.4 ", NULL }, { AF_INET, " 1.2.3.4", NULL },
		{ AF_INET, "1..2.3", NULL }, { AF_INET, "1.2.3.", NULL },
		{ AF_INET, "0x1.2.3.4", NULL }, { AF_INET, "1.2.3.4/8", NULL },
		{ AF_INET, "1234.1.1.1", NULL }, { AF_INET, "-1.2.3.4", NULL },
		{ AF_INET, "::1", NULL },
		{ AF_INET6, "::", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" },
		{ AF_INET6, "::1", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01" },
		{ AF_INET6, "1::", "\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0" },
		{ AF_INET6, "1::8", "\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\x08" },
		{ AF_INET6, "1:2:3:4:5:6:7::",
		    "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\0" },
		{ AF_INET6, "::2:3:4:5:6:7:8",
		    "\0\0\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\x08" },
		{ AF_INET6, "FE80::aB:0Cd",
		    "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\xab\0\xcd" },
		{ AF_INET6, "::ffff:192.0.2.1",
		    "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\0\x02\x01" },
		{ AF_INET6, "::1.2.3.4", "\0\0\0\0\0\0\0\0\0\0\0\0\x01\x02\x03\x04" },
		{ AF_INET6, "1:2:3:4:5:6:1.2.3.4",
		    "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\x01\x02\x03\x04" },
		{ AF_INET6, "", NULL }, { AF_INET6, ":", NULL },
		{ AF_INET6, ":::", NULL }, { AF_INET6, "1:::2", NULL },
		{ AF_INET6, "1::2::3", NULL }, { AF_INET6, ":1::2", NULL },
		{ AF_INET6, "1::2:", NULL }, { AF_INET6, "1:2:3:4:5:6:7", NULL },
		{ AF_INET6, "1:2:3:4:5:6:7:8:9", NULL },
		{ AF_INET6, "1:2:3:4:5:6:7:8::", NULL },
		{ AF_INET6, "::1:2:3:4:5:6:7:8", NULL },
		{ AF_INET6, "12345::", NULL }, { AF_INET6, "g::", NULL },
		{ AF_INET6, "1:2:3:4:5:6:7:1.2.3.4", NULL },
		{ AF_INET6, "::1.2.3", NULL }, { AF_INET6, "::1.2.3.4:5", NULL },
		{ AF_INET6, "::01.2.3.4", NULL }, { AF_INET6, "1.2.3.4", NULL },
		{ AF_INET6, " ::1", NULL }, { AF_INET6, "::1 ", NULL },
		{ AF_INET6, "::1%eth0", NULL }, { AF_INET6, "[::1]", NULL },
	};
	uint8_t a6[16], b6[16], lib[16];
	char a[IP_TEXT_MAX], up[64];
	unsigned mask, i, n = 0;
	int ok = 1, r;

	for (mask = 0; mask < 256; mask++) {
		zero_pattern(a6, mask);
		ip_format(a, AF_INET6, a6);
		memset(b6, 0x55, sizeof(b6));
		r = ip_parse(AF_INET6, a, b6);
		snprintf(up, sizeof(up), "%04X:%04X:%04X:%04X:%04X:%04X:%04X:%04X",
		    a6[0] << 8 | a6[1], a6[2] << 8 | a6[3], a6[4] << 8 | a6[5],
		    a6[6] << 8 | a6[7], a6[8] << 8 | a6[9], a6[10] << 8 | a6[11],
		    a6[12] << 8 | a6[13], a6[14] << 8 | a6[15]);
		if (r != 0 || memcmp(a6, b6, 16) != 0 ||
		    ip_parse(AF_INET6, up, b6) != 0 || memcmp(a6, b6, 16) != 0) {
			if (ok)
				test_note("%s or %s did not read back", a, up);
			ok = 0;
		}
		n++;
	}
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		size_t len = kat[i].af == AF_INET ? 4 : 16;

		memset(b6, 0x55, sizeof(b6));
		r = ip_parse(kat[i].af, kat[i].text, b6);
		if (kat[i].want ? r != 0 || memcmp(b6, kat[i].want, len) != 0 :
		    r != -1) {
			test_note("ip_parse(\"%s\") gave %d", kat[i].text, r);
			ok = 0;
		}
		if (inet_pton(kat[i].af, kat[i].text, lib) != (kat[i].want != NULL)) {
			test_note("libc's inet_pton disagrees on \"%s\"", kat[i].text);
			ok = 0;
		}
	}
	test_ok(ok, "ip_parse: %u RFC 5952 and %u upper-case full forms read "
	    "back; %u known answers, as libc's inet_pton", n, n, i);
}

/* err_str: libc's (musl's) words for the errors in its table, the first
 * and the last of it too (a text out of step with its number shows
 * there), and a number for any other. */
static void
check_err_str(void)
{
	int ok = 1;

	EXPECT(ok, !strcmp(err_str(EPERM), "Operation not permitted"));
	EXPECT(ok, !strcmp(err_str(ENOENT), "No such file or directory"));
	EXPECT(ok, !strcmp(err_str(EACCES), "Permission denied"));
	EXPECT(ok, !strcmp(err_str(ENOSPC), "No space left on device"));
	EXPECT(ok, !strcmp(err_str(ECONNREFUSED), "Connection refused"));
	EXPECT(ok, !strcmp(err_str(ETIMEDOUT), "Operation timed out"));
	EXPECT(ok, !strcmp(err_str(EHOSTUNREACH), "Host is unreachable"));
	EXPECT(ok, !strcmp(err_str(EINPROGRESS), "Operation in progress"));
	EXPECT(ok, !strcmp(err_str(EDQUOT), "Quota exceeded"));
	EXPECT(ok, !strcmp(err_str(0), "error 0"));
	EXPECT(ok, !strcmp(err_str(EKEYREJECTED), "error 129") ||
	    EKEYREJECTED != 129);
	EXPECT(ok, !strcmp(err_str(-5), "error -5"));
	test_ok(ok, "err_str: the words for ENOENT, ECONNREFUSED, ETIMEDOUT... "
	    "and the table's ends; \"error N\" for the others");
}

int
main(void)
{
	catch_alarm();
	check_hex_encode();
	check_hex_decode();
	check_ct_equal();
	check_memzero();
	check_nocase();
	check_fmt();
	check_parse_long();
	check_utc_format();
	check_ip_format();
	check_ip_parse();
	check_err_str();
	check_read_full();
	check_write_full();
	return test_done();
}
