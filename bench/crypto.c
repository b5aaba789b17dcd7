/* SPDX-License-Identifier: MIT */
/* bench/crypto.c - throughput of the project's SHA-512 and CTR_DRBG
 * generate at 64 B, 1 KiB and 16 KiB, the DRBG on each AES path. Prints
 * "NAME SIZE MBPS" lines for bench/crypto.sh, which sets them beside
 * openssl speed from the same run. Time is this process's CPU time, as
 * openssl speed counts it, so other load on the machine skews neither. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../aes.h"
#include "../drbg.h"
#include "../sha512.h"
#include "cputime.h"

#define SECONDS 0.7

static unsigned char buf[16384];

/* Run op on len bytes until SECONDS pass; returns MB/s (10^6 bytes). */
static double
rate(void (*op)(size_t), size_t len)
{
	double start = cpu_seconds(), t;
	unsigned long n = 0, i, batch = 1 + 65536 / len;

	do {
		for (i = 0; i < batch; i++)
			op(len);
		n += batch;
		t = cpu_seconds() - start;
	} while (t < SECONDS);
	return (double)n * (double)len / t / 1e6;
}

static void
op_sha512(size_t len)
{
	unsigned char out[SHA512_SIZE];

	sha512(out, buf, len);
	buf[0] ^= out[0];	/* keep the compiler from dropping the work */
}

static drbg_ctx drbg;

static void
op_drbg(size_t len)
{
	if (drbg_generate(&drbg, buf, len, NULL, 0, 0) != DRBG_OK)
		drbg_reseed(&drbg, buf, 32, NULL, 0);
}

int
main(void)
{
	static const size_t sizes[] = { 64, 1024, 16384 };
	static const struct {
		enum aes_impl impl;
		const char *name;
	} paths[] = { { AES_IMPL_NI, "drbg-ni" }, { AES_IMPL_CT, "drbg-ct" } };
	unsigned char seed[48] = "d20 bench seed, not secret: a benchmark input";
	size_t i, p;

	for (i = 0; i < 3; i++)
		printf("sha512 %zu %.1f\n", sizes[i], rate(op_sha512, sizes[i]));
	for (p = 0; p < 2; p++) {
		if (aes_set_impl(paths[p].impl) < 0) {
			printf("%s unavailable\n", paths[p].name);
			continue;
		}
		drbg_instantiate(&drbg, seed, 32, seed + 32, 16, NULL, 0, NULL, NULL);
		for (i = 0; i < 3; i++)
			printf("%s %zu %.1f\n", paths[p].name, sizes[i],
			    rate(op_drbg, sizes[i]));
		drbg_destroy(&drbg);
	}
	return 0;
}
