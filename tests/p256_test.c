/* SPDX-License-Identifier: MIT */
/* p256_test.c - p256.c: the P-256 key pairs of NIST's CAVP (FIPS 186-3
 * KeyPair.rsp, from Debian's python3-cryptography-vectors), the scalars
 * 1, 2, n - 1 and n - 2 by their known points, random and edge-case
 * scalars against BearSSL's own ec_p256_m31, and ECDSA signatures made
 * through the br_ec_impl d20 gives BearSSL: byte for byte those of
 * ec_p256_m31 (BearSSL's k is RFC 6979's, so deterministic) and verified
 * by BearSSL. Where P256_FAST is 0 the impl is BearSSL's and only the
 * signature checks apply. A missing vector file is a failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../p256.h"
#include "../x25519.h"
#include "rsp.h"
#include "test.h"

#define P256 BR_EC_secp256r1

/* splitmix64 with a fixed seed: the same inputs on every run */
static uint64_t rng_state = 0x6432302070323536;	/* "d20 p256" */

/* the group order n, big-endian (FIPS 186-4 D.1.2.3) */
static const uint8_t N[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
};

static int
less_than_n(const uint8_t k[32])
{
	return memcmp(k, N, 32) < 0;
}

#if P256_FAST

/* big-endian a - v, v small (no borrow out of a) */
static void
minus(uint8_t out[32], const uint8_t a[32], unsigned v)
{
	int i;

	memcpy(out, a, 32);
	for (i = 31; i >= 0 && v; i--) {
		unsigned d = out[i];

		out[i] = (uint8_t)(d - (v & 0xff));
		v = (v >> 8) + (d < (v & 0xff));
	}
}

static void
check_keypair_file(void)
{
	char path[512];
	rsp_file r;
	const char *k, *v;
	uint8_t *d = NULL, *qx = NULL, *qy, out[65];
	size_t n = 0, bad = 0, dlen = 0, xlen = 0, ylen;
	int in_p256 = 0;

	rsp_cavs(path, sizeof(path), "asymmetric/ECDSA/FIPS_186-3/KeyPair.rsp");
	if (rsp_open(&r, path) < 0) {
		test_ok(0, "CAVP P-256 key pairs: cannot open %s", path);
		return;
	}
	while (rsp_next(&r, &k, &v)) {
		if (strcmp(k, "[") == 0 && v[0] != 'B')
			in_p256 = strcmp(v, "P-256") == 0;
		else if (!in_p256)
			continue;
		else if (strcmp(k, "d") == 0) {
			free(d);
			d = rsp_hex(v, &dlen);
		} else if (strcmp(k, "Qx") == 0) {
			free(qx);
			qx = rsp_hex(v, &xlen);
		} else if (strcmp(k, "Qy") == 0) {
			qy = rsp_hex(v, &ylen);
			if (!d || !qx || !qy || xlen != 32 || ylen != 32 ||
			    p256_mulgen(out, d, dlen) != 65 || out[0] != 4 ||
			    memcmp(out + 1, qx, 32) || memcmp(out + 33, qy, 32))
				bad++;
			n++;
			free(qy);
		}
	}
	rsp_close(&r);
	free(d);
	free(qx);
	test_ok(n == 10 && bad == 0, "CAVP FIPS 186-3 P-256 key pairs: %zu of "
	    "%zu public keys (python3-cryptography-vectors)", n - bad, n);
}

/* a and b (uncompressed points) are each other's negatives: the same X,
 * and Ys that sum to p */
static int
negatives(const uint8_t a[65], const uint8_t b[65])
{
	static const uint8_t p[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t y[32];
	unsigned carry = 0, s;
	int i;

	for (i = 31; i >= 0; i--) {
		s = a[33 + i] + b[33 + i] + carry;
		y[i] = (uint8_t)s;
		carry = s >> 8;
	}
	return !memcmp(a + 1, b + 1, 32) && carry == 0 && !memcmp(y, p, 32);
}

/* 1 G and 2 G, and (n - 1) G = -G, (n - 2) G = -2G: the same X, the Y
 * that with it sums to p */
static void
check_known(void)
{
	static const uint8_t g[65] = { 0x04,
		0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47,
		0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
		0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
		0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
		0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b,
		0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
		0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
		0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5 };
	static const uint8_t g2[65] = { 0x04,
		0x7c, 0xf2, 0x7b, 0x18, 0x8d, 0x03, 0x4f, 0x7e,
		0x8a, 0x52, 0x38, 0x03, 0x04, 0xb5, 0x1a, 0xc3,
		0xc0, 0x89, 0x69, 0xe2, 0x77, 0xf2, 0x1b, 0x35,
		0xa6, 0x0b, 0x48, 0xfc, 0x47, 0x66, 0x99, 0x78,
		0x07, 0x77, 0x55, 0x10, 0xdb, 0x8e, 0xd0, 0x40,
		0x29, 0x3d, 0x9a, 0xc6, 0x9f, 0x74, 0x30, 0xdb,
		0xba, 0x7d, 0xad, 0xe6, 0x3c, 0xe9, 0x82, 0x29,
		0x9e, 0x04, 0xb7, 0x9d, 0x22, 0x78, 0x73, 0xd1 };
	uint8_t k[32], out[65];
	unsigned c;
	int ok = 1;

	memset(k, 0, 32);
	k[31] = 1;
	ok &= p256_mulgen(out, k, 32) == 65 && !memcmp(out, g, 65);
	ok &= p256_mulgen(out, k + 31, 1) == 65 && !memcmp(out, g, 65);
	k[31] = 2;
	ok &= p256_mulgen(out, k, 32) == 65 && !memcmp(out, g2, 65);
	ok &= p256_mulgen(out, k, 33) == 0;
	for (c = 1; c <= 2; c++) {
		minus(k, N, c);
		ok &= p256_mulgen(out, k, 32) == 65 &&
		    negatives(out, c == 1 ? g : g2);
	}
	test_ok(ok, "known points: 1G, 2G (also from a 1-byte scalar), "
	    "(n-1)G = -G, (n-2)G = -2G; a 33-byte scalar refused");
}

/* Against BearSSL's ec_p256_m31: random scalars below n, and edge
 * scalars: 64-bit runs of ones and zeros in every combination, with
 * single bits set, and n - 1 down to n - 112. */
static void
check_against_bearssl(void)
{
	uint8_t k[32], mine[65], theirs[65];
	int i, n = 0, bad = 0, t;

	for (i = 0; i < 2000; i++) {
		test_fill(&rng_state, k, 32);
		if (i < 256) {
			t = i % 16;
			/* the 64-bit limbs j set in t all ones, the others zero */
			memset(k, 0, 32);
			for (int j = 0; j < 4; j++)
				if (t >> j & 1)
					memset(k + 24 - 8 * j, 0xff, 8);
			if (i >= 16 && i < 16 + 256 / 2)
				k[31 - (i - 16) / 8 % 32] |= (uint8_t)(1 << (i % 8));
			else if (i >= 144)
				minus(k, N, (unsigned)(i - 143));
		}
		if (!less_than_n(k))
			k[0] &= 0x7f;
		if (!memcmp(k, (uint8_t[32]){ 0 }, 32))
			k[31] = 1;
		if (p256_mulgen(mine, k, 32) != 65 ||
		    br_ec_p256_m31.mulgen(theirs, k, 32, P256) != 65 ||
		    memcmp(mine, theirs, 65) != 0) {
			if (!bad)
				test_note("scalar %d differs from BearSSL's", i);
			bad++;
		}
		n++;
	}
	test_ok(bad == 0, "%d P-256 generator multiples (256 edge scalars: "
	    "64-bit runs, single bits, n - 1 down to n - 112) as BearSSL's "
	    "ec_p256_m31", n);
}

/* p256_sign_raw against BearSSL's br_ecdsa_i31_sign_raw: the same r and s
 * for hashes of every length TLS signs (SHA-1 to SHA-512: shorter than
 * the order, equal, truncated), keys of 32 bytes and shorter, and keys
 * near n; then verified by BearSSL. */
static void
check_sign_raw(void)
{
	static const br_hash_class *const hf[] = { &br_sha1_vtable,
		&br_sha224_vtable, &br_sha256_vtable, &br_sha384_vtable,
		&br_sha512_vtable };
	uint8_t x[32], pub[65], hash[64], mine[64], theirs[64];
	br_ec_private_key sk;
	br_ec_public_key pk;
	size_t a, b, hlen, xlen;
	int i, n = 0, bad = 0;

	for (i = 0; i < 250; i++) {
		test_fill(&rng_state, x, 32);
		if (i % 50 == 1)
			minus(x, N, (unsigned)(i + 1));
		if (!less_than_n(x))
			x[0] &= 0x7f;
		xlen = 32;
		if (i % 10 == 3) {	/* a key with a zero top byte, given short */
			x[0] = 0;
			xlen = 31;
		}
		test_fill(&rng_state, hash, sizeof(hash));
		hlen = (hf[i % 5]->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
		sk.curve = P256;
		sk.x = x + 32 - xlen;
		sk.xlen = xlen;
		pk.curve = P256;
		pk.q = pub;
		pk.qlen = br_ec_p256_m31.mulgen(pub, x, 32, P256);
		a = p256_sign_raw(hf[i % 5], hash, hlen, sk.x, xlen, mine);
		b = br_ecdsa_i31_sign_raw(&br_ec_p256_m31, hf[i % 5], hash, &sk, theirs);
		if (a != 64 || a != b || memcmp(mine, theirs, a) ||
		    !br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, hlen, &pk, mine, a)) {
			if (!bad)
				test_note("signature %d differs from BearSSL's", i);
			bad++;
		}
		n++;
	}
	test_ok(bad == 0 && p256_sign_raw(&br_sha256_vtable, hash, 32, x, 33,
	    mine) == 0, "%d ECDSA P-256 signatures by p256_sign_raw (SHA-1 to "
	    "SHA-512, short keys, keys near n) as BearSSL's, byte for byte, "
	    "and verified; a 33-byte key refused", n);
}

#endif

/* ECDSA through x25519_ec_impl(), as d20d's signer makes it: the same
 * bytes as BearSSL's ec_p256_m31 gives (RFC 6979's deterministic k), and
 * BearSSL verifies them. */
static void
check_ecdsa(void)
{
	const br_ec_impl *ec = x25519_ec_impl();
	uint8_t x[32], pub[65], hash[48], mine[80], theirs[80];
	br_ec_private_key sk;
	br_ec_public_key pk;
	size_t a, b;
	int i, n = 0, bad = 0;

	for (i = 0; i < 50; i++) {
		test_fill(&rng_state, x, 32);
		if (!less_than_n(x))
			x[0] &= 0x7f;
		test_fill(&rng_state, hash, sizeof(hash));
		sk.curve = P256;
		sk.x = x;
		sk.xlen = 32;
		pk.curve = P256;
		pk.q = pub;
		pk.qlen = br_ec_p256_m31.mulgen(pub, x, 32, P256);
		a = br_ecdsa_i31_sign_asn1(ec, &br_sha256_vtable, hash, &sk, mine);
		b = br_ecdsa_i31_sign_asn1(&br_ec_p256_m31, &br_sha256_vtable,
		    hash, &sk, theirs);
		if (a == 0 || a != b || memcmp(mine, theirs, a) ||
		    !br_ecdsa_i31_vrfy_asn1(&br_ec_p256_m31, hash, 32, &pk, mine, a))
			bad++;
		n++;
	}
	test_ok(bad == 0, "%d ECDSA P-256 signatures through the impl d20 "
	    "gives BearSSL: as ec_p256_m31's, byte for byte, and verified "
	    "(P256_FAST %d)", n, P256_FAST);
}

int
main(void)
{
#if P256_FAST
	check_keypair_file();
	check_known();
	check_against_bearssl();
	check_sign_raw();
#endif
	check_ecdsa();
	return test_done();
}
