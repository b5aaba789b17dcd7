/* SPDX-License-Identifier: MIT */
/* test.h - the few helpers every C test shares. Each test program prints
 * one "ok - ..." or "not ok - ..." line per check it makes (a check may
 * cover many vectors) and exits non-zero when any failed; tests/run.sh
 * counts the lines. */
#ifndef D20_TEST_H
#define D20_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed, test_passed;

/* Report one check; returns cond so a caller can stop early. */
static inline int
test_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	fputs(cond ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (cond)
		test_passed++;
	else
		test_failed++;
	return cond;
}

/* A diagnostic line that the runner shows but does not count. */
static inline void
test_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* splitmix64 from a seed of the test's own: the same inputs on every run,
 * so that a failure can be reproduced */
static inline uint64_t
test_rng(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15);

	z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9;
	z = (z ^ z >> 27) * 0x94d049bb133111eb;
	return z ^ z >> 31;
}

/* n bytes from test_rng, each the top byte of an output */
static inline void
test_fill(uint64_t *state, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(test_rng(state) >> 56);
}

/* Exit status for main: 0 only when at least one check ran and none failed. */
static inline int
test_done(void)
{
	if (test_passed + test_failed == 0) {
		puts("not ok - no check ran");
		return 1;
	}
	return test_failed ? 1 : 0;
}

#endif
