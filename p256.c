/* SPDX-License-Identifier: MIT */
/* p256.c - see p256.h. The curve y^2 = x^3 - 3x + b over GF(p),
 * p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-4 D.1.2.3): field
 * elements in Montgomery form (a 2^256 mod p) on four 64-bit limbs;
 * points in homogeneous projective coordinates with the complete formulas
 * of Renes, Costello and Batina ("Complete addition formulas for prime
 * order elliptic curves", 2016: algorithm 6 to double, algorithm 4 with
 * Z2 = 1 to add an affine point), which have no exceptional case, so
 * there is no branch on the point at infinity or on P = Q; and k*G by a
 * comb of six teeth 43 bits apart: 43 doublings and 43 additions of one
 * of 63 precomputed affine points, read in constant time. */
#include <string.h>

#include "p256.h"
#include "util.h"

#if P256_FAST

__extension__ typedef unsigned __int128 u128;

/* The field's loops are over four limbs: unrolled ("#pragma GCC unroll",
 * which clang reads too), and the final subtraction and the reduction
 * inlined into their callers, k*G takes half the time it takes at -O2
 * without them (78 to 53 us here). */
typedef uint64_t fp[4];		/* little-endian limbs, below p */

struct point {			/* (X : Y : Z), x = X/Z and y = Y/Z */
	fp x, y, z;
};

struct affine {
	fp x, y;
};

static const fp P = {
	0xffffffffffffffff, 0x00000000ffffffff, 0, 0xffffffff00000001
};

/* 2^512 mod p: multiplying by it enters Montgomery form */
static const fp RR = {
	0x0000000000000003, 0xfffffffbffffffff, 0xfffffffffffffffe, 0x00000004fffffffd
};

/* b and the generator G, as FIPS 186-4 D.1.2.3 gives them */
static const fp B_PLAIN = {
	0x3bce3c3e27d2604b, 0x651d06b0cc53b0f6, 0xb3ebbd55769886bc, 0x5ac635d8aa3a93e7
};
static const fp GX = {
	0xf4a13945d898c296, 0x77037d812deb33a0, 0xf8bce6e563a440f2, 0x6b17d1f2e12c4247
};
static const fp GY = {
	0xcbb6406837bf51f5, 0x2bce33576b315ece, 0x8ee7eb4a7c0f9e16, 0x4fe342e2fe1a7f9b
};

static fp b_mont, one_mont;
/* The comb: TEETH bits of k, SPACING apart, pick one of 2^TEETH - 1
 * points per step, so k*G takes SPACING doublings and additions. Six
 * teeth (43 steps over 63 points) beat four (64 over 15): a step costs 23
 * products, reading the table in constant time a few hundred loads. */
#define TEETH 6
#define SPACING ((256 + TEETH - 1) / TEETH)
#define COMB (1 << TEETH)

/* comb[i] = sum of 2^(SPACING j) G over the bits j of i, i >= 1 */
static struct affine comb[COMB];
static int comb_ready;

/* r = t - m if t (five limbs, below 2m) is at least m, else t */
static inline __attribute__((always_inline)) void
mod_final(fp r, const uint64_t t[5], const fp m)
{
	uint64_t d[4], borrow = 0, keep;
	u128 s;
	int i;

#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		s = (u128)t[i] - m[i] - borrow;
		d[i] = (uint64_t)s;
		borrow = (uint64_t)(s >> 64) & 1;
	}
	/* t < m exactly when the subtraction borrows past the fifth limb */
	keep = -(borrow & ~t[4] & 1);
#pragma GCC unroll 4
	for (i = 0; i < 4; i++)
		r[i] = (t[i] & keep) | (d[i] & ~keep);
}

static inline __attribute__((always_inline)) void
fp_final(fp r, const uint64_t t[5])
{
	mod_final(r, t, P);
}

/* t = a + b, five limbs */
static inline __attribute__((always_inline)) void
add_wide(uint64_t t[5], const fp a, const fp b)
{
	uint64_t c = 0;
	u128 s;
	int i;

#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		s = (u128)a[i] + b[i] + c;
		t[i] = (uint64_t)s;
		c = (uint64_t)(s >> 64);
	}
	t[4] = c;
}

static void
fp_add(fp r, const fp a, const fp b)
{
	uint64_t t[5];

	add_wide(t, a, b);
	fp_final(r, t);
}

static void
fp_sub(fp r, const fp a, const fp b)
{
	uint64_t d[4], borrow = 0, c = 0, m;
	u128 s;
	int i;

#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		s = (u128)a[i] - b[i] - borrow;
		d[i] = (uint64_t)s;
		borrow = (uint64_t)(s >> 64) & 1;
	}
	m = -borrow;		/* a < b: add p back */
#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		s = (u128)d[i] + (P[i] & m) + c;
		r[i] = (uint64_t)s;
		c = (uint64_t)(s >> 64);
	}
}

/* r = t / 2^256 mod p for a product t < p^2 (Montgomery's reduction, a
 * limb at a time). -1/p mod 2^64 is 1, so each step's multiplier is the
 * low limb itself, and m (2^64 - 1) + m = m 2^64; p's other limbs are
 * 2^32 - 1, 0 and 2^64 - 2^32 + 1. The result is below 2p before
 * fp_final. */
static inline __attribute__((always_inline)) void
fp_redc(fp r, uint64_t t[8])
{
	uint64_t m, c, top = 0, u[5];
	u128 s;
	int i;

#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		m = t[i];
		s = (u128)m * P[1] + t[i + 1] + m;
		t[i + 1] = (uint64_t)s;
		s = (u128)t[i + 2] + (uint64_t)(s >> 64);
		t[i + 2] = (uint64_t)s;
		s = (u128)m * P[3] + t[i + 3] + (uint64_t)(s >> 64);
		t[i + 3] = (uint64_t)s;
		c = (uint64_t)(s >> 64);
		s = (u128)t[i + 4] + c + top;
		t[i + 4] = (uint64_t)s;
		top = (uint64_t)(s >> 64);
	}
	memcpy(u, t + 4, 4 * sizeof(uint64_t));
	u[4] = top;
	fp_final(r, u);
}

/* t = a b, 512 bits */
static inline __attribute__((always_inline)) void
mul_wide(uint64_t t[8], const fp a, const fp b)
{
	uint64_t c;
	u128 s;
	int i, j;

	memset(t, 0, 8 * sizeof(uint64_t));
#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		c = 0;
#pragma GCC unroll 4
		for (j = 0; j < 4; j++) {
			s = (u128)a[j] * b[i] + t[i + j] + c;
			t[i + j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
		t[i + 4] = c;
	}
}

/* r = a b / 2^256 mod p */
static void
fp_mul(fp r, const fp a, const fp b)
{
	uint64_t t[8];

	mul_wide(t, a, b);
	fp_redc(r, t);
}

/* r = a^2 / 2^256 mod p: the six products a_i a_j (i < j) once, doubled,
 * plus the four squares */
static void
fp_sqr(fp r, const fp a)
{
	uint64_t t[8], c;
	u128 s;
	int i, j;

	memset(t, 0, sizeof(t));
#pragma GCC unroll 3
	for (i = 0; i < 3; i++) {
		c = 0;
#pragma GCC unroll 3
		for (j = i + 1; j < 4; j++) {
			s = (u128)a[j] * a[i] + t[i + j] + c;
			t[i + j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
		t[i + 4] = c;
	}
#pragma GCC unroll 7
	for (i = 7; i > 0; i--)
		t[i] = t[i] << 1 | t[i - 1] >> 63;
	t[0] <<= 1;
	c = 0;
#pragma GCC unroll 4
	for (i = 0; i < 4; i++) {
		s = (u128)a[i] * a[i] + t[2 * i] + c;
		t[2 * i] = (uint64_t)s;
		s = (u128)t[2 * i + 1] + (uint64_t)(s >> 64);
		t[2 * i + 1] = (uint64_t)s;
		c = (uint64_t)(s >> 64);
	}
	fp_redc(r, t);
}

/* r = a squared n times */
static void
fp_sqrn(fp r, const fp a, int n)
{
	fp_sqr(r, a);
	while (--n > 0)
		fp_sqr(r, r);
}

/* r = a^(p - 2) = 1/a (0 for 0). p - 2 in 32-bit words is ffffffff
 * 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd: with
 * x_k = a^(2^k - 1), 269 squares and 13 products. */
static void
fp_inv(fp r, const fp a)
{
	fp x2, x4, x8, x16, x32, x30, t;

	fp_sqr(t, a);
	fp_mul(x2, t, a);
	fp_sqrn(t, x2, 2);
	fp_mul(x4, t, x2);
	fp_sqrn(t, x4, 4);
	fp_mul(x8, t, x4);
	fp_sqrn(t, x8, 8);
	fp_mul(x16, t, x8);
	fp_sqrn(t, x16, 16);
	fp_mul(x32, t, x16);
	fp_sqrn(t, x16, 8);		/* x30 = x16 x8 x4 x2, shifted into place */
	fp_mul(t, t, x8);
	fp_sqrn(t, t, 4);
	fp_mul(t, t, x4);
	fp_sqrn(t, t, 2);
	fp_mul(x30, t, x2);
	fp_sqrn(t, x32, 32);		/* ffffffff 00000001 */
	fp_mul(t, t, a);
	fp_sqrn(t, t, 128);		/* then 00000000 x3, ffffffff */
	fp_mul(t, t, x32);
	fp_sqrn(t, t, 32);		/* ffffffff */
	fp_mul(t, t, x32);
	fp_sqrn(t, t, 30);		/* fffffffd: 30 ones, 0, 1 */
	fp_mul(t, t, x30);
	fp_sqrn(t, t, 2);
	fp_mul(r, t, a);
}

/* big-endian 32 bytes in and out of (plain, not Montgomery) limbs */
static void
fp_decode(fp r, const uint8_t s[32])
{
	int i, j;

	for (i = 0; i < 4; i++) {
		r[i] = 0;
		for (j = 0; j < 8; j++)
			r[i] = r[i] << 8 | s[(3 - i) * 8 + j];
	}
}

static void
fp_encode(uint8_t s[32], const fp a)
{
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			s[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

/* r = 2 p: algorithm 6 (a = -3), 3 squares and 8 products */
static void
pt_double(struct point *r, const struct point *p)
{
	fp t0, t1, t2, t3, x3, y3, z3;

	fp_sqr(t0, p->x);
	fp_sqr(t1, p->y);
	fp_sqr(t2, p->z);
	fp_mul(t3, p->x, p->y);
	fp_add(t3, t3, t3);
	fp_mul(z3, p->x, p->z);
	fp_add(z3, z3, z3);
	fp_mul(y3, b_mont, t2);
	fp_sub(y3, y3, z3);
	fp_add(x3, y3, y3);
	fp_add(y3, x3, y3);
	fp_sub(x3, t1, y3);
	fp_add(y3, t1, y3);
	fp_mul(y3, x3, y3);
	fp_mul(x3, x3, t3);
	fp_add(t3, t2, t2);
	fp_add(t2, t2, t3);
	fp_mul(z3, b_mont, z3);
	fp_sub(z3, z3, t2);
	fp_sub(z3, z3, t0);
	fp_add(t3, z3, z3);
	fp_add(z3, z3, t3);
	fp_add(t3, t0, t0);
	fp_add(t0, t3, t0);
	fp_sub(t0, t0, t2);
	fp_mul(t0, t0, z3);
	fp_add(y3, y3, t0);
	fp_mul(t0, p->y, p->z);
	fp_add(t0, t0, t0);
	fp_mul(z3, t0, z3);
	fp_sub(x3, x3, z3);
	fp_mul(z3, t0, t1);
	fp_add(z3, z3, z3);
	fp_add(r->z, z3, z3);
	memcpy(r->x, x3, sizeof(fp));
	memcpy(r->y, y3, sizeof(fp));
}

/* r = p + q, q affine (Z2 = 1): algorithm 4 (a = -3) with Z2's products
 * left out, 13 products. Complete: p may be the point at infinity or q. */
static void
pt_add_affine(struct point *r, const struct point *p, const struct affine *q)
{
	fp t0, t1, t2, t3, t4, x3, y3, z3;

	fp_mul(t0, p->x, q->x);
	fp_mul(t1, p->y, q->y);
	memcpy(t2, p->z, sizeof(fp));
	fp_add(t3, p->x, p->y);
	fp_add(t4, q->x, q->y);
	fp_mul(t3, t3, t4);
	fp_add(t4, t0, t1);
	fp_sub(t3, t3, t4);
	fp_mul(t4, q->y, p->z);		/* (Y1 + Z1)(Y2 + 1) - t1 - t2 */
	fp_add(t4, t4, p->y);
	fp_mul(y3, q->x, p->z);		/* (X1 + Z1)(X2 + 1) - t0 - t2 */
	fp_add(y3, y3, p->x);
	fp_mul(z3, b_mont, t2);
	fp_sub(x3, y3, z3);
	fp_add(z3, x3, x3);
	fp_add(x3, x3, z3);
	fp_sub(z3, t1, x3);
	fp_add(x3, t1, x3);
	fp_mul(y3, b_mont, y3);
	fp_add(t1, t2, t2);
	fp_add(t2, t1, t2);
	fp_sub(y3, y3, t2);
	fp_sub(y3, y3, t0);
	fp_add(t1, y3, y3);
	fp_add(y3, t1, y3);
	fp_add(t1, t0, t0);
	fp_add(t0, t1, t0);
	fp_sub(t0, t0, t2);
	fp_mul(t1, t4, y3);
	fp_mul(t2, t0, y3);
	fp_mul(y3, x3, z3);
	fp_add(r->y, y3, t2);
	fp_mul(x3, t3, x3);
	fp_sub(r->x, x3, t1);
	fp_mul(z3, t4, z3);
	fp_mul(t1, t3, t0);
	fp_add(r->z, z3, t1);
}

/* Fill comb[] (public values, once per process): 2^(SPACING j) G by
 * doubling, each sum by one addition, then every Z inverted at the price
 * of one inversion (Montgomery's trick). */
static void
comb_init(void)
{
	struct point pj[COMB];
	fp acc[COMB], inv, t;
	int i, n, low;

	memset(one_mont, 0, sizeof(fp));
	one_mont[0] = 1;
	fp_mul(one_mont, one_mont, RR);
	fp_mul(b_mont, B_PLAIN, RR);
	fp_mul(comb[1].x, GX, RR);
	fp_mul(comb[1].y, GY, RR);
	memcpy(pj[1].x, comb[1].x, sizeof(fp));
	memcpy(pj[1].y, comb[1].y, sizeof(fp));
	memcpy(pj[1].z, one_mont, sizeof(fp));
	for (i = 2; i < COMB; i++) {
		low = i & -i;
		if (low != i) {
			pt_add_affine(&pj[i], &pj[i - low], &comb[low]);
			continue;
		}
		/* a power of two, a term of the later sums: needed affine now */
		pt_double(&pj[i], &pj[i / 2]);
		for (n = 1; n < SPACING; n++)
			pt_double(&pj[i], &pj[i]);
		fp_inv(t, pj[i].z);
		fp_mul(comb[i].x, pj[i].x, t);
		fp_mul(comb[i].y, pj[i].y, t);
	}
	memcpy(acc[1], pj[1].z, sizeof(fp));
	for (i = 2; i < COMB; i++)
		fp_mul(acc[i], acc[i - 1], pj[i].z);
	fp_inv(inv, acc[COMB - 1]);
	for (i = COMB - 1; i >= 2; i--) {
		fp_mul(t, inv, acc[i - 1]);	/* 1 / Z_i */
		fp_mul(inv, inv, pj[i].z);
		fp_mul(comb[i].x, pj[i].x, t);
		fp_mul(comb[i].y, pj[i].y, t);
	}
	comb_ready = 1;
}

/* a = comb[i] for i >= 1, all zero for 0; every entry is read */
static void
comb_get(struct affine *a, unsigned i)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)a, m;
	unsigned j;
	int k;

	memset(a, 0, sizeof(*a));
	for (j = 1; j < COMB; j++) {
		m = -(((uint64_t)(i ^ j) - 1) >> 63);
		src = (const uint64_t *)&comb[j];
		for (k = 0; k < 8; k++)
			dst[k] |= src[k] & m;
	}
}

/* See p256.h. */
size_t
p256_mulgen(uint8_t R[65], const uint8_t *k, size_t klen)
{
	uint8_t buf[32];
	fp s, zi, x, y;
	struct point acc, sum;
	struct affine a;
	uint64_t m;
	unsigned idx, pos;
	int i, j;

	if (klen > 32)
		return 0;
	if (!comb_ready)
		comb_init();
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 32 - klen, k, klen);
	fp_decode(s, buf);
	/* the point at infinity, (0 : 1 : 0) */
	memset(&acc, 0, sizeof(acc));
	memcpy(acc.y, one_mont, sizeof(fp));
	for (i = SPACING - 1; i >= 0; i--) {
		pt_double(&acc, &acc);
		idx = 0;
		for (j = 0; j < TEETH; j++) {
			pos = (unsigned)(i + SPACING * j);	/* public */
			if (pos < 256)
				idx |= (unsigned)(s[pos / 64] >> (pos % 64) & 1) << j;
		}
		comb_get(&a, idx);
		pt_add_affine(&sum, &acc, &a);
		/* keep the sum unless idx is 0 (a is then no point at all) */
		m = -(((uint64_t)idx | -(uint64_t)idx) >> 63);
		for (j = 0; j < 4; j++) {
			acc.x[j] = (sum.x[j] & m) | (acc.x[j] & ~m);
			acc.y[j] = (sum.y[j] & m) | (acc.y[j] & ~m);
			acc.z[j] = (sum.z[j] & m) | (acc.z[j] & ~m);
		}
	}
	fp_inv(zi, acc.z);
	fp_mul(x, acc.x, zi);
	fp_mul(y, acc.y, zi);
	/* out of Montgomery form: times 1 */
	memset(s, 0, sizeof(fp));
	s[0] = 1;
	fp_mul(x, x, s);
	fp_mul(y, y, s);
	R[0] = 0x04;
	fp_encode(R + 1, x);
	fp_encode(R + 33, y);
	memzero(buf, sizeof(buf));
	memzero(s, sizeof(s));
	memzero(&acc, sizeof(acc));
	memzero(&sum, sizeof(sum));
	memzero(&a, sizeof(a));
	memzero(zi, sizeof(zi));
	memzero(x, sizeof(x));
	memzero(y, sizeof(y));
	return 65;
}

/* ---- ECDSA: arithmetic modulo the group order n ---- */

static const fp N = {
	0xf3b9cac2fc632551, 0xbce6faada7179e84, 0xffffffffffffffff, 0xffffffff00000000
};
/* 2^512 mod n, and -1/n mod 2^64 */
static const fp RR_N = {
	0x83244c95be79eea2, 0x4699799c49bd6fa6, 0x2845b2392b6bec59, 0x66e12d94f3d95620
};
#define N0I 0xccd1c8aaee00bc4f

/* the final subtraction of n, not inlined: small beats fast here */
static void
fn_final(fp r, const uint64_t t[5])
{
	mod_final(r, t, N);
}

/* r = a b / 2^256 mod n (Montgomery's product, n having no special form) */
static void
fn_mul(fp r, const fp a, const fp b)
{
	uint64_t t[8], u[5], m, c, top = 0;
	u128 s;
	int i, j;

	mul_wide(t, a, b);
	/* not unrolled: the signature needs a few hundred of these, k*G
	 * thousands of its own, and unrolled the ppc64el d20d is too big */
	for (i = 0; i < 4; i++) {
		m = t[i] * N0I;
		c = 0;
		for (j = 0; j < 4; j++) {
			s = (u128)m * N[j] + t[i + j] + c;
			t[i + j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
		s = (u128)t[i + 4] + c + top;
		t[i + 4] = (uint64_t)s;
		top = (uint64_t)(s >> 64);
	}
	memcpy(u, t + 4, 4 * sizeof(uint64_t));
	u[4] = top;
	fn_final(r, u);
}

/* r = a + b mod n, a and b below n */
static void
fn_add(fp r, const fp a, const fp b)
{
	uint64_t t[5];

	add_wide(t, a, b);
	fn_final(r, t);
}

/* r = a^(n - 2) (a times 2^256 in, and out: 1/a in Montgomery form),
 * four exponent bits at a time; the exponent is public, so its digits
 * may index the table */
static void
fn_inv(fp r, const fp a)
{
	static const uint64_t e[4] = {
		0xf3b9cac2fc63254f, 0xbce6faada7179e84, 0xffffffffffffffff, 0xffffffff00000000
	};
	fp tab[16], x;
	unsigned d;
	int i, k;

	memcpy(tab[1], a, sizeof(fp));
	for (i = 2; i < 16; i++)
		fn_mul(tab[i], tab[i - 1], a);
	memcpy(x, tab[e[3] >> 60], sizeof(fp));
	for (i = 62; i >= 0; i--) {
		for (k = 0; k < 4; k++)
			fn_mul(x, x, x);
		d = (unsigned)(e[i / 16] >> (i % 16 * 4)) & 15;
		if (d)
			fn_mul(x, x, tab[d]);
	}
	memcpy(r, x, sizeof(fp));
	memzero(tab, sizeof(tab));
	memzero(x, sizeof(x));
}

/* r = v mod n for v < 2^256 < 2n */
static void
fn_reduce(fp r, const fp v)
{
	uint64_t t[5];

	memcpy(t, v, sizeof(fp));
	t[4] = 0;
	fn_final(r, t);
}

/* See p256.h. */
size_t
p256_sign_raw(const br_hash_class *hf, const void *hash, size_t hash_len,
    const uint8_t *x, size_t xlen, uint8_t sig[64])
{
	br_hmac_drbg_context drbg;
	uint8_t seed[64], buf[32], pt[65];
	fp d, m, k, r, t;
	size_t n;

	if (xlen > 32)
		return 0;
	/* the key, and the hash's leftmost 256 bits as an integer mod n */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 32 - xlen, x, xlen);
	fp_decode(d, buf);
	n = hash_len < 32 ? hash_len : 32;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 32 - n, hash, n);
	fp_decode(m, buf);
	fn_reduce(m, m);
	/* RFC 6979's k, as BearSSL draws it: an HMAC_DRBG seeded with the key
	 * and the reduced hash, drawn again until 0 < k < n */
	fp_encode(seed, d);
	fp_encode(seed + 32, m);
	br_hmac_drbg_init(&drbg, hf, seed, sizeof(seed));
	for (;;) {
		br_hmac_drbg_generate(&drbg, buf, 32);
		fp_decode(k, buf);
		fn_reduce(t, k);
		if ((k[0] | k[1] | k[2] | k[3]) != 0 && memcmp(t, k, sizeof(fp)) == 0)
			break;
	}
	/* r = x(kG) mod n */
	p256_mulgen(pt, buf, 32);
	fp_decode(r, pt + 1);
	fn_reduce(r, r);
	/* s = (m + d r) / k: d r / R times R^2 / R is d r; 1/k comes out of
	 * fn_inv times R, which the last product divides away */
	fn_mul(t, d, r);
	fn_mul(t, t, RR_N);
	fn_add(m, m, t);
	fn_mul(k, k, RR_N);
	fn_inv(k, k);
	fn_mul(t, m, k);
	fp_encode(sig, r);
	fp_encode(sig + 32, t);
	memzero(&drbg, sizeof(drbg));
	memzero(seed, sizeof(seed));
	memzero(buf, sizeof(buf));
	memzero(d, sizeof(d));
	memzero(k, sizeof(k));
	memzero(m, sizeof(m));
	memzero(t, sizeof(t));
	return 64;
}

#else

/* ISO C wants something in a translation unit */
typedef int p256_unused;

#endif
