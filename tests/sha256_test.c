/* SPDX-License-Identifier: MIT */
/* sha256_test.c - sha256.c: the SHA-256 class d20 gives BearSSL (the
 * CPU's SHA instructions where it has them) against NIST's CAVS vectors
 * (ShortMsg and LongMsg from Debian's python3-cryptography-vectors,
 * D20_CAVS names their directory) in one call and in pieces; against
 * BearSSL's own class on random messages split at random, with states
 * handed from one to the other (BearSSL's HMAC and its engine's transcript
 * move states between contexts); HMAC; and its TLS 1.2 PRF against
 * br_tls12_sha256_prf. Where the CPU has no SHA instructions the class is
 * BearSSL's and the same checks hold. A missing vector file is a failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sha256.h"
#include "rsp.h"
#include "test.h"

static uint64_t rng_state = 0x6432302073323536;	/* "d20 s256" */

/* msg hashed by hc, fed in pieces of at most chunk bytes (0: one call) */
static void
hash_with(const br_hash_class *hc, uint8_t out[32], const uint8_t *msg,
    size_t len, size_t chunk)
{
	br_sha256_context c;
	size_t off, n;

	hc->init(&c.vtable);
	for (off = 0; off < len; off += n) {
		n = chunk && len - off > chunk ? chunk : len - off;
		c.vtable->update(&c.vtable, msg + off, n);
	}
	c.vtable->out(&c.vtable, out);
}

static void
check_cavs(const char *file)
{
	char path[512], rel[64];
	rsp_file r;
	const char *k, *v;
	uint8_t *msg = NULL, *md, got[32];
	unsigned long bits = 0;
	size_t len, n = 0, bad = 0;
	static const size_t chunks[] = { 0, 1, 63, 64, 65 };
	unsigned i;
	int wrong;

	snprintf(rel, sizeof(rel), "hashes/SHA2/%s", file);
	rsp_cavs(path, sizeof(path), rel);
	if (rsp_open(&r, path) < 0) {
		test_ok(0, "%s: cannot open %s", file, path);
		return;
	}
	while (rsp_next(&r, &k, &v)) {
		if (strcmp(k, "Len") == 0) {
			bits = strtoul(v, NULL, 10);
		} else if (strcmp(k, "Msg") == 0) {
			free(msg);
			msg = rsp_hex(v, &len);
		} else if (strcmp(k, "MD") == 0) {
			md = rsp_hex(v, &len);
			wrong = !msg || !md || len != 32 || bits % 8;
			for (i = 0; !wrong && i < sizeof(chunks) / sizeof(chunks[0]); i++) {
				hash_with(sha256_class(), got, msg, bits / 8, chunks[i]);
				wrong = memcmp(got, md, 32) != 0;
			}
			bad += wrong;
			free(md);
			n++;
		}
	}
	rsp_close(&r);
	free(msg);
	test_ok(n > 60 && bad == 0, "%s: %zu of %zu messages, whole and in 1-, 63-, 64- and "
	    "65-byte pieces (SHA instructions: %s)", file, n - bad, n,
	    sha256_hw() ? "yes" : "no");
}

/* Random messages of 0 to 400 bytes, split at random, against BearSSL's
 * class; and the state after the first part carried into a context of
 * the other class (state, then set_state), both ways. */
static void
check_against_bearssl(void)
{
	const br_hash_class *mine = sha256_class(), *ref = &br_sha256_vtable;
	uint8_t msg[400], a[32], b[32], c[32], st[32];
	br_sha256_context x, y;
	size_t len, cut;
	uint64_t count;
	int i, bad = 0;

	for (i = 0; i < 3000; i++) {
		len = (size_t)(test_rng(&rng_state) % (sizeof(msg) + 1));
		cut = len ? (size_t)(test_rng(&rng_state) % (len + 1)) : 0;
		test_fill(&rng_state, msg, len);
		hash_with(ref, a, msg, len, 0);
		/* ours, in two parts */
		mine->init(&x.vtable);
		x.vtable->update(&x.vtable, msg, cut);
		x.vtable->update(&x.vtable, msg + cut, len - cut);
		x.vtable->out(&x.vtable, b);
		bad += memcmp(a, b, 32) != 0;
		/* the first part by one class, the rest by the other */
		(i % 2 ? ref : mine)->init(&x.vtable);
		x.vtable->update(&x.vtable, msg, cut & ~(size_t)63);
		count = x.vtable->state(&x.vtable, st);
		(i % 2 ? mine : ref)->init(&y.vtable);
		y.vtable->set_state(&y.vtable, st, count);
		y.vtable->update(&y.vtable, msg + (cut & ~(size_t)63), len - (cut & ~(size_t)63));
		y.vtable->out(&y.vtable, c);
		bad += memcmp(a, c, 32) != 0;
	}
	test_ok(bad == 0, "3,000 random messages (0 to 400 bytes) split at random as "
	    "BearSSL's SHA-256, and states handed between the two classes");
}

/* HMAC with keys of 0 to 150 bytes (longer than a block: hashed first) */
static void
check_hmac(void)
{
	br_hmac_key_context ka, kb;
	br_hmac_context ha, hb;
	uint8_t key[150], msg[300], a[32], b[32];
	size_t klen, mlen;
	int i, bad = 0;

	for (i = 0; i < 500; i++) {
		klen = (size_t)(test_rng(&rng_state) % (sizeof(key) + 1));
		mlen = (size_t)(test_rng(&rng_state) % (sizeof(msg) + 1));
		test_fill(&rng_state, key, klen);
		test_fill(&rng_state, msg, mlen);
		br_hmac_key_init(&ka, &br_sha256_vtable, key, klen);
		br_hmac_key_init(&kb, sha256_class(), key, klen);
		br_hmac_init(&ha, &ka, 0);
		br_hmac_init(&hb, &kb, 0);
		br_hmac_update(&ha, msg, mlen);
		br_hmac_update(&hb, msg, mlen);
		br_hmac_out(&ha, a);
		br_hmac_out(&hb, b);
		bad += memcmp(a, b, 32) != 0;
	}
	test_ok(bad == 0, "500 HMAC-SHA-256 (keys of 0 to 150 bytes) as BearSSL's");
}

/* The PRF: secrets, labels, up to three seed chunks and outputs of 1 to
 * 200 bytes (12 for Finished, 48 for the master secret, 40 or more for
 * keys), against br_tls12_sha256_prf */
static void
check_prf(void)
{
	static const char *labels[] = { "master secret", "key expansion",
		"server finished", "" };
	uint8_t secret[64], s1[64], s2[40], s3[8], a[200], b[200];
	br_tls_prf_seed_chunk seed[3];
	size_t len, slen;
	int i, bad = 0;

	for (i = 0; i < 400; i++) {
		slen = (size_t)(test_rng(&rng_state) % (sizeof(secret) + 1));
		len = 1 + (size_t)(test_rng(&rng_state) % sizeof(a));
		test_fill(&rng_state, secret, slen);
		test_fill(&rng_state, s1, sizeof(s1));
		test_fill(&rng_state, s2, sizeof(s2));
		test_fill(&rng_state, s3, sizeof(s3));
		seed[0].data = s1;
		seed[0].len = (size_t)(test_rng(&rng_state) % (sizeof(s1) + 1));
		seed[1].data = s2;
		seed[1].len = sizeof(s2);
		seed[2].data = s3;
		seed[2].len = sizeof(s3);
		memset(a, 0x55, sizeof(a));
		memset(b, 0xaa, sizeof(b));
		br_tls12_sha256_prf(a, len, secret, slen, labels[i % 4], 1 + i % 3, seed);
		sha256_prf(b, len, secret, slen, labels[i % 4], 1 + i % 3, seed);
		/* the same bytes, and nothing written past len */
		bad += memcmp(a, b, len) != 0 || (len < sizeof(b) && b[len] != 0xaa);
	}
	test_ok(bad == 0, "400 TLS 1.2 PRF outputs (1 to 200 bytes, 1 to 3 seed chunks) "
	    "as BearSSL's br_tls12_sha256_prf");
}

int
main(void)
{
	check_cavs("SHA256ShortMsg.rsp");
	check_cavs("SHA256LongMsg.rsp");
	check_against_bearssl();
	check_hmac();
	check_prf();
	return test_done();
}
