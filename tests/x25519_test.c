/* SPDX-License-Identifier: MIT */
/* x25519_test.c - x25519.c: RFC 7748's known answers (section 5.2 from
 * Debian's python3-cryptography-vectors, its iterated test to 1,000, the
 * Diffie-Hellman of section 6.1), then against BearSSL's own X25519
 * (ec_c25519_m31) on random and edge-case inputs through the br_ec_impl
 * d20 hands to BearSSL, and that this impl still does P-256 as BearSSL's.
 * Where X25519_FAST is 0 (no 128-bit integers) the impl is BearSSL's and
 * the same checks hold. Then key pairs again, from the base-point table
 * (x25519_base_init). A missing vector file is a failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../x25519.h"
#include "rsp.h"
#include "test.h"

#define C25519 BR_EC_curve25519

/* splitmix64 with a fixed seed: the same inputs on every run */
static uint64_t rng_state = 0x6432302078323535;	/* "d20 x255" */

static void
unhex(uint8_t out[32], const char *hex)
{
	unsigned v;
	int i;

	for (i = 0; i < 32; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* X25519 through the impl d20 gives BearSSL: out = k * u */
static int
ladder(const br_ec_impl *ec, uint8_t out[32], const uint8_t k[32],
    const uint8_t u[32])
{
	memcpy(out, u, 32);
	return ec->mul(out, 32, k, 32, C25519) == 1;
}

static void
check_rfc7748_file(const br_ec_impl *ec)
{
	char path[512];
	rsp_file r;
	const char *k, *v;
	uint8_t *scalar = NULL, *u = NULL, *want, out[32];
	size_t n = 0, bad = 0, len;

	rsp_cavs(path, sizeof(path), "asymmetric/X25519/rfc7748.txt");
	if (rsp_open(&r, path) < 0) {
		test_ok(0, "RFC 7748 vectors: cannot open %s", path);
		return;
	}
	while (rsp_next(&r, &k, &v)) {
		if (strcmp(k, "INPUT_SCALAR") == 0) {
			free(scalar);
			scalar = rsp_hex(v, &len);
		} else if (strcmp(k, "INPUT_U") == 0) {
			free(u);
			u = rsp_hex(v, &len);
		} else if (strcmp(k, "OUTPUT_U") == 0) {
			want = rsp_hex(v, &len);
			if (!scalar || !u || !want || len != 32 ||
			    !ladder(ec, out, scalar, u) || memcmp(out, want, 32))
				bad++;
			n++;
			free(want);
		}
	}
	rsp_close(&r);
	free(scalar);
	free(u);
	test_ok(n == 3 && bad == 0, "RFC 7748 section 5.2: %zu of %zu vectors "
	    "(python3-cryptography-vectors)", n - bad, n);
}

/* RFC 7748 5.2: k = u = 9, then k, u = X25519(k, u), k */
static void
check_iterated(const br_ec_impl *ec)
{
	uint8_t k[32] = { 9 }, u[32] = { 9 }, t[32], want1[32], want1000[32];
	int i, ok = 1;

	unhex(want1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	unhex(want1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	for (i = 1; i <= 1000; i++) {
		ok &= ladder(ec, t, k, u);
		memcpy(u, k, 32);
		memcpy(k, t, 32);
		if (i == 1)
			ok &= !memcmp(k, want1, 32);
	}
	test_ok(ok && !memcmp(k, want1000, 32),
	    "RFC 7748 section 5.2: the iterated test after 1 and 1,000 rounds");
}

/* RFC 7748 6.1: both public keys and the shared secret, by mulgen and mul */
static void
check_dh(const br_ec_impl *ec)
{
	uint8_t a[32], b[32], apub[32], bpub[32], want_a[32], want_b[32];
	uint8_t want_k[32], k1[32], k2[32];
	int ok;

	unhex(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	unhex(want_a, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	unhex(want_b, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	unhex(want_k, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	ok = ec->mulgen(apub, a, 32, C25519) == 32 &&
	    ec->mulgen(bpub, b, 32, C25519) == 32 &&
	    ladder(ec, k1, a, bpub) && ladder(ec, k2, b, apub);
	test_ok(ok && !memcmp(apub, want_a, 32) && !memcmp(bpub, want_b, 32) &&
	    !memcmp(k1, want_k, 32) && !memcmp(k2, want_k, 32),
	    "RFC 7748 section 6.1: Alice's and Bob's public keys and their "
	    "shared secret");
}

/* Against BearSSL's X25519: random scalars and points, and the points
 * where a carry or the final reduction could go wrong: 0, 1, p - 1, p,
 * p + 1, 2^255 - 1 (u >= p is reduced; the top bit is ignored), runs of
 * all-ones and all-zero limbs. */
static void
check_against_bearssl(const br_ec_impl *ec)
{
	static const uint8_t top[] = { 0x00, 0x7f, 0x80, 0xff };
	uint8_t k[32], u[32], mine[32], theirs[32];
	int i, n = 0, bad = 0, e;

	for (i = 0; i < 2000; i++) {
		test_fill(&rng_state, k, 32);
		test_fill(&rng_state, u, 32);
		if (i < 256) {
			/* edge points: low byte e around p's 0xed, a fixed top */
			e = i % 64;
			memset(u, i & 64 ? 0xff : 0x00, 32);
			u[0] = (uint8_t)(0xe0 + e % 32);
			u[31] = top[i / 64 % 4];
			if (e >= 32)
				u[0] = (uint8_t)(e - 32);
		}
		memcpy(theirs, u, 32);
		if (!ladder(ec, mine, k, u) ||
		    br_ec_c25519_m31.mul(theirs, 32, k, 32, C25519) != 1 ||
		    memcmp(mine, theirs, 32) != 0) {
			if (!bad)
				test_note("input %d differs from BearSSL's", i);
			bad++;
		}
		n++;
	}
	test_ok(bad == 0, "%d X25519 products (256 edge points near 0, p and "
	    "2^255) as BearSSL's ec_c25519_m31", n);
}

/* The rest of the impl is BearSSL's: curve25519's generator, order (the
 * 2^255 - 1 its key generation masks with) and X offset, the curves
 * supported, and P-256 and P-384 public keys as br_ec_all_m31's. */
static void
check_other_curves(const br_ec_impl *ec)
{
	static const int curves[] = { C25519, BR_EC_secp256r1,
		BR_EC_secp384r1, BR_EC_secp521r1 };
	const br_ec_impl *ref = &br_ec_all_m31;
	const unsigned char *p, *q;
	uint8_t k[48], mine[97], theirs[97];
	size_t a, b;
	int i, c, ok = 1;

	ok &= ec->supported_curves == ref->supported_curves;
	for (i = 0; i < 4; i++) {
		c = curves[i];
		p = ec->generator(c, &a);
		q = ref->generator(c, &b);
		ok &= a == b && !memcmp(p, q, a);
		p = ec->order(c, &a);
		q = ref->order(c, &b);
		ok &= a == b && !memcmp(p, q, a);
		ok &= ec->xoff(c, &a) == ref->xoff(c, &b) && a == b;
	}
	for (i = 0; i < 20; i++) {
		c = i % 2 ? BR_EC_secp384r1 : BR_EC_secp256r1;
		test_fill(&rng_state, k, sizeof(k));
		k[0] &= 0x7f;
		a = ec->mulgen(mine, k, c == BR_EC_secp256r1 ? 32 : 48, c);
		b = ref->mulgen(theirs, k, c == BR_EC_secp256r1 ? 32 : 48, c);
		ok &= a > 0 && a == b && !memcmp(mine, theirs, a);
	}
	test_ok(ok, "the rest as br_ec_all_m31: curves, generators, orders, "
	    "offsets; 20 P-256 and P-384 public keys (X25519_FAST %d)",
	    X25519_FAST);
}

/* Key pairs from the table (x25519_base_init): mulgen against BearSSL's
 * and against the ladder, on random scalars and on those whose digits
 * carry all the way or end in 8 (all ones, all zero, 0x7f.. tops, 0x88..
 * and 0x77.. runs), and on scalars shorter than 32 bytes. */
static void
check_base(const br_ec_impl *ec)
{
	static const uint8_t fill[] = { 0x00, 0xff, 0x88, 0x77, 0x80, 0x7f, 0x08, 0xf7 };
	uint8_t k[32], mine[32], theirs[32], lad[32], nine[32] = { 9 };
	size_t klen;
	int i, n = 0, bad = 0;

	for (i = 0; i < 2000; i++) {
		test_fill(&rng_state, k, 32);
		if (i < 256) {
			memset(k, fill[i % 8], 32);
			k[31] = fill[i / 8 % 8];
			k[0] = (uint8_t)i;
		}
		klen = i % 100 == 99 ? (size_t)(1 + i / 100 % 31) : 32;
		if (ec->mulgen(mine, k, klen, C25519) != 32 ||
		    br_ec_c25519_m31.mulgen(theirs, k, klen, C25519) != 32 ||
		    memcmp(mine, theirs, 32) != 0)
			bad++;
#if X25519_FAST
		x25519_base(mine, k);
		x25519(lad, k, nine);
		bad += memcmp(mine, lad, 32) != 0;
#else
		(void)lad;
		(void)nine;
#endif
		n++;
	}
	test_ok(bad == 0, "%d key pairs from the base-point table as BearSSL's "
	    "and the ladder's (256 edge scalars, 20 shorter than 32 bytes)", n);
}

int
main(void)
{
	const br_ec_impl *ec = x25519_ec_impl();

	check_rfc7748_file(ec);
	check_iterated(ec);
	check_dh(ec);
	check_against_bearssl(ec);
	check_other_curves(ec);
	/* again, now that key pairs come from the table */
	x25519_base_init();
	x25519_base_init();	/* a second call changes nothing */
	check_dh(ec);
	check_base(ec);
	return test_done();
}
