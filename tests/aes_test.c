/* SPDX-License-Identifier: MIT */
/* aes_test.c - known-answer tests for aes.c, run on each implementation:
 * FIPS 197 appendix C.3, the CAVS ECB files for AES-256 (encrypt
 * sections), counter mode against single-block encryption across carry
 * boundaries, and the two implementations against each other.
 *
 * The CAVS files come from Debian's python3-cryptography-vectors; the
 * directory is $D20_CAVS, by default the package's. A missing file is a
 * failure, not a skip. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../aes.h"
#include "../util.h"
#include "rsp.h"
#include "test.h"

#define DEFAULT_CAVS "/usr/lib/python3/dist-packages/cryptography_vectors"

static const char *const cavs_files[] = {
	"ECBGFSbox256.rsp",
	"ECBKeySbox256.rsp",
	"ECBVarKey256.rsp",
	"ECBVarTxt256.rsp",
	"ECBMMT256.rsp",
};

static const char *
impl_name(enum aes_impl impl)
{
	return impl == AES_IMPL_NI ? "AES-NI" : "CT";
}

/* The seed of test_rng (splitmix64), so every run checks the same
 * inputs and a failure can be reproduced. */
static uint64_t rng_state = 0x6432302061657321;	/* "d20 aes!" */

/* Force impl for the next aes256_init; 0 or -1. */
static int
use_impl(enum aes_impl impl)
{
	return aes_set_impl(impl);
}

static void
check_fips197(enum aes_impl impl)
{
	static const uint8_t pt[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	static const uint8_t ct[16] = {
		0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
		0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89,
	};
	uint8_t key[32], out[16], buf[16];
	aes256_ctx ctx;
	int i, ok;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	aes256_init(&ctx, key);
	aes256_encrypt(&ctx, out, pt);
	ok = memcmp(out, ct, 16) == 0 && ctx.impl == (int)impl;
	/* In place. */
	memcpy(buf, pt, 16);
	aes256_encrypt(&ctx, buf, buf);
	ok = ok && memcmp(buf, ct, 16) == 0;
	aes256_clear(&ctx);
	for (i = 0; i < (int)sizeof(ctx); i++)
		ok = ok && ((uint8_t *)&ctx)[i] == 0;
	test_ok(ok, "%s: FIPS 197 C.3 AES-256 example (also in place, "
	    "and aes256_clear wipes)", impl_name(impl));
}

/* One CAVS ECB file, [ENCRYPT] sections only; every 16-byte block of a
 * multi-block plaintext is encrypted on its own. */
static void
check_cavs(enum aes_impl impl, const char *dir, const char *name)
{
	char path[4096];
	rsp_file r;
	const char *k, *v;
	uint8_t *key = NULL, *pt = NULL, *ct;
	size_t keylen = 0, ptlen = 0, ctlen, i;
	uint8_t out[16];
	aes256_ctx ctx;
	int encrypt = 0, bad = 0;
	long count = 0, blocks = 0, failed_line = 0;

	snprintf(path, sizeof(path), "%s/ciphers/AES/ECB/%s", dir, name);
	if (rsp_open(&r, path) < 0) {
		test_ok(0, "%s: %s: cannot open %s", impl_name(impl), name,
		    path);
		return;
	}
	while (rsp_next(&r, &k, &v)) {
		if (strcmp(k, "[") == 0) {
			encrypt = strcmp(v, "ENCRYPT") == 0;
		} else if (!encrypt) {
			continue;
		} else if (strcmp(k, "KEY") == 0) {
			free(key);
			key = rsp_hex(v, &keylen);
		} else if (strcmp(k, "PLAINTEXT") == 0) {
			free(pt);
			pt = rsp_hex(v, &ptlen);
		} else if (strcmp(k, "CIPHERTEXT") == 0) {
			ct = rsp_hex(v, &ctlen);
			if (!key || keylen != 32 || !pt || !ct ||
			    ctlen != ptlen || ptlen % 16 != 0 || ptlen == 0) {
				bad++;
				if (!failed_line)
					failed_line = r.lineno;
				free(ct);
				continue;
			}
			aes256_init(&ctx, key);
			for (i = 0; i < ptlen; i += 16) {
				aes256_encrypt(&ctx, out, pt + i);
				if (memcmp(out, ct + i, 16) != 0) {
					bad++;
					if (!failed_line)
						failed_line = r.lineno;
				}
				blocks++;
			}
			aes256_clear(&ctx);
			count++;
			free(ct);
			free(pt);
			pt = NULL;
		}
	}
	rsp_close(&r);
	free(key);
	free(pt);
	if (bad)
		test_note("%s: first mismatch at %s line %ld", impl_name(impl),
		    name, failed_line);
	test_ok(bad == 0 && count > 0, "%s: CAVS %s encrypt: %ld vectors, "
	    "%ld blocks", impl_name(impl), name, count, blocks);
}

/* v += 1 mod 2^128, big-endian: the reference for the counter. */
static void
inc128(uint8_t v[16])
{
	int i;

	for (i = 15; i >= 0; i--)
		if (++v[i] != 0)
			break;
}

/* aes256_ctr_blocks against aes256_encrypt of counters incremented one
 * at a time, from starting points on each side of the 64-bit and the
 * 128-bit carry, for 0..20 blocks (the 8-way and 4-way loops and each
 * tail length), into an unaligned buffer; then the same span split
 * into two calls must give the same bytes. */
static void
check_ctr(enum aes_impl impl)
{
	uint8_t starts[8][16], key[32], v[16], ref_v[16], want[21 * 16];
	uint8_t got[21 * 16 + 1], *o = got + 1, v2[16], split[21 * 16];
	aes256_ctx ctx;
	size_t s, n, i, cut, runs = 0, bad = 0;

	memset(starts, 0, sizeof(starts));
	/* 00..00 | ff..ff: the low half wraps at once. */
	memset(starts[1] + 8, 0xff, 8);
	/* ff..ff: the whole counter wraps to zero. */
	memset(starts[2], 0xff, 16);
	/* A few steps before each wrap, so it lands inside a group. */
	memset(starts[3] + 8, 0xff, 8);
	starts[3][15] = 0xfa;
	memset(starts[4], 0xff, 16);
	starts[4][15] = 0xf5;
	/* A low half that carries into a high half of ..ff ff, which
	 * itself carries further (byte 5 and up). */
	memset(starts[5] + 6, 0xff, 10);
	starts[5][15] = 0xfd;
	/* Random. */
	test_fill(&rng_state, starts[6], 16);
	test_fill(&rng_state, starts[7], 16);
	starts[7][15] = 0xfe;
	test_fill(&rng_state, key, 32);
	aes256_init(&ctx, key);

	for (s = 0; s < 8; s++) {
		for (n = 0; n <= 20; n++) {
			memcpy(ref_v, starts[s], 16);
			for (i = 0; i < n; i++) {
				inc128(ref_v);
				aes256_encrypt(&ctx, want + 16 * i, ref_v);
			}
			memcpy(v, starts[s], 16);
			memset(got, 0xaa, sizeof(got));
			aes256_ctr_blocks(&ctx, v, o, n);
			runs++;
			if (memcmp(o, want, 16 * n) != 0 ||
			    memcmp(v, ref_v, 16) != 0 ||
			    got[0] != 0xaa || o[16 * n] != 0xaa) {
				bad++;
				test_note("%s: ctr start %zu, %zu blocks differ",
				    impl_name(impl), s, n);
			}
			for (cut = 0; cut <= n; cut++) {
				memcpy(v2, starts[s], 16);
				aes256_ctr_blocks(&ctx, v2, split, cut);
				aes256_ctr_blocks(&ctx, v2, split + 16 * cut,
				    n - cut);
				if (memcmp(split, want, 16 * n) != 0 ||
				    memcmp(v2, ref_v, 16) != 0)
					bad++;
				runs++;
			}
		}
	}
	aes256_clear(&ctx);
	test_ok(bad == 0, "%s: aes256_ctr_blocks = encrypt of V+1, V+2, ... "
	    "across 64- and 128-bit carries, 0..20 blocks, split calls: "
	    "%zu runs", impl_name(impl), runs);
}

/* The two implementations agree on random keys, blocks and counters. */
static void
check_ni_vs_ct(void)
{
	uint8_t key[32], in[16], a[16], b[16], v0[16], va[16], vb[16];
	uint8_t sa[40 * 16], sb[40 * 16];
	aes256_ctx ni, ct;
	size_t n;
	int i, j, bad = 0, blocks = 0;

	for (i = 0; i < 200; i++) {
		test_fill(&rng_state, key, 32);
		use_impl(AES_IMPL_NI);
		aes256_init(&ni, key);
		use_impl(AES_IMPL_CT);
		aes256_init(&ct, key);
		for (j = 0; j < 8; j++) {
			test_fill(&rng_state, in, 16);
			aes256_encrypt(&ni, a, in);
			aes256_encrypt(&ct, b, in);
			bad += memcmp(a, b, 16) != 0;
			blocks++;
		}
		test_fill(&rng_state, v0, 16);
		if (i % 4 == 1)	/* near the 64-bit carry */
			memset(v0 + 8, 0xff, 7);
		n = (size_t)(test_rng(&rng_state) % 41);
		memcpy(va, v0, 16);
		memcpy(vb, v0, 16);
		aes256_ctr_blocks(&ni, va, sa, n);
		aes256_ctr_blocks(&ct, vb, sb, n);
		bad += memcmp(sa, sb, 16 * n) != 0 || memcmp(va, vb, 16) != 0;
		blocks += (int)n;
	}
	aes256_clear(&ni);
	aes256_clear(&ct);
	use_impl(AES_IMPL_AUTO);
	test_ok(bad == 0, "AES-NI and CT agree: 200 random keys, %d blocks "
	    "(single and counter mode)", blocks);
}

int
main(void)
{
	static const enum aes_impl impls[] = { AES_IMPL_NI, AES_IMPL_CT };
	const char *dir = getenv("D20_CAVS");
	int have_ni = 0;
	size_t i, f;

	if (!dir || !*dir)
		dir = DEFAULT_CAVS;

	test_ok(use_impl(AES_IMPL_CT) == 0 && aes_get_impl() == AES_IMPL_CT,
	    "aes_set_impl(CT) is always accepted");
	if (use_impl(AES_IMPL_NI) == 0) {
		have_ni = 1;
		test_ok(aes_get_impl() == AES_IMPL_NI,
		    "aes_set_impl(NI) accepted and reported");
	} else {
		test_ok(aes_get_impl() == AES_IMPL_CT,
		    "aes_set_impl(NI) refused: the choice stays CT");
		test_note("this CPU lacks AES-NI: the AES-NI path is NOT "
		    "tested, only the constant-time one");
	}
	use_impl(AES_IMPL_AUTO);
	test_ok(aes_get_impl() == (have_ni ? AES_IMPL_NI : AES_IMPL_CT),
	    "AUTO picks %s", have_ni ? "AES-NI" : "CT");

	for (i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
		if (use_impl(impls[i]) < 0)
			continue;
		check_fips197(impls[i]);
		for (f = 0; f < sizeof(cavs_files) / sizeof(cavs_files[0]);
		    f++)
			check_cavs(impls[i], dir, cavs_files[f]);
		check_ctr(impls[i]);
	}
	if (have_ni)
		check_ni_vs_ct();
	use_impl(AES_IMPL_AUTO);
	return test_done();
}
