/* SPDX-License-Identifier: MIT */
/* test.h - the few helpers every C test shares. Each test program prints
 * one "ok - ..." or "not ok - ..." line per check it makes (a check may
 * cover many vectors) and exits non-zero when any failed; tests/run.sh
 * counts the lines. */
#ifndef D20_TEST_H
#define D20_TEST_H

#include <stdarg.h>
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
