/* SPDX-License-Identifier: MIT */
/* aes.c - see aes.h
 *
 * AES-256 encryption (FIPS 197) in two forms:
 *
 * - AES-NI: the round instructions do SubBytes, ShiftRows and MixColumns
 *   in hardware, so this path is constant-time and fast. Its functions are
 *   compiled for the AES/SSE4.1 ISA through a target attribute, and only
 *   called once CPUID has said the CPU has those instructions, so the file
 *   as a whole needs no -maes.
 *
 * - A bitsliced fallback: four blocks are held as eight 64-bit words, word i
 *   holding bit i of each of the 64 state bytes. SubBytes is a boolean
 *   circuit, ShiftRows and MixColumns are fixed shifts and rotations, so no
 *   memory address and no branch ever depends on the key or the data. */
#include <string.h>

#include "aes.h"
#include "util.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define AES_NI_CODE 1
#include <cpuid.h>
#include <smmintrin.h>
#include <wmmintrin.h>
#else
#define AES_NI_CODE 0
#endif

/* What aes_set_impl last chose; AES_IMPL_AUTO defers to the CPU. */
static enum aes_impl aes_choice = AES_IMPL_AUTO;

static uint32_t
load32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
store32le(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)x;
	p[1] = (uint8_t)(x >> 8);
	p[2] = (uint8_t)(x >> 16);
	p[3] = (uint8_t)(x >> 24);
}

static uint64_t
load64be(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static void
store64be(uint8_t *p, uint64_t x)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)x;
		x >>= 8;
	}
}

/* (hi, lo) += 1 mod 2^128 without a branch, as V is secret: the carry is
 * 1 exactly when the new lo is 0, i.e. when ~lo & (lo - 1) has its top
 * bit set. */
static void
ctr_inc(uint64_t *hi, uint64_t *lo)
{
	uint64_t l = *lo + 1;

	*hi += (~l & (l - 1)) >> 63;
	*lo = l;
}

/* ---------------------------------------------------------------------
 * CPU detection and the choice of implementation
 */

static int
cpu_has_ni(void)
{
#if AES_NI_CODE
	/* CPUID is asked once; -1 means not asked yet. */
	static int aes_cpu_ni = -1;
	unsigned int a, b, c, d;

	if (aes_cpu_ni < 0) {
		/* Leaf 1: ECX bit 25 AES, bit 19 SSE4.1, bit 9 SSSE3
		 * (pshufb for the counter's byte swap); EDX bit 26 SSE2.
		 * The OS saves XMM state on every x86-64 system, so no
		 * XGETBV check is needed for 128-bit registers. */
		aes_cpu_ni = __get_cpuid(1, &a, &b, &c, &d) &&
		    (c & 1u << 25) && (c & 1u << 19) && (c & 1u << 9) &&
		    (d & 1u << 26);
	}
	return aes_cpu_ni;
#else
	return 0;
#endif
}

/* See aes.h. */
int
aes_set_impl(enum aes_impl impl)
{
	if (impl == AES_IMPL_NI && !cpu_has_ni())
		return -1;
	if (impl != AES_IMPL_NI && impl != AES_IMPL_CT &&
	    impl != AES_IMPL_AUTO)
		return -1;
	aes_choice = impl;
	return 0;
}

/* See aes.h. */
enum aes_impl
aes_get_impl(void)
{
	if (aes_choice == AES_IMPL_AUTO)
		return cpu_has_ni() ? AES_IMPL_NI : AES_IMPL_CT;
	return aes_choice;
}

/* ---------------------------------------------------------------------
 * AES-NI
 */

#if AES_NI_CODE

#define NI_TARGET __attribute__((target("aes,sse2,ssse3,sse4.1")))

/* Even round keys of AES-256 (FIPS 197 5.2, i mod 8 == 0): each word is
 * the word 8 back xored with the previous word, and the first also with
 * RotWord(SubWord(last word of the odd key)) ^ Rcon, which aeskeygenassist
 * leaves in its word 3. The two shifted xors make the running xor of the
 * four words, so the one broadcast term reaches all of them. */
NI_TARGET static __m128i
ni_expand_even(__m128i prev, __m128i assist)
{
	assist = _mm_shuffle_epi32(assist, 0xff);
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
	return _mm_xor_si128(prev, assist);
}

/* Odd round keys (i mod 8 == 4): SubWord only, no rotation and no Rcon,
 * which aeskeygenassist leaves in its word 2. */
NI_TARGET static __m128i
ni_expand_odd(__m128i prev, __m128i assist)
{
	assist = _mm_shuffle_epi32(assist, 0xaa);
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
	return _mm_xor_si128(prev, assist);
}

NI_TARGET static void
ni_init(aes256_ctx *ctx, const uint8_t key[AES256_KEYSIZE])
{
	__m128i *rk = (__m128i *)(void *)ctx->rk;
	__m128i a, b;

	a = _mm_loadu_si128((const __m128i *)(const void *)key);
	b = _mm_loadu_si128((const __m128i *)(const void *)(key + 16));
	_mm_store_si128(rk, a);
	_mm_store_si128(rk + 1, b);
	/* aeskeygenassist takes its Rcon as an immediate, hence a macro. */
#define NI_EXPAND2(i, rcon) \
	a = ni_expand_even(a, _mm_aeskeygenassist_si128(b, rcon)); \
	_mm_store_si128(rk + (i), a); \
	b = ni_expand_odd(b, _mm_aeskeygenassist_si128(a, 0)); \
	_mm_store_si128(rk + (i) + 1, b)
	NI_EXPAND2(2, 0x01);
	NI_EXPAND2(4, 0x02);
	NI_EXPAND2(6, 0x04);
	NI_EXPAND2(8, 0x08);
	NI_EXPAND2(10, 0x10);
	NI_EXPAND2(12, 0x20);
#undef NI_EXPAND2
	a = ni_expand_even(a, _mm_aeskeygenassist_si128(b, 0x40));
	_mm_store_si128(rk + 14, a);
}

NI_TARGET static void
ni_encrypt(const aes256_ctx *ctx, uint8_t out[AES_BLOCKSIZE],
    const uint8_t in[AES_BLOCKSIZE])
{
	const __m128i *rk = (const __m128i *)(const void *)ctx->rk;
	__m128i x;
	int i;

	x = _mm_loadu_si128((const __m128i *)(const void *)in);
	x = _mm_xor_si128(x, _mm_load_si128(rk));
	for (i = 1; i < 14; i++)
		x = _mm_aesenc_si128(x, _mm_load_si128(rk + i));
	x = _mm_aesenclast_si128(x, _mm_load_si128(rk + 14));
	_mm_storeu_si128((__m128i *)(void *)out, x);
}

/* The counter as a block: (hi, lo) sit in the two 64-bit lanes as a
 * little-endian 128-bit number; reversing all 16 bytes gives the
 * big-endian block that FIPS 197 encrypts. */
NI_TARGET static __m128i
ni_counter(uint64_t hi, uint64_t lo)
{
	const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7,
	    8, 9, 10, 11, 12, 13, 14, 15);

	return _mm_shuffle_epi8(_mm_set_epi64x((long long)hi, (long long)lo),
	    bswap);
}

/* Eight independent streams of rounds: AESENC has a latency of several
 * cycles but the CPU can start one or two per cycle, so eight blocks in
 * flight keep the AES unit busy where one block would leave it idle. */
#define NI_ROUND8(f, k) do { \
	b0 = f(b0, k); b1 = f(b1, k); b2 = f(b2, k); b3 = f(b3, k); \
	b4 = f(b4, k); b5 = f(b5, k); b6 = f(b6, k); b7 = f(b7, k); \
} while (0)

/* Fully unrolled: no loop counter among the AES instructions, and each
 * round key is a memory operand of its round. */
#define NI_ENCRYPT8() do { \
	NI_ROUND8(_mm_xor_si128, _mm_load_si128(rk)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 1)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 2)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 3)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 4)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 5)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 6)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 7)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 8)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 9)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 10)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 11)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 12)); \
	NI_ROUND8(_mm_aesenc_si128, _mm_load_si128(rk + 13)); \
	NI_ROUND8(_mm_aesenclast_si128, _mm_load_si128(rk + 14)); \
} while (0)

NI_TARGET static void
ni_ctr_blocks(const aes256_ctx *ctx, uint8_t v[AES_BLOCKSIZE], uint8_t *out,
    size_t nblocks)
{
	const __m128i *rk = (const __m128i *)(const void *)ctx->rk;
	const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7,
	    8, 9, 10, 11, 12, 13, 14, 15);
	__m128i b0, b1, b2, b3, b4, b5, b6, b7, base, tail[8];
	__m128i *o = (__m128i *)(void *)out;
	uint64_t hi = load64be(v), lo = load64be(v + 8), h, l;
	size_t i;

	for (; nblocks >= 8; nblocks -= 8, o += 8) {
		if (lo <= UINT64_MAX - 8) {
			/* No carry into the high half within these eight
			 * counters: one 64-bit lane add each. This test is
			 * the one branch on V; it reveals only whether the
			 * low half is within 8 of wrapping. */
			base = _mm_set_epi64x((long long)hi, (long long)lo);
#define NI_CTR(k) _mm_shuffle_epi8(_mm_add_epi64(base, \
	    _mm_set_epi64x(0, k)), bswap)
			b0 = NI_CTR(1); b1 = NI_CTR(2);
			b2 = NI_CTR(3); b3 = NI_CTR(4);
			b4 = NI_CTR(5); b5 = NI_CTR(6);
			b6 = NI_CTR(7); b7 = NI_CTR(8);
#undef NI_CTR
			lo += 8;
		} else {
			/* Once per 2^61 groups: step with the carry. */
			ctr_inc(&hi, &lo); b0 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b1 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b2 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b3 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b4 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b5 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b6 = ni_counter(hi, lo);
			ctr_inc(&hi, &lo); b7 = ni_counter(hi, lo);
		}
		NI_ENCRYPT8();
		_mm_storeu_si128(o, b0);
		_mm_storeu_si128(o + 1, b1);
		_mm_storeu_si128(o + 2, b2);
		_mm_storeu_si128(o + 3, b3);
		_mm_storeu_si128(o + 4, b4);
		_mm_storeu_si128(o + 5, b5);
		_mm_storeu_si128(o + 6, b6);
		_mm_storeu_si128(o + 7, b7);
	}
	if (nblocks > 0) {
		/* The last 1..7 blocks: run all eight streams (costing no
		 * more time than fewer) on a copy of the counter, and let V
		 * advance by the blocks actually used. */
		h = hi;
		l = lo;
		ctr_inc(&h, &l); b0 = ni_counter(h, l);
		ctr_inc(&h, &l); b1 = ni_counter(h, l);
		ctr_inc(&h, &l); b2 = ni_counter(h, l);
		ctr_inc(&h, &l); b3 = ni_counter(h, l);
		ctr_inc(&h, &l); b4 = ni_counter(h, l);
		ctr_inc(&h, &l); b5 = ni_counter(h, l);
		ctr_inc(&h, &l); b6 = ni_counter(h, l);
		ctr_inc(&h, &l); b7 = ni_counter(h, l);
		NI_ENCRYPT8();
		tail[0] = b0; tail[1] = b1; tail[2] = b2; tail[3] = b3;
		tail[4] = b4; tail[5] = b5; tail[6] = b6; tail[7] = b7;
		for (i = 0; i < nblocks; i++) {
			_mm_storeu_si128(o + i, tail[i]);
			ctr_inc(&hi, &lo);
		}
		memzero(tail, sizeof(tail));
	}
	store64be(v, hi);
	store64be(v + 8, lo);
}

#undef NI_ENCRYPT8
#undef NI_ROUND8

#endif /* AES_NI_CODE */

/* ---------------------------------------------------------------------
 * Bitsliced constant-time AES
 *
 * Layout: four blocks b = 0..3, state byte s[r][c] = block[r + 4c]. Word
 * q[i] holds bit i of every byte; s[r][c] of block b is at bit position
 *
 *	16 r + 4 c + b
 *
 * so each row is a 16-bit field (ShiftRows rotates inside the field) and
 * moving to the next row of the same column is a 64-bit rotation by 16
 * (what MixColumns needs).
 */

/* The round functions are inlined into ct_core so that its eight state
 * words live in registers rather than going through memory each step. */
#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline)) __inline__
#else
#define ALWAYS_INLINE
#endif

/* Exchange the bits of a selected by m << n with the bits of b selected
 * by m. */
#define SWAPMOVE(a, b, m, n) do { \
	uint64_t t_ = (((a) >> (n)) ^ (b)) & (m); \
	(b) ^= t_; \
	(a) ^= t_ << (n); \
} while (0)

/* Transpose the 8x8 bit matrices formed by (word index, bit within byte):
 * afterwards bit k of byte y of q[w] is at bit w of byte y of q[k]. Its
 * own inverse. */
static void
ct_transpose(uint64_t q[8])
{
	SWAPMOVE(q[0], q[1], 0x5555555555555555, 1);
	SWAPMOVE(q[2], q[3], 0x5555555555555555, 1);
	SWAPMOVE(q[4], q[5], 0x5555555555555555, 1);
	SWAPMOVE(q[6], q[7], 0x5555555555555555, 1);
	SWAPMOVE(q[0], q[2], 0x3333333333333333, 2);
	SWAPMOVE(q[1], q[3], 0x3333333333333333, 2);
	SWAPMOVE(q[4], q[6], 0x3333333333333333, 2);
	SWAPMOVE(q[5], q[7], 0x3333333333333333, 2);
	SWAPMOVE(q[0], q[4], 0x0f0f0f0f0f0f0f0f, 4);
	SWAPMOVE(q[1], q[5], 0x0f0f0f0f0f0f0f0f, 4);
	SWAPMOVE(q[2], q[6], 0x0f0f0f0f0f0f0f0f, 4);
	SWAPMOVE(q[3], q[7], 0x0f0f0f0f0f0f0f0f, 4);
}

/* Bytes 0..3 of x to bytes 0, 2, 4, 6. */
static uint64_t
spread(uint32_t x32)
{
	uint64_t x = x32;

	x = (x | x << 16) & 0x0000ffff0000ffff;
	return (x | x << 8) & 0x00ff00ff00ff00ff;
}

/* Bytes 0, 2, 4, 6 of x to bytes 0..3: the inverse of spread. */
static uint32_t
unspread(uint64_t x)
{
	x &= 0x00ff00ff00ff00ff;
	x = (x | x >> 8) & 0x0000ffff0000ffff;
	return (uint32_t)(x | x >> 16);
}

/* Four blocks (64 bytes) to the bitsliced layout. Before the transpose,
 * q[b] holds columns 0 and 2 of block b and q[b + 4] columns 1 and 3,
 * with s[r][c] at byte 2 r + (c >> 1): the transpose then turns (byte y,
 * word w) into bit 8 y + w = 16 r + 4 c + b. */
static void
ct_pack(uint64_t q[8], const uint8_t in[64])
{
	int b;

	for (b = 0; b < 4; b++) {
		const uint8_t *p = in + 16 * b;

		q[b] = spread(load32le(p)) | spread(load32le(p + 8)) << 8;
		q[b + 4] = spread(load32le(p + 4)) |
		    spread(load32le(p + 12)) << 8;
	}
	ct_transpose(q);
}

/* The inverse of ct_pack; q is left in an unspecified state. */
static void
ct_unpack(uint8_t out[64], uint64_t q[8])
{
	int b;

	ct_transpose(q);
	for (b = 0; b < 4; b++) {
		uint8_t *p = out + 16 * b;

		store32le(p, unspread(q[b]));
		store32le(p + 8, unspread(q[b] >> 8));
		store32le(p + 4, unspread(q[b + 4]));
		store32le(p + 12, unspread(q[b + 4] >> 8));
	}
}

/* SubBytes on all 64 bytes at once: the depth-16 AES S-box circuit of
 * Boyar and Peralta ("A depth-16 circuit for the AES S-box", 2011), a
 * linear layer, a shared GF(2^4)-based inversion and a linear layer with
 * the affine constant 0x63 folded into four XNORs. Their U0 and S0 are
 * the most significant bits, so U0 = q[7] and S0 goes to q[7]. */
ALWAYS_INLINE static void
ct_sbox(uint64_t q[8])
{
	uint64_t u0, u1, u2, u3, u4, u5, u6, u7;
	uint64_t t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14;
	uint64_t t15, t16, t17, t18, t19, t20, t21, t22, t23, t24, t25, t26;
	uint64_t t27;
	uint64_t m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14;
	uint64_t m15, m16, m17, m18, m19, m20, m21, m22, m23, m24, m25, m26;
	uint64_t m27, m28, m29, m30, m31, m32, m33, m34, m35, m36, m37, m38;
	uint64_t m39, m40, m41, m42, m43, m44, m45, m46, m47, m48, m49, m50;
	uint64_t m51, m52, m53, m54, m55, m56, m57, m58, m59, m60, m61, m62;
	uint64_t m63;
	uint64_t l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13;
	uint64_t l14, l15, l16, l17, l18, l19, l20, l21, l22, l23, l24, l25;
	uint64_t l26, l27, l28, l29;

	u0 = q[7]; u1 = q[6]; u2 = q[5]; u3 = q[4];
	u4 = q[3]; u5 = q[2]; u6 = q[1]; u7 = q[0];

	/* Top linear layer. */
	t1 = u0 ^ u3;
	t2 = u0 ^ u5;
	t3 = u0 ^ u6;
	t4 = u3 ^ u5;
	t5 = u4 ^ u6;
	t6 = t1 ^ t5;
	t7 = u1 ^ u2;
	t8 = u7 ^ t6;
	t9 = u7 ^ t7;
	t10 = t6 ^ t7;
	t11 = u1 ^ u5;
	t12 = u2 ^ u5;
	t13 = t3 ^ t4;
	t14 = t6 ^ t11;
	t15 = t5 ^ t11;
	t16 = t5 ^ t12;
	t17 = t9 ^ t16;
	t18 = u3 ^ u7;
	t19 = t7 ^ t18;
	t20 = t1 ^ t19;
	t21 = u6 ^ u7;
	t22 = t7 ^ t21;
	t23 = t2 ^ t22;
	t24 = t2 ^ t10;
	t25 = t20 ^ t17;
	t26 = t3 ^ t16;
	t27 = t1 ^ t12;

	/* Middle, non-linear layer: inversion in GF(2^8). */
	m1 = t13 & t6;
	m2 = t23 & t8;
	m3 = t14 ^ m1;
	m4 = t19 & u7;
	m5 = m4 ^ m1;
	m6 = t3 & t16;
	m7 = t22 & t9;
	m8 = t26 ^ m6;
	m9 = t20 & t17;
	m10 = m9 ^ m6;
	m11 = t1 & t15;
	m12 = t4 & t27;
	m13 = m12 ^ m11;
	m14 = t2 & t10;
	m15 = m14 ^ m11;
	m16 = m3 ^ m2;
	m17 = m5 ^ t24;
	m18 = m8 ^ m7;
	m19 = m10 ^ m15;
	m20 = m16 ^ m13;
	m21 = m17 ^ m15;
	m22 = m18 ^ m13;
	m23 = m19 ^ t25;
	m24 = m22 ^ m23;
	m25 = m22 & m20;
	m26 = m21 ^ m25;
	m27 = m20 ^ m21;
	m28 = m23 ^ m25;
	m29 = m28 & m27;
	m30 = m26 & m24;
	m31 = m20 & m23;
	m32 = m27 & m31;
	m33 = m27 ^ m25;
	m34 = m21 & m22;
	m35 = m24 & m34;
	m36 = m24 ^ m25;
	m37 = m21 ^ m29;
	m38 = m32 ^ m33;
	m39 = m23 ^ m30;
	m40 = m35 ^ m36;
	m41 = m38 ^ m40;
	m42 = m37 ^ m39;
	m43 = m37 ^ m38;
	m44 = m39 ^ m40;
	m45 = m42 ^ m41;
	m46 = m44 & t6;
	m47 = m40 & t8;
	m48 = m39 & u7;
	m49 = m43 & t16;
	m50 = m38 & t9;
	m51 = m37 & t17;
	m52 = m42 & t15;
	m53 = m45 & t27;
	m54 = m41 & t10;
	m55 = m44 & t13;
	m56 = m40 & t23;
	m57 = m39 & t19;
	m58 = m43 & t3;
	m59 = m38 & t22;
	m60 = m37 & t20;
	m61 = m42 & t1;
	m62 = m45 & t4;
	m63 = m41 & t2;

	/* Bottom linear layer, with the affine transformation. */
	l0 = m61 ^ m62;
	l1 = m50 ^ m56;
	l2 = m46 ^ m48;
	l3 = m47 ^ m55;
	l4 = m54 ^ m58;
	l5 = m49 ^ m61;
	l6 = m62 ^ l5;
	l7 = m46 ^ l3;
	l8 = m51 ^ m59;
	l9 = m52 ^ m53;
	l10 = m53 ^ l4;
	l11 = m60 ^ l2;
	l12 = m48 ^ m51;
	l13 = m50 ^ l0;
	l14 = m52 ^ m61;
	l15 = m55 ^ l1;
	l16 = m56 ^ l0;
	l17 = m57 ^ l1;
	l18 = m58 ^ l8;
	l19 = m63 ^ l4;
	l20 = l0 ^ l1;
	l21 = l1 ^ l7;
	l22 = l3 ^ l12;
	l23 = l18 ^ l2;
	l24 = l15 ^ l9;
	l25 = l6 ^ l10;
	l26 = l7 ^ l9;
	l27 = l8 ^ l10;
	l28 = l11 ^ l14;
	l29 = l11 ^ l17;

	q[7] = l6 ^ l24;
	q[6] = ~(l16 ^ l26);
	q[5] = ~(l19 ^ l28);
	q[4] = l6 ^ l21;
	q[3] = l20 ^ l22;
	q[2] = l25 ^ l29;
	q[1] = ~(l13 ^ l27);
	q[0] = ~(l6 ^ l23);
}

/* ShiftRows: s'[r][c] = s[r][c + r mod 4], so the 16-bit field of row r
 * rotates right by 4 r bits (four bits per column). Done in two steps,
 * rows 2 and 3 by 8 bits, then rows 1 and 3 by 4, which takes fewer
 * operations than moving each row on its own. */
ALWAYS_INLINE static uint64_t
ct_shift_rows1(uint64_t x)
{
	x = (x & 0x00000000ffffffff) | (x >> 8 & 0x00ff00ff00000000) |
	    (x << 8 & 0xff00ff0000000000);
	return (x & 0x0000ffff0000ffff) | (x >> 4 & 0x0fff00000fff0000) |
	    (x << 12 & 0xf0000000f0000000);
}

ALWAYS_INLINE static uint64_t
rotr64(uint64_t x, int n)
{
	return x >> n | x << (64 - n);
}

/* ShiftRows then MixColumns, in one pass so the eight words stay in
 * registers. Written out word by word: as loops over arrays, compilers
 * vectorise them into wide loads of values just stored as 64-bit words,
 * and those loads stall on store forwarding. */
ALWAYS_INLINE static void
ct_shift_mix(uint64_t q[8])
{
	uint64_t q0, q1, q2, q3, q4, q5, q6, q7;
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7;

	q0 = ct_shift_rows1(q[0]);
	q1 = ct_shift_rows1(q[1]);
	q2 = ct_shift_rows1(q[2]);
	q3 = ct_shift_rows1(q[3]);
	q4 = ct_shift_rows1(q[4]);
	q5 = ct_shift_rows1(q[5]);
	q6 = ct_shift_rows1(q[6]);
	q7 = ct_shift_rows1(q[7]);
	/* MixColumns: s'[r] = 2 s[r] + 3 s[r+1] + s[r+2] + s[r+3] (rows
	 * mod 4), as 2 (s[r] + s[r+1]) + s[r+1] + (s[r+2] + s[r+3]).
	 * Rotating a word right by 16 brings row r+1 to row r. */
	t0 = q0 ^ rotr64(q0, 16);
	t1 = q1 ^ rotr64(q1, 16);
	t2 = q2 ^ rotr64(q2, 16);
	t3 = q3 ^ rotr64(q3, 16);
	t4 = q4 ^ rotr64(q4, 16);
	t5 = q5 ^ rotr64(q5, 16);
	t6 = q6 ^ rotr64(q6, 16);
	t7 = q7 ^ rotr64(q7, 16);
	/* Doubling t in GF(2^8) moves bit i to bit i+1 and folds bit 7
	 * into bits 0, 1, 3 and 4 (x^8 = x^4 + x^3 + x + 1). */
	q[0] = rotr64(q0, 16) ^ rotr64(t0, 32) ^ t7;
	q[1] = rotr64(q1, 16) ^ rotr64(t1, 32) ^ t0 ^ t7;
	q[2] = rotr64(q2, 16) ^ rotr64(t2, 32) ^ t1;
	q[3] = rotr64(q3, 16) ^ rotr64(t3, 32) ^ t2 ^ t7;
	q[4] = rotr64(q4, 16) ^ rotr64(t4, 32) ^ t3 ^ t7;
	q[5] = rotr64(q5, 16) ^ rotr64(t5, 32) ^ t4;
	q[6] = rotr64(q6, 16) ^ rotr64(t6, 32) ^ t5;
	q[7] = rotr64(q7, 16) ^ rotr64(t7, 32) ^ t6;
}

ALWAYS_INLINE static void
ct_add_round_key(uint64_t q[8], const uint64_t *sk)
{
	q[0] ^= sk[0];
	q[1] ^= sk[1];
	q[2] ^= sk[2];
	q[3] ^= sk[3];
	q[4] ^= sk[4];
	q[5] ^= sk[5];
	q[6] ^= sk[6];
	q[7] ^= sk[7];
}

/* Encrypt the four bitsliced blocks in q. */
static void
ct_core(const uint64_t *sk, uint64_t q[8])
{
	uint64_t x[8];
	int r;

	/* Work on a local copy the compiler can keep in registers. */
	x[0] = q[0]; x[1] = q[1]; x[2] = q[2]; x[3] = q[3];
	x[4] = q[4]; x[5] = q[5]; x[6] = q[6]; x[7] = q[7];
	ct_add_round_key(x, sk);
	for (r = 1; r < 14; r++) {
		ct_sbox(x);
		ct_shift_mix(x);
		ct_add_round_key(x, sk + 8 * r);
	}
	ct_sbox(x);
	x[0] = ct_shift_rows1(x[0]);
	x[1] = ct_shift_rows1(x[1]);
	x[2] = ct_shift_rows1(x[2]);
	x[3] = ct_shift_rows1(x[3]);
	x[4] = ct_shift_rows1(x[4]);
	x[5] = ct_shift_rows1(x[5]);
	x[6] = ct_shift_rows1(x[6]);
	x[7] = ct_shift_rows1(x[7]);
	ct_add_round_key(x, sk + 8 * 14);
	q[0] = x[0]; q[1] = x[1]; q[2] = x[2]; q[3] = x[3];
	q[4] = x[4]; q[5] = x[5]; q[6] = x[6]; q[7] = x[7];
}

/* SubWord for the key schedule, through the same circuit: the four bytes
 * go to block 0, columns 0..3 of row 0 (bit positions 0, 4, 8, 12). */
static uint32_t
ct_subword(uint32_t w)
{
	uint64_t q[8];
	uint32_t r = 0;
	int i, k;

	for (i = 0; i < 8; i++) {
		q[i] = 0;
		for (k = 0; k < 4; k++)
			q[i] |= (uint64_t)(w >> (8 * k + i) & 1) << (4 * k);
	}
	ct_sbox(q);
	for (i = 0; i < 8; i++)
		for (k = 0; k < 4; k++)
			r |= (uint32_t)(q[i] >> (4 * k) & 1) << (8 * k + i);
	memzero(q, sizeof(q));
	return r;
}

/* FIPS 197 5.2 for Nk = 8, with words as little-endian numbers (byte 0
 * lowest), so RotWord is a rotation right by 8 and Rcon goes into the
 * low byte. Branches depend on the word index only. */
static void
ct_init(aes256_ctx *ctx, const uint8_t key[AES256_KEYSIZE])
{
	uint32_t w[60], t, rcon = 1;
	uint8_t blocks[64];
	int i, b;

	for (i = 0; i < 8; i++)
		w[i] = load32le(key + 4 * i);
	for (i = 8; i < 60; i++) {
		t = w[i - 1];
		if (i % 8 == 0) {
			t = ct_subword(t >> 8 | t << 24) ^ rcon;
			rcon <<= 1;	/* reaches 0x40 only: no reduction */
		} else if (i % 8 == 4) {
			t = ct_subword(t);
		}
		w[i] = w[i - 8] ^ t;
	}
	/* Each round key is the same for all four blocks. */
	for (i = 0; i < 15; i++) {
		for (b = 0; b < 4; b++) {
			store32le(blocks + 16 * b, w[4 * i]);
			store32le(blocks + 16 * b + 4, w[4 * i + 1]);
			store32le(blocks + 16 * b + 8, w[4 * i + 2]);
			store32le(blocks + 16 * b + 12, w[4 * i + 3]);
		}
		ct_pack(ctx->sk + 8 * i, blocks);
	}
	memzero(w, sizeof(w));
	memzero(blocks, sizeof(blocks));
}

static void
ct_encrypt(const aes256_ctx *ctx, uint8_t out[AES_BLOCKSIZE],
    const uint8_t in[AES_BLOCKSIZE])
{
	uint8_t buf[64];
	uint64_t q[8];

	/* One block in slot 0; the other three slots carry zeros. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, in, AES_BLOCKSIZE);
	ct_pack(q, buf);
	ct_core(ctx->sk, q);
	ct_unpack(buf, q);
	memcpy(out, buf, AES_BLOCKSIZE);
	memzero(buf, sizeof(buf));
	memzero(q, sizeof(q));
}

static void
ct_ctr_blocks(const aes256_ctx *ctx, uint8_t v[AES_BLOCKSIZE], uint8_t *out,
    size_t nblocks)
{
	uint8_t buf[64];
	uint64_t q[8], hi = load64be(v), lo = load64be(v + 8), h, l;
	size_t m, j;

	while (nblocks > 0) {
		m = nblocks < 4 ? nblocks : 4;
		/* Four counters from a copy; V itself advances by the m
		 * blocks that are output. */
		h = hi;
		l = lo;
		for (j = 0; j < 4; j++) {
			ctr_inc(&h, &l);
			store64be(buf + 16 * j, h);
			store64be(buf + 16 * j + 8, l);
			if (j + 1 == m) {
				hi = h;
				lo = l;
			}
		}
		ct_pack(q, buf);
		ct_core(ctx->sk, q);
		if (m == 4) {
			ct_unpack(out, q);
		} else {
			ct_unpack(buf, q);
			memcpy(out, buf, 16 * m);
		}
		out += 16 * m;
		nblocks -= m;
	}
	store64be(v, hi);
	store64be(v + 8, lo);
	memzero(buf, sizeof(buf));
	memzero(q, sizeof(q));
}

/* ---------------------------------------------------------------------
 * Public interface: dispatch on the implementation fixed at init.
 */

/* See aes.h. */
void
aes256_init(aes256_ctx *ctx, const uint8_t key[AES256_KEYSIZE])
{
	enum aes_impl impl = aes_get_impl();

	memzero(ctx, sizeof(*ctx));
#if AES_NI_CODE
	if (impl == AES_IMPL_NI) {
		ctx->impl = AES_IMPL_NI;
		ni_init(ctx, key);
		return;
	}
#endif
	(void)impl;
	ctx->impl = AES_IMPL_CT;
	ct_init(ctx, key);
}

/* See aes.h. */
void
aes256_encrypt(const aes256_ctx *ctx, uint8_t out[AES_BLOCKSIZE],
    const uint8_t in[AES_BLOCKSIZE])
{
#if AES_NI_CODE
	if (ctx->impl == AES_IMPL_NI) {
		ni_encrypt(ctx, out, in);
		return;
	}
#endif
	ct_encrypt(ctx, out, in);
}

/* See aes.h. */
void
aes256_ctr_blocks(const aes256_ctx *ctx, uint8_t v[AES_BLOCKSIZE],
    uint8_t *out, size_t nblocks)
{
#if AES_NI_CODE
	if (ctx->impl == AES_IMPL_NI) {
		ni_ctr_blocks(ctx, v, out, nblocks);
		return;
	}
#endif
	ct_ctr_blocks(ctx, v, out, nblocks);
}

/* See aes.h. */
void
aes256_clear(aes256_ctx *ctx)
{
	memzero(ctx, sizeof(*ctx));
}
