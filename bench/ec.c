/* SPDX-License-Identifier: MIT */
/* bench/ec.c - what the public-key arithmetic of one TLS 1.2 ECDHE-ECDSA
 * handshake costs the server in the BearSSL d20d links (make bench): the
 * X25519 or P-256 key exchange (a key pair, then the shared secret) and
 * the ECDSA P-256 signature, with the curves d20's engines get
 * (x25519_ec_impl: x25519.c's X25519, its key pair from the base-point
 * table as in d20d's workers and by the ladder as in d20, p256.c's k*G,
 * BearSSL's m31 code for the rest) and the signature as d20d's signer makes it
 * (p256_sign_raw where P256_FAST); and BearSSL's own X25519
 * (ec_c25519_m31) and ECDSA (ec_p256_m31, br_ecdsa_i31_sign_asn1) beside.
 * CPU time per operation, best of 5 runs; bench/ec.sh makes the table. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bearssl.h"
#include "cputime.h"
#include "../p256.h"
#include "../x25519.h"

/* microseconds per call of op, best of 5 runs of n calls */
static double
best(void (*op)(void), int n)
{
	double b = 1e9, t;
	int r, i;

	for (r = 0; r < 5; r++) {
		t = cpu_seconds();
		for (i = 0; i < n; i++)
			op();
		t = (cpu_seconds() - t) / n * 1e6;
		if (t < b)
			b = t;
	}
	return b;
}

static unsigned char x[32] = { 0x5a, 0x17, 0x3c, 0x99 };
static unsigned char peer[65], out[65];
static size_t peer_len;
static int curve;
static const br_ec_impl *ec;

static void
exchange(void)
{
	/* the server's key pair, then the secret with the client's point */
	(void)ec->mulgen(out, x, sizeof(x), curve);
	memcpy(out, peer, peer_len);
	(void)ec->mul(out, peer_len, x, sizeof(x), curve);
	x[31]++;
}

static unsigned char hash[32], sig[80], priv[32] = { 0x42, 0x11, 0x07 };

static void
sign(void)
{
#if P256_FAST
	(void)br_ecdsa_raw_to_asn1(sig, p256_sign_raw(&br_sha256_vtable, hash,
	    sizeof(hash), priv, sizeof(priv), sig));
#else
	br_ec_private_key sk = { BR_EC_secp256r1, priv, sizeof(priv) };

	(void)br_ecdsa_sign_asn1_get_default()(ec, &br_sha256_vtable, hash, &sk, sig);
#endif
	hash[0]++;
}

static void
sign_m31(void)
{
	br_ec_private_key sk = { BR_EC_secp256r1, priv, sizeof(priv) };

	(void)br_ecdsa_i31_sign_asn1(&br_ec_p256_m31, &br_sha256_vtable, hash, &sk, sig);
	hash[0]++;
}

int
main(void)
{
	double xdh, xlad, xm31, pdh, sg, sgm31;

	x[0] &= 0x7f;
	curve = BR_EC_curve25519;
	ec = &br_ec_c25519_m31;
	peer_len = ec->mulgen(peer, (const unsigned char *)"\x09\x08\x07", 3, curve);
	xm31 = best(exchange, 200);
	ec = x25519_ec_impl();
	xlad = best(exchange, 200);
	/* as d20d's workers: the key pair from the base-point table */
	x25519_base_init();
	xdh = best(exchange, 200);
	curve = BR_EC_secp256r1;
	peer_len = ec->mulgen(peer, (const unsigned char *)"\x09\x08\x07", 3, curve);
	pdh = best(exchange, 100);
	sg = best(sign, 200);
	sgm31 = best(sign_m31, 200);
	/* for bench/ec.sh: name and microseconds */
	printf("x25519 %.1f\nx25519_ladder %.1f\nx25519_m31 %.1f\np256 %.1f\n"
	    "ecdsa %.1f\necdsa_m31 %.1f\n", xdh, xlad, xm31, pdh, sg, sgm31);
	return 0;
}
