/* SPDX-License-Identifier: MIT */
/* sha512.c - SHA-512 (FIPS 180-4); see sha512.h. */
#include <string.h>

#include "sha512.h"
#include "util.h"

/* FIPS 180-4 section 4.2.3: the first 64 bits of the fractional parts of
 * the cube roots of the first 80 primes. */
static const uint64_t K[80] = {
	0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f,
	0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
	0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242,
	0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
	0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
	0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
	0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275,
	0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
	0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f,
	0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
	0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc,
	0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
	0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6,
	0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
	0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
	0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
	0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99,
	0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
	0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc,
	0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
	0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915,
	0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
	0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba,
	0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
	0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
	0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
	0x5fcb6fab3ad6faec, 0x6c44198c4a475817
};

/* FIPS 180-4 section 5.3.5: the first 64 bits of the fractional parts of
 * the square roots of the first 8 primes. */
static const uint64_t H0[8] = {
	0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
	0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
	0x1f83d9abfb41bd6b, 0x5be0cd19137e2179
};

/* Byte by byte so that any alignment and any host byte order work; gcc
 * turns these into a single load or store plus bswap. */
static uint64_t
load64_be(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static void
store64_be(uint8_t *p, uint64_t x)
{
	p[0] = (uint8_t)(x >> 56);
	p[1] = (uint8_t)(x >> 48);
	p[2] = (uint8_t)(x >> 40);
	p[3] = (uint8_t)(x >> 32);
	p[4] = (uint8_t)(x >> 24);
	p[5] = (uint8_t)(x >> 16);
	p[6] = (uint8_t)(x >> 8);
	p[7] = (uint8_t)x;
}

#define ROTR(x, n)	((x) >> (n) | (x) << (64 - (n)))
/* The big sigmas as nested rotations: the same value as the spec's three
 * rotations, but without copies of x, which cost gcc a mov each. */
#define BSIG0(x)	ROTR(ROTR(ROTR(x, 5) ^ (x), 6) ^ (x), 28)
#define BSIG1(x)	ROTR(ROTR(ROTR(x, 23) ^ (x), 4) ^ (x), 14)
#define SSIG0(x)	(ROTR(x, 1) ^ ROTR(x, 8) ^ ((x) >> 7))
#define SSIG1(x)	(ROTR(x, 19) ^ ROTR(x, 61) ^ ((x) >> 6))
#define CH(x, y, z)	((z) ^ ((x) & ((y) ^ (z))))

/* One round. Instead of shifting the eight working variables, each call
 * names them in rotated order, so only d and h are written. Maj(a, b, c)
 * is b ^ ((a ^ b) & (b ^ c)), and this round's b ^ c is the previous
 * round's a ^ b: xn receives a ^ b for the next round, xp holds the
 * previous one, and the two swap roles every round. */
#define ROUND(a, b, c, d, e, f, g, h, xn, xp, w, k) do { \
	uint64_t t1_ = h + BSIG1(e) + CH(e, f, g) + (k) + (w); \
	d += t1_; \
	xn = a ^ b; \
	h = t1_ + BSIG0(a) + (b ^ (xn & xp)); \
} while (0)

/* W[t] for t < 16: the message word, loaded as the round needs it. */
#define LOAD(i)		(W[i] = load64_be(p + 8 * (i)))
/* W[t] for t >= 16, written over W[t - 16] in a 16-word ring. */
#define SCHED(i)	(W[i] += SSIG1(W[((i) + 14) & 15]) + \
			    W[((i) + 9) & 15] + SSIG0(W[((i) + 1) & 15]))

/* Sixteen rounds, so that every ring index is a constant; WORD(i) is LOAD
 * or SCHED. */
#define ROUNDS16(WORD, k) do { \
	ROUND(a, b, c, d, e, f, g, h, x0, x1, WORD(0), k[0]); \
	ROUND(h, a, b, c, d, e, f, g, x1, x0, WORD(1), k[1]); \
	ROUND(g, h, a, b, c, d, e, f, x0, x1, WORD(2), k[2]); \
	ROUND(f, g, h, a, b, c, d, e, x1, x0, WORD(3), k[3]); \
	ROUND(e, f, g, h, a, b, c, d, x0, x1, WORD(4), k[4]); \
	ROUND(d, e, f, g, h, a, b, c, x1, x0, WORD(5), k[5]); \
	ROUND(c, d, e, f, g, h, a, b, x0, x1, WORD(6), k[6]); \
	ROUND(b, c, d, e, f, g, h, a, x1, x0, WORD(7), k[7]); \
	ROUND(a, b, c, d, e, f, g, h, x0, x1, WORD(8), k[8]); \
	ROUND(h, a, b, c, d, e, f, g, x1, x0, WORD(9), k[9]); \
	ROUND(g, h, a, b, c, d, e, f, x0, x1, WORD(10), k[10]); \
	ROUND(f, g, h, a, b, c, d, e, x1, x0, WORD(11), k[11]); \
	ROUND(e, f, g, h, a, b, c, d, x0, x1, WORD(12), k[12]); \
	ROUND(d, e, f, g, h, a, b, c, x1, x0, WORD(13), k[13]); \
	ROUND(c, d, e, f, g, h, a, b, x0, x1, WORD(14), k[14]); \
	ROUND(b, c, d, e, f, g, h, a, x1, x0, WORD(15), k[15]); \
} while (0)

/* Run the compression function over n consecutive 128-byte blocks at p.
 * Taking a block count lets update hash long input straight from the
 * caller's buffer with no copy. Loading each word in its own round and
 * computing the schedule next to the rounds that use it, rather than in
 * separate loops, gave gcc -O2 a fifth fewer instructions per block. */
#if UINTPTR_MAX > 0xffffffffU && !defined(SHA512_SMALL)
static void
compress(uint64_t s[8], const uint8_t *p, size_t n)
{
	uint64_t a, b, c, d, e, f, g, h, x0, x1, W[16];
	const uint64_t *k;

	while (n-- > 0) {
		a = s[0]; b = s[1]; c = s[2]; d = s[3];
		e = s[4]; f = s[5]; g = s[6]; h = s[7];
		x1 = b ^ c;
		ROUNDS16(LOAD, K);
		for (k = K + 16; k < K + 80; k += 16)
			ROUNDS16(SCHED, k);
		s[0] += a; s[1] += b; s[2] += c; s[3] += d;
		s[4] += e; s[5] += f; s[6] += g; s[7] += h;
		p += SHA512_BLOCK;
	}
}
#else
/* 32-bit CPUs, and d20 everywhere (sha512s.c): each 64-bit operation is
 * several instructions on a 32-bit CPU, and the unrolled rounds above
 * cost 18 KiB of code on i386 and 5 to 9 KiB on 64-bit ones, for a
 * client that hashes a few kilobytes in its life. One round at a time,
 * the working variables in an array that turns by one index each round,
 * is under 2 KiB on amd64, at a speed d20 never needs. */
static void
compress(uint64_t s[8], const uint8_t *p, size_t n)
{
	uint64_t v[8], W[16], t1, t2;
	unsigned i, r;

	while (n-- > 0) {
		memcpy(v, s, sizeof(v));
		for (r = 0; r < 80; r++) {
			/* a..h are v[(0..7 - r) & 7] */
#define V(j)	v[((j) - r) & 7]
			i = r & 15;
			if (r < 16)
				W[i] = load64_be(p + 8 * i);
			else
				SCHED(i);
			t1 = V(7) + BSIG1(V(4)) + CH(V(4), V(5), V(6)) + K[r] + W[i];
			t2 = BSIG0(V(0)) + ((V(0) & V(1)) | (V(2) & (V(0) | V(1))));
			V(3) += t1;
			V(7) = t1 + t2;	/* the next round's a */
#undef V
		}
		for (i = 0; i < 8; i++)
			s[i] += v[i];
		p += SHA512_BLOCK;
	}
	memzero(v, sizeof(v));
	memzero(W, sizeof(W));
}
#endif

/* See sha512.h. */
void
sha512_init(sha512_ctx *ctx)
{
	memcpy(ctx->h, H0, sizeof(ctx->h));
	ctx->count[0] = 0;
	ctx->count[1] = 0;
	ctx->fill = 0;
}

/* See sha512.h. */
void
sha512_update(sha512_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	if (len == 0)
		return;	/* data may then be NULL, which memcpy may not see */
	/* The length is kept in bytes as 128 bits: FIPS 180-4 allows
	 * messages up to 2^128 bits, and the carry costs nothing. */
	ctx->count[1] += (uint64_t)len;
	if (ctx->count[1] < (uint64_t)len)
		ctx->count[0]++;

	if (ctx->fill > 0) {
		n = SHA512_BLOCK - ctx->fill;
		if (len < n) {
			memcpy(ctx->buf + ctx->fill, p, len);
			ctx->fill += len;
			return;
		}
		memcpy(ctx->buf + ctx->fill, p, n);
		compress(ctx->h, ctx->buf, 1);
		ctx->fill = 0;
		p += n;
		len -= n;
	}
	/* Whole blocks are hashed in place, without a copy into buf. */
	n = len / SHA512_BLOCK;
	if (n > 0) {
		compress(ctx->h, p, n);
		p += n * SHA512_BLOCK;
		len -= n * SHA512_BLOCK;
	}
	if (len > 0) {
		memcpy(ctx->buf, p, len);
		ctx->fill = len;
	}
}

/* See sha512.h. */
void
sha512_update_u64(sha512_ctx *ctx, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	sha512_update(ctx, b, 8);
}

/* See sha512.h. */
void
sha512_final(sha512_ctx *ctx, uint8_t out[SHA512_SIZE])
{
	size_t fill = ctx->fill;
	int i;

	/* Padding: a 1 bit, zeros, then the length in bits as a 128-bit
	 * big-endian number ending the last block; when fewer than 17
	 * bytes are left the length spills into one more block. */
	ctx->buf[fill++] = 0x80;
	if (fill > SHA512_BLOCK - 16) {
		memset(ctx->buf + fill, 0, SHA512_BLOCK - fill);
		compress(ctx->h, ctx->buf, 1);
		fill = 0;
	}
	memset(ctx->buf + fill, 0, SHA512_BLOCK - 16 - fill);
	store64_be(ctx->buf + SHA512_BLOCK - 16,
	    ctx->count[0] << 3 | ctx->count[1] >> 61);
	store64_be(ctx->buf + SHA512_BLOCK - 8, ctx->count[1] << 3);
	compress(ctx->h, ctx->buf, 1);

	for (i = 0; i < 8; i++)
		store64_be(out + 8 * i, ctx->h[i]);
	/* The state and buffer hold what was hashed, often a secret. */
	memzero(ctx, sizeof(*ctx));
}

/* See sha512.h. */
void
sha512(uint8_t out[SHA512_SIZE], const void *data, size_t len)
{
	sha512_ctx ctx;

	sha512_init(&ctx);
	sha512_update(&ctx, data, len);
	sha512_final(&ctx, out);
}
