/* SPDX-License-Identifier: MIT */
/* sha256.c - see sha256.h. */
#include <string.h>

#include "sha256.h"
#include "util.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>


/* FIPS 180-4, 4.2.2 */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t IV[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

/* n blocks of p into val. The instructions keep the eight words as two
 * vectors, ABEF and CDGH; sha256rnds2 does two rounds, with the two
 * message-plus-constant words in the low half of its third operand, and
 * returns the new ABEF, the old one being the new CDGH. sha256msg1 and
 * sha256msg2 extend the message four words at a time (W[t] = s1(W[t-2])
 * + W[t-7] + s0(W[t-15]) + W[t-16]; msg1 adds the s0 terms, the W[t-7]
 * come by alignr, msg2 adds the s1 terms). */
__attribute__((target("sha,sse4.1,ssse3")))
static void
blocks(uint32_t val[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abef, cdgh, abef0, cdgh0, t, m[4], w;
	int i;

	/* val is A..H, lane 0 first: ABEF = (F, E, B, A) from lane 0 up */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)val), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)(val + 4)), 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; n > 0; n--, p += 64) {
		abef0 = abef;
		cdgh0 = cdgh;
		for (i = 0; i < 16; i++) {
			if (i < 4) {
				m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), bswap);
			} else {
				/* words 4i to 4i + 3 from the 16 before */
				t = _mm_sha256msg1_epu32(m[i % 4], m[(i + 1) % 4]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(m[(i + 3) % 4], m[(i + 2) % 4], 4));
				m[i % 4] = _mm_sha256msg2_epu32(t, m[(i + 3) % 4]);
			}
			w = _mm_add_epi32(m[i % 4], _mm_loadu_si128((const __m128i *)(const void *)(K + 4 * i)));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, w);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(w, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	/* back to A..H */
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)(void *)val, _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)(void *)(val + 4), _mm_alignr_epi8(cdgh, t, 8));
}

static br_hash_class ni;	/* br_sha256_vtable with three functions of ours */
static int chosen, have_ni;

static void
ni_init(const br_hash_class **ctx)
{
	br_sha256_context *c = (br_sha256_context *)(void *)ctx;

	c->vtable = &ni;
	memcpy(c->val, IV, sizeof(IV));
	c->count = 0;
}

static void
ni_update(const br_hash_class **ctx, const void *data, size_t len)
{
	br_sha256_context *c = (br_sha256_context *)(void *)ctx;
	const unsigned char *p = data;
	size_t at = (size_t)c->count & 63, k;

	c->count += len;
	if (at > 0) {
		k = 64 - at < len ? 64 - at : len;
		memcpy(c->buf + at, p, k);
		p += k;
		len -= k;
		if (at + k < 64)
			return;
		blocks(c->val, c->buf, 1);
	}
	if (len >= 64) {
		blocks(c->val, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(c->buf, p, len);
}

static void
ni_out(const br_hash_class *const *ctx, void *dst)
{
	const br_sha256_context *c = (const br_sha256_context *)(const void *)ctx;
	unsigned char buf[128], *out = dst;
	uint32_t val[8];
	uint64_t bits = c->count << 3;
	size_t at = (size_t)c->count & 63, end;
	int i;

	memcpy(buf, c->buf, at);
	memcpy(val, c->val, sizeof(val));
	buf[at++] = 0x80;
	end = at <= 56 ? 64 : 128;
	memset(buf + at, 0, end - at);
	for (i = 0; i < 8; i++)
		buf[end - 1 - i] = (unsigned char)(bits >> (8 * i));
	blocks(val, buf, end / 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(val[i] >> 24);
		out[4 * i + 1] = (unsigned char)(val[i] >> 16);
		out[4 * i + 2] = (unsigned char)(val[i] >> 8);
		out[4 * i + 3] = (unsigned char)val[i];
	}
	memzero(buf, sizeof(buf));
	memzero(val, sizeof(val));
}

const br_hash_class *
sha256_class(void)
{
	unsigned a, b, c, d;

	if (!chosen) {
		/* SSSE3 and SSE4.1 (leaf 1, ECX bits 9 and 19), SHA (leaf 7,
		 * EBX bit 29) */
		have_ni = __get_cpuid(1, &a, &b, &c, &d) && (c >> 9 & 1) && (c >> 19 & 1) &&
		    __get_cpuid_max(0, NULL) >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
		    (b >> 29 & 1);
		ni = br_sha256_vtable;
		ni.init = ni_init;
		ni.update = ni_update;
		ni.out = ni_out;
		chosen = 1;
	}
	return have_ni ? &ni : &br_sha256_vtable;
}

#else


const br_hash_class *
sha256_class(void)
{
	return &br_sha256_vtable;
}

#endif

int
sha256_hw(void)
{
	return sha256_class() != &br_sha256_vtable;
}

void
sha256_prf(void *dst, size_t len, const void *secret, size_t secret_len,
    const char *label, size_t seed_num, const br_tls_prf_seed_chunk *seed)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	unsigned char a[32], t[32], *out = dst;
	size_t ll = strlen(label), u, k;

	/* P_SHA256(secret, label + seed): A(1) = HMAC(label + seed), then
	 * HMAC(A(i) + label + seed) for each 32 bytes, A(i + 1) = HMAC(A(i)) */
	br_hmac_key_init(&kc, sha256_class(), secret, secret_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, label, ll);
	for (u = 0; u < seed_num; u++)
		br_hmac_update(&hc, seed[u].data, seed[u].len);
	br_hmac_out(&hc, a);
	while (len > 0) {
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, a, sizeof(a));
		br_hmac_update(&hc, label, ll);
		for (u = 0; u < seed_num; u++)
			br_hmac_update(&hc, seed[u].data, seed[u].len);
		br_hmac_out(&hc, t);
		k = len < sizeof(t) ? len : sizeof(t);
		memcpy(out, t, k);
		out += k;
		len -= k;
		if (len > 0) {
			br_hmac_init(&hc, &kc, 0);
			br_hmac_update(&hc, a, sizeof(a));
			br_hmac_out(&hc, a);
		}
	}
	memzero(a, sizeof(a));
	memzero(t, sizeof(t));
	memzero(&kc, sizeof(kc));
	memzero(&hc, sizeof(hc));
}
