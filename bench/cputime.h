/* SPDX-License-Identifier: MIT */
/* bench/cputime.h - the CPU time this process has used, in seconds, as
 * openssl speed counts it: what the benchmark programs time with. */
#include <time.h>

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
