/* SPDX-License-Identifier: MIT */
/* x25519.c - see x25519.h. X25519 as RFC 7748 defines it, over five
 * 51-bit limbs and 64x64->128-bit products. */
#include <string.h>

#include "p256.h"
#include "util.h"
#include "x25519.h"

#if X25519_FAST

typedef uint64_t fe[5];		/* a + b 2^51 + c 2^102 + d 2^153 + e 2^204 */
__extension__ typedef unsigned __int128 u128;

#define M51 ((((uint64_t)1) << 51) - 1)

/* Limb bounds: fe_mul and fe_mul_small leave limbs below 2^51 + 2^15;
 * fe_add of two such below 2^53, fe_sub (which adds 2p first) below 2^53
 * for a subtrahend below 2^52. fe_mul takes limbs below 2^54: its 128-bit
 * sums stay below 2^117 and its last carry times 19 below 2^64. */

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
store64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The 255 low bits of s[0..32), little-endian (RFC 7748 masks the top one). */
static void
fe_load(fe h, const uint8_t s[32])
{
	h[0] = load64(s) & M51;
	h[1] = load64(s + 6) >> 3 & M51;
	h[2] = load64(s + 12) >> 6 & M51;
	h[3] = load64(s + 19) >> 1 & M51;
	h[4] = load64(s + 24) >> 12 & M51;
}

/* Carry the five 128-bit column sums t into h, 2^255 folded in as 19. */
static void
fe_carry(fe h, u128 t[5])
{
	u128 c;
	int i;

	for (i = 0; i < 4; i++) {
		t[i + 1] += t[i] >> 51;
		h[i] = (uint64_t)t[i] & M51;
	}
	h[4] = (uint64_t)t[4] & M51;
	c = (u128)h[0] + (t[4] >> 51) * 19;
	h[0] = (uint64_t)c & M51;
	h[1] += (uint64_t)(c >> 51);
}

static void
fe_mul(fe h, const fe a, const fe b)
{
	uint64_t b1 = b[1] * 19, b2 = b[2] * 19, b3 = b[3] * 19, b4 = b[4] * 19;
	u128 t[5];

	t[0] = (u128)a[0] * b[0] + (u128)a[1] * b4 + (u128)a[2] * b3 +
	    (u128)a[3] * b2 + (u128)a[4] * b1;
	t[1] = (u128)a[0] * b[1] + (u128)a[1] * b[0] + (u128)a[2] * b4 +
	    (u128)a[3] * b3 + (u128)a[4] * b2;
	t[2] = (u128)a[0] * b[2] + (u128)a[1] * b[1] + (u128)a[2] * b[0] +
	    (u128)a[3] * b4 + (u128)a[4] * b3;
	t[3] = (u128)a[0] * b[3] + (u128)a[1] * b[2] + (u128)a[2] * b[1] +
	    (u128)a[3] * b[0] + (u128)a[4] * b4;
	t[4] = (u128)a[0] * b[4] + (u128)a[1] * b[3] + (u128)a[2] * b[2] +
	    (u128)a[3] * b[1] + (u128)a[4] * b[0];
	fe_carry(h, t);
}

/* h = a^(2^n), n >= 1: a square is a product with fewer terms. */
static void
fe_sqn(fe h, const fe a, int n)
{
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4];
	uint64_t d0, d1, d2, a3_19, a4_19;
	u128 t[5];

	for (;;) {
		d0 = 2 * a0, d1 = 2 * a1, d2 = 2 * a2;
		a3_19 = 19 * a3, a4_19 = 19 * a4;
		t[0] = (u128)a0 * a0 + (u128)d1 * a4_19 + (u128)d2 * a3_19;
		t[1] = (u128)d0 * a1 + (u128)d2 * a4_19 + (u128)a3 * a3_19;
		t[2] = (u128)d0 * a2 + (u128)a1 * a1 + (u128)(2 * a3) * a4_19;
		t[3] = (u128)d0 * a3 + (u128)d1 * a2 + (u128)a4 * a4_19;
		t[4] = (u128)d0 * a4 + (u128)d1 * a3 + (u128)a2 * a2;
		fe_carry(h, t);
		if (--n <= 0)
			break;
		a0 = h[0], a1 = h[1], a2 = h[2], a3 = h[3], a4 = h[4];
	}
}

static void
fe_mul_small(fe h, const fe a, uint32_t k)
{
	u128 t[5];
	int i;

	for (i = 0; i < 5; i++)
		t[i] = (u128)a[i] * k;
	fe_carry(h, t);
}

static void
fe_add(fe h, const fe a, const fe b)
{
	int i;

	for (i = 0; i < 5; i++)
		h[i] = a[i] + b[i];
}

/* a - b + 2p, so that no limb goes below zero */
static void
fe_sub(fe h, const fe a, const fe b)
{
	int i;

	h[0] = a[0] + (2 * M51 - 36) - b[0];
	for (i = 1; i < 5; i++)
		h[i] = a[i] + 2 * M51 - b[i];
}

/* Swap a and b when bit is 1, in the same time as when it is 0. */
static void
fe_cswap(fe a, fe b, uint64_t bit)
{
	uint64_t mask = 0 - bit, x;
	int i;

	for (i = 0; i < 5; i++) {
		x = mask & (a[i] ^ b[i]);
		a[i] ^= x;
		b[i] ^= x;
	}
}

/* h = z^(p - 2) = 1/z, p - 2 = 2^255 - 21 (0 for z = 0) */
static void
fe_invert(fe h, const fe z)
{
	fe z2, z9, z11, t, z5, z10, z20, z50, z100;

	fe_sqn(z2, z, 1);
	fe_sqn(t, z2, 2);
	fe_mul(z9, t, z);
	fe_mul(z11, z9, z2);
	fe_sqn(t, z11, 1);
	fe_mul(z5, t, z9);		/* z^(2^5 - 1) */
	fe_sqn(t, z5, 5);
	fe_mul(z10, t, z5);		/* z^(2^10 - 1) */
	fe_sqn(t, z10, 10);
	fe_mul(z20, t, z10);
	fe_sqn(t, z20, 20);
	fe_mul(t, t, z20);		/* z^(2^40 - 1) */
	fe_sqn(t, t, 10);
	fe_mul(z50, t, z10);
	fe_sqn(t, z50, 50);
	fe_mul(z100, t, z50);
	fe_sqn(t, z100, 100);
	fe_mul(t, t, z100);		/* z^(2^200 - 1) */
	fe_sqn(t, t, 50);
	fe_mul(t, t, z50);		/* z^(2^250 - 1) */
	fe_sqn(t, t, 5);
	fe_mul(h, t, z11);		/* z^(2^255 - 32 + 11) */
}

/* h as its one value below p, little-endian */
static void
fe_store(uint8_t s[32], const fe a)
{
	uint64_t h[5], q;
	int i, pass;

	memcpy(h, a, sizeof(h));
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 4; i++) {
			h[i + 1] += h[i] >> 51;
			h[i] &= M51;
		}
		h[0] += 19 * (h[4] >> 51);
		h[4] &= M51;
	}
	/* now h < 2^255 + 19 < 2p: q = 1 when h >= p, that is when h + 19
	 * carries out of bit 255 */
	q = (h[0] + 19) >> 51;
	for (i = 1; i < 5; i++)
		q = (h[i] + q) >> 51;
	h[0] += 19 * q;
	for (i = 0; i < 4; i++) {
		h[i + 1] += h[i] >> 51;
		h[i] &= M51;
	}
	h[4] &= M51;
	store64(s, h[0] | h[1] << 51);
	store64(s + 8, h[1] >> 13 | h[2] << 38);
	store64(s + 16, h[2] >> 26 | h[3] << 25);
	store64(s + 24, h[3] >> 39 | h[4] << 12);
}

static void
fe_small(fe h, uint64_t v)
{
	memset(h, 0, sizeof(fe));
	h[0] = v;
}

void
x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t u[32])
{
	fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
	uint8_t k[32];
	uint64_t swap = 0, bit;
	int t;

	memcpy(k, scalar, 32);
	k[0] &= 0xf8;
	k[31] = (uint8_t)((k[31] & 0x7f) | 0x40);
	fe_load(x1, u);
	fe_small(x2, 1);
	fe_small(z2, 0);
	memcpy(x3, x1, sizeof(fe));
	fe_small(z3, 1);
	/* RFC 7748, section 5: the Montgomery ladder */
	for (t = 254; t >= 0; t--) {
		bit = (uint64_t)(k[t >> 3] >> (t & 7) & 1);
		swap ^= bit;
		fe_cswap(x2, x3, swap);
		fe_cswap(z2, z3, swap);
		swap = bit;
		fe_add(a, x2, z2);
		fe_sqn(aa, a, 1);
		fe_sub(b, x2, z2);
		fe_sqn(bb, b, 1);
		fe_sub(e, aa, bb);
		fe_add(c, x3, z3);
		fe_sub(d, x3, z3);
		fe_mul(da, d, a);
		fe_mul(cb, c, b);
		fe_add(x3, da, cb);
		fe_sqn(x3, x3, 1);
		fe_sub(z3, da, cb);
		fe_sqn(z3, z3, 1);
		fe_mul(z3, x1, z3);
		fe_mul(x2, aa, bb);
		fe_mul_small(z2, e, 121665);
		fe_add(z2, aa, z2);
		fe_mul(z2, e, z2);
	}
	fe_cswap(x2, x3, swap);
	fe_cswap(z2, z3, swap);
	fe_invert(z2, z2);
	fe_mul(x2, x2, z2);
	fe_store(out, x2);
	memzero(k, sizeof(k));
}

/* ---- k times the base point, for a key pair ----
 *
 * X25519(k, 9) is the u of k B, B the base point of edwards25519 (the
 * twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 that Curve25519 maps
 * to, u = (1 + y) / (1 - y)). There k B comes from a table instead of
 * 255 ladder steps: k in 64 signed base-16 digits e_i (-8 to 8), grouped
 * by i mod 4, each group a sum over base_tab[j][|e| - 1] = |e| 2^(16 j) B,
 * then k B = sum over r of 16^r (sum over j of e_(4j+r) 2^(16j) B): 64
 * additions of a table point (7 products each, complete formulas: no
 * branch on the identity or on doubling) and 12 doublings, about a third
 * of the ladder's products. The table (public: multiples of B) is made
 * by x25519_base_init, once, in d20d's parent before its workers fork;
 * until then, and in d20, the ladder does it. */

/* A point in extended coordinates: x = X/Z, y = Y/Z, x y = T/Z. */
struct ext {
	fe X, Y, Z, T;
};

/* A table point, affine: y + x, y - x, 2 d x y. */
struct niels {
	fe ypx, ymx, xy2d;
};

static struct niels base_tab[16][8];
static fe d2;			/* 2 d */
/* x25519_base once the table is made: d20, which never makes it, links
 * none of this */
static void (*base_mul)(uint8_t out[32], const uint8_t scalar[32]);

/* B's x, little-endian (its y is 4/5) */
static const uint8_t BX[32] = {
	0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9,
	0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
	0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0,
	0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21
};

/* h = a where mask is all ones, unchanged where it is 0 */
static void
fe_cmov(fe h, const fe a, uint64_t mask)
{
	int i;

	for (i = 0; i < 5; i++)
		h[i] ^= mask & (h[i] ^ a[i]);
}

/* r = 2 p, with every bound of fe_sub and fe_mul kept: with a = -1,
 * E = 2 X Y, G = Y^2 - X^2, H = -(X^2 + Y^2), F = G - 2 Z^2; H and F
 * are computed negated, which negates all four outputs: the same point. */
static void
ext_dbl(struct ext *r, const struct ext *p)
{
	fe a, b, c, e, f, g, h;

	fe_sqn(a, p->X, 1);
	fe_sqn(b, p->Y, 1);
	fe_sqn(c, p->Z, 1);
	fe_add(e, p->X, p->Y);
	fe_sqn(e, e, 1);
	fe_sub(e, e, a);
	fe_sub(e, e, b);		/* 2 X Y */
	fe_sub(g, b, a);
	fe_add(h, a, b);		/* -H */
	fe_add(f, c, c);
	fe_add(f, f, a);
	fe_sub(f, f, b);		/* -F = 2 Z^2 + X^2 - Y^2 */
	fe_mul(r->X, e, f);
	fe_mul(r->Y, g, h);
	fe_mul(r->Z, f, g);
	fe_mul(r->T, e, h);
}

/* r = p + q, q a table point */
static void
ext_add(struct ext *r, const struct ext *p, const struct niels *q)
{
	fe a, b, c, d, e, f, g, h;

	fe_sub(a, p->Y, p->X);
	fe_mul(a, a, q->ymx);
	fe_add(b, p->Y, p->X);
	fe_mul(b, b, q->ypx);
	fe_mul(c, p->T, q->xy2d);
	fe_add(d, p->Z, p->Z);
	fe_sub(e, b, a);
	fe_sub(f, d, c);
	fe_add(g, d, c);
	fe_add(h, b, a);
	fe_mul(r->X, e, f);
	fe_mul(r->Y, g, h);
	fe_mul(r->Z, f, g);
	fe_mul(r->T, e, h);
}

static void
to_niels(struct niels *n, const struct ext *p)
{
	fe zi, x, y;

	fe_invert(zi, p->Z);
	fe_mul(x, p->X, zi);
	fe_mul(y, p->Y, zi);
	fe_add(n->ypx, y, x);
	fe_sub(n->ymx, y, x);
	fe_mul(n->xy2d, x, y);
	fe_mul(n->xy2d, n->xy2d, d2);
}

void
x25519_base_init(void)
{
	struct ext p, q;
	struct niels b;
	fe t;
	int j, m;

	if (base_mul)
		return;
	/* d = -121665 / 121666 */
	fe_small(t, 121666);
	fe_invert(t, t);
	fe_mul_small(d2, t, 121665);
	fe_small(t, 0);
	fe_sub(d2, t, d2);
	fe_add(d2, d2, d2);
	fe_mul_small(d2, d2, 1);
	/* B, with Z = 1 */
	fe_load(p.X, BX);
	fe_small(t, 5);
	fe_invert(t, t);
	fe_mul_small(p.Y, t, 4);
	fe_small(p.Z, 1);
	fe_mul(p.T, p.X, p.Y);
	for (j = 0; j < 16; j++) {
		/* p = 2^(16 j) B; its multiples 1 to 8 */
		to_niels(&b, &p);
		base_tab[j][0] = b;
		q = p;
		for (m = 1; m < 8; m++) {
			ext_add(&q, &q, &b);
			to_niels(&base_tab[j][m], &q);
		}
		for (m = 0; m < 16; m++)
			ext_dbl(&p, &p);
	}
	base_mul = x25519_base;
}

/* t = e times row's point (e from -8 to 8), every entry read */
static void
base_select(struct niels *t, const struct niels row[8], int e)
{
	uint64_t neg = 0 - (uint64_t)((uint32_t)e >> 31), mask;
	uint32_t a = (uint32_t)((e ^ (int)neg) - (int)neg), m;	/* |e| */
	fe n;

	fe_small(t->ypx, 1);
	fe_small(t->ymx, 1);
	fe_small(t->xy2d, 0);
	for (m = 1; m <= 8; m++) {
		mask = 0 - (uint64_t)(((a ^ m) - 1) >> 31);
		fe_cmov(t->ypx, row[m - 1].ypx, mask);
		fe_cmov(t->ymx, row[m - 1].ymx, mask);
		fe_cmov(t->xy2d, row[m - 1].xy2d, mask);
	}
	/* -(x, y) = (-x, y): y + x and y - x trade places, 2 d x y turns */
	fe_cswap(t->ypx, t->ymx, neg & 1);
	fe_small(n, 0);
	fe_sub(n, n, t->xy2d);
	fe_cmov(t->xy2d, n, neg);
}

void
x25519_base(uint8_t out[32], const uint8_t scalar[32])
{
	struct ext p;
	struct niels t;
	uint8_t k[32];
	signed char e[64];
	int i, j, r, carry = 0;
	fe n, d;

	memcpy(k, scalar, 32);
	k[0] &= 0xf8;
	k[31] = (uint8_t)((k[31] & 0x7f) | 0x40);
	for (i = 0; i < 32; i++) {
		e[2 * i] = (signed char)(k[i] & 15);
		e[2 * i + 1] = (signed char)(k[i] >> 4);
	}
	/* digits from -8 to 7, the last from 0 to 8 (k < 2^255) */
	for (i = 0; i < 63; i++) {
		e[i] = (signed char)(e[i] + carry);
		carry = (e[i] + 8) >> 4;
		e[i] = (signed char)(e[i] - carry * 16);
	}
	e[63] = (signed char)(e[63] + carry);
	/* the identity: (0 : 1 : 1 : 0) */
	fe_small(p.X, 0);
	fe_small(p.Y, 1);
	fe_small(p.Z, 1);
	fe_small(p.T, 0);
	for (r = 3; r >= 0; r--) {
		if (r < 3)
			for (i = 0; i < 4; i++)
				ext_dbl(&p, &p);
		for (j = 0; j < 16; j++) {
			base_select(&t, base_tab[j], e[4 * j + r]);
			ext_add(&p, &p, &t);
		}
	}
	/* u = (Z + Y) / (Z - Y) */
	fe_add(n, p.Z, p.Y);
	fe_sub(d, p.Z, p.Y);
	fe_invert(d, d);
	fe_mul(n, n, d);
	fe_store(out, n);
	memzero(k, sizeof(k));
	memzero(e, sizeof(e));
	memzero(&p, sizeof(p));
	memzero(&t, sizeof(t));
}

/* ---- as a BearSSL curve implementation ---- */

/* BearSSL's code for each other curve, as br_ec_all_m31 picks it (naming
 * that one would link its X25519 too): P-256 on 31-bit limbs, P-384 and
 * P-521 on generic 31-bit integers. */
static const br_ec_impl *
other(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
}

static const unsigned char BASE[32] = { 9 };

/* What BearSSL gives as curve25519's order, 2^255 - 1 big-endian (not the
 * subgroup's): a private key is then 255 random bits, which X25519 clamps. */
static const unsigned char ORDER[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static const unsigned char *
ec_generator(int curve, size_t *len)
{
	if (curve != BR_EC_curve25519)
		return other(curve)->generator(curve, len);
	*len = sizeof(BASE);
	return BASE;
}

static const unsigned char *
ec_order(int curve, size_t *len)
{
	if (curve != BR_EC_curve25519)
		return other(curve)->order(curve, len);
	*len = sizeof(ORDER);
	return ORDER;
}

/* where the X coordinate is in an encoded point: all of it, for X25519 */
static size_t
ec_xoff(int curve, size_t *len)
{
	if (curve != BR_EC_curve25519)
		return other(curve)->xoff(curve, len);
	*len = 32;
	return 0;
}

/* s = k (klen <= 32): as BearSSL's own X25519, a shorter scalar is its
 * low bytes */
static void
scalar32(uint8_t s[32], const unsigned char *k, size_t klen)
{
	memset(s, 0, 32);
	memcpy(s, k, klen);
}

static uint32_t
ec_mul(unsigned char *G, size_t Glen, const unsigned char *k, size_t klen,
    int curve)
{
	uint8_t s[32];

	if (curve != BR_EC_curve25519)
		return other(curve)->mul(G, Glen, k, klen, curve);
	if (Glen != 32 || klen > 32)
		return 0;
	scalar32(s, k, klen);
	x25519(G, s, G);
	memzero(s, sizeof(s));
	return 1;
}

static size_t
ec_mulgen(unsigned char *R, const unsigned char *k, size_t klen, int curve)
{
	if (curve == BR_EC_secp256r1)
		return p256_mulgen(R, k, klen);
	if (curve != BR_EC_curve25519)
		return other(curve)->mulgen(R, k, klen, curve);
	if (base_mul && klen <= 32) {
		uint8_t s[32];

		scalar32(s, k, klen);
		base_mul(R, s);
		memzero(s, sizeof(s));
		return sizeof(BASE);
	}
	memcpy(R, BASE, sizeof(BASE));
	return ec_mul(R, sizeof(BASE), k, klen, curve) ? sizeof(BASE) : 0;
}

/* ECDSA's sum of two products: not defined for X25519 (BearSSL's returns
 * 0 there too) */
static uint32_t
ec_muladd(unsigned char *A, const unsigned char *B, size_t len,
    const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
    int curve)
{
	if (curve == BR_EC_curve25519)
		return 0;
	return other(curve)->muladd(A, B, len, x, xlen, y, ylen, curve);
}

/* the curves of br_ec_all_m31: P-256, P-384, P-521 and curve25519 */
static const br_ec_impl ec = {
	(uint32_t)1 << BR_EC_secp256r1 | (uint32_t)1 << BR_EC_secp384r1 |
	    (uint32_t)1 << BR_EC_secp521r1 | (uint32_t)1 << BR_EC_curve25519,
	ec_generator, ec_order, ec_xoff, ec_mul, ec_mulgen, ec_muladd
};

const br_ec_impl *
x25519_ec_impl(void)
{
	return &ec;
}

#else

void
x25519_base_init(void)
{
}

const br_ec_impl *
x25519_ec_impl(void)
{
	return br_ec_get_default();
}

#endif
