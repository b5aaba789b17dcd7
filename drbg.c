/* SPDX-License-Identifier: MIT */
/* drbg.c - see drbg.h. CTR_DRBG, AES-256, derivation function, full
 * 128-bit counter (ctr_len = blocklen), NIST SP 800-90A Rev. 1. */
#include <string.h>

#include "drbg.h"
#include "util.h"

/* Block_Cipher_df encodes the input length L as a 32-bit number, so the
 * whole input string (entropy || nonce || personalization, or entropy ||
 * additional input) must stay below 2^32 bytes even though each piece
 * alone may be DRBG_MAX_INPUT long. */
#define DF_MAX_TOTAL 0xffffffffu

/* BCC runs three times (keylen + outlen = 3 blocks of output), over
 * IV_i || S for i = 0, 1, 2. The three chains share S, so they advance
 * side by side and S streams through once: no buffer of the whole input,
 * which may be gigabytes. */
typedef struct {
	aes256_ctx aes;
	uint8_t chain[3 * AES_BLOCKSIZE];	/* the three BCC outputs: K || X */
	uint8_t buf[AES_BLOCKSIZE];		/* a partial block of S */
	size_t fill;
} df_state;

static void
df_block(df_state *st, const uint8_t blk[AES_BLOCKSIZE])
{
	uint8_t *cv;
	size_t i, j;

	for (i = 0; i < 3; i++) {
		cv = st->chain + i * AES_BLOCKSIZE;
		for (j = 0; j < AES_BLOCKSIZE; j++)
			cv[j] ^= blk[j];
		aes256_encrypt(&st->aes, cv, cv);
	}
}

static void
df_absorb(df_state *st, const uint8_t *p, size_t len)
{
	size_t take;

	if (st->fill > 0) {
		take = AES_BLOCKSIZE - st->fill;
		if (take > len)
			take = len;
		memcpy(st->buf + st->fill, p, take);
		st->fill += take;
		p += take;
		len -= take;
		if (st->fill < AES_BLOCKSIZE)
			return;
		df_block(st, st->buf);
		st->fill = 0;
	}
	for (; len >= AES_BLOCKSIZE; p += AES_BLOCKSIZE, len -= AES_BLOCKSIZE)
		df_block(st, p);
	if (len > 0) {
		memcpy(st->buf, p, len);
		st->fill = len;
	}
}

/* 1 when a + b + c fits Block_Cipher_df's 32-bit length, without
 * overflowing size_t on the way. */
static int
df_fits(size_t a, size_t b, size_t c)
{
	return a <= DF_MAX_TOTAL && b <= DF_MAX_TOTAL - a &&
	    c <= DF_MAX_TOTAL - a - b;
}

/* Block_Cipher_df (10.3.2) of a || b || c, returning seedlen bits.
 * The caller has checked df_fits(alen, blen, clen). */
static void
block_cipher_df(uint8_t out[DRBG_SEEDLEN], const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, const uint8_t *c, size_t clen)
{
	/* Step 7: K = leftmost keylen bits of 0x00010203...1F. */
	static const uint8_t df_key[DRBG_KEYLEN] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
	};
	static const uint8_t end = 0x80;
	df_state st;
	uint8_t ln[8], *cv;
	uint32_t l = (uint32_t)(alen + blen + clen);
	size_t i;

	aes256_init(&st.aes, df_key);
	/* BCC starts from a zero chaining value, so its first block, IV_i
	 * (i as 32 bits, then zeros), is simply encrypted. */
	memset(st.chain, 0, sizeof(st.chain));
	for (i = 0; i < 3; i++) {
		cv = st.chain + i * AES_BLOCKSIZE;
		cv[3] = (uint8_t)i;
		aes256_encrypt(&st.aes, cv, cv);
	}
	st.fill = 0;

	/* S = L || N || input || 0x80 || zero padding to a whole block. */
	ln[0] = (uint8_t)(l >> 24);
	ln[1] = (uint8_t)(l >> 16);
	ln[2] = (uint8_t)(l >> 8);
	ln[3] = (uint8_t)l;
	ln[4] = 0;
	ln[5] = 0;
	ln[6] = 0;
	ln[7] = DRBG_SEEDLEN;
	df_absorb(&st, ln, sizeof(ln));
	if (alen > 0)
		df_absorb(&st, a, alen);
	if (blen > 0)
		df_absorb(&st, b, blen);
	if (clen > 0)
		df_absorb(&st, c, clen);
	df_absorb(&st, &end, 1);
	if (st.fill > 0) {
		memset(st.buf + st.fill, 0, AES_BLOCKSIZE - st.fill);
		df_block(&st, st.buf);
	}

	/* Steps 9-12: K = temp[0..32), X = temp[32..48); out = E(X), E(E(X)),
	 * E(E(E(X))). The schedule K replaces is of the public fixed key:
	 * nothing secret to wipe first. */
	aes256_init(&st.aes, st.chain);
	aes256_encrypt(&st.aes, out, st.chain + DRBG_KEYLEN);
	aes256_encrypt(&st.aes, out + AES_BLOCKSIZE, out);
	aes256_encrypt(&st.aes, out + 2 * AES_BLOCKSIZE, out + AES_BLOCKSIZE);

	aes256_clear(&st.aes);
	memzero(&st, sizeof(st));
}

/* CTR_DRBG_Update (10.2.1.2); provided NULL stands for seedlen zero bits. */
static void
drbg_update(drbg_ctx *ctx, const uint8_t *provided)
{
	uint8_t temp[DRBG_SEEDLEN];
	size_t i;

	aes256_ctr_blocks(&ctx->aes, ctx->v, temp, DRBG_SEEDLEN / AES_BLOCKSIZE);
	if (provided)
		for (i = 0; i < DRBG_SEEDLEN; i++)
			temp[i] ^= provided[i];
	memcpy(ctx->key, temp, DRBG_KEYLEN);
	memcpy(ctx->v, temp + DRBG_KEYLEN, AES_BLOCKSIZE);
	/* Clear first: if the AES implementation was switched since the last
	 * init, the new init would leave the old layout's round keys behind. */
	aes256_clear(&ctx->aes);
	aes256_init(&ctx->aes, ctx->key);
	memzero(temp, sizeof(temp));
}

/* Lengths past the standard's 2^35 bits. A function, not an inline test:
 * where size_t has 32 bits no length can be, and the compiler says so. */
static int
over_input(uint64_t len)
{
	return len > DRBG_MAX_INPUT;
}

int
drbg_instantiate(drbg_ctx *ctx,
    const uint8_t *entropy, size_t entropylen,
    const uint8_t *nonce, size_t noncelen,
    const uint8_t *pers, size_t perslen,
    drbg_entropy_fn get_entropy, void *entropy_arg)
{
	uint8_t seed[DRBG_SEEDLEN];

	if (!ctx)
		return DRBG_ERR_INPUT;
	/* A new instantiation replaces the old one whether or not it
	 * succeeds: after a failure the ctx is plainly uninstantiated. */
	drbg_destroy(ctx);
	if (!entropy || entropylen < DRBG_STRENGTH ||
	    over_input(entropylen) ||
	    !nonce || noncelen < DRBG_STRENGTH / 2 ||
	    over_input(noncelen) ||
	    (perslen > 0 && !pers) || over_input(perslen) ||
	    !df_fits(entropylen, noncelen, perslen))
		return DRBG_ERR_INPUT;

	block_cipher_df(seed, entropy, entropylen, nonce, noncelen,
	    pers, perslen);
	/* Key = 0, V = 0 (destroy zeroed them), then Update with the seed. */
	aes256_init(&ctx->aes, ctx->key);
	drbg_update(ctx, seed);
	memzero(seed, sizeof(seed));
	ctx->reseed_counter = 1;
	ctx->get_entropy = get_entropy;
	ctx->entropy_arg = entropy_arg;
	ctx->instantiated = 1;
	return DRBG_OK;
}

int
drbg_reseed(drbg_ctx *ctx, const uint8_t *entropy, size_t entropylen,
    const uint8_t *add, size_t addlen)
{
	uint8_t seed[DRBG_SEEDLEN];

	if (!ctx || !ctx->instantiated)
		return DRBG_ERR_STATE;
	if (!entropy || entropylen < DRBG_STRENGTH ||
	    over_input(entropylen) ||
	    (addlen > 0 && !add) || over_input(addlen) ||
	    !df_fits(entropylen, addlen, 0))
		return DRBG_ERR_INPUT;

	block_cipher_df(seed, entropy, entropylen, add, addlen, NULL, 0);
	drbg_update(ctx, seed);
	memzero(seed, sizeof(seed));
	ctx->reseed_counter = 1;
	return DRBG_OK;
}

int
drbg_generate(drbg_ctx *ctx, uint8_t *out, size_t outlen,
    const uint8_t *add, size_t addlen, int prediction_resistance)
{
	uint8_t seed[DRBG_SEEDLEN], last[AES_BLOCKSIZE];
	uint8_t fresh[DRBG_STRENGTH];
	size_t nblocks, tail;
	int ret;

	if (!ctx || !ctx->instantiated)
		return DRBG_ERR_STATE;
	if (outlen > DRBG_MAX_REQUEST || (outlen > 0 && !out) ||
	    over_input(addlen) || !df_fits(addlen, 0, 0) ||
	    (addlen > 0 && !add))
		return DRBG_ERR_INPUT;

	/* 9.3.1: prediction resistance reseeds from fresh entropy together
	 * with the additional input, which the generate step then must not
	 * use a second time. The reseed also restarts the counter. */
	if (prediction_resistance) {
		if (!ctx->get_entropy)
			return DRBG_ERR_ENTROPY;
		if (ctx->get_entropy(ctx->entropy_arg, fresh,
		    sizeof(fresh)) != 0) {
			memzero(fresh, sizeof(fresh));
			return DRBG_ERR_ENTROPY;
		}
		ret = drbg_reseed(ctx, fresh, sizeof(fresh), add, addlen);
		memzero(fresh, sizeof(fresh));
		if (ret != DRBG_OK)
			return ret;
		add = NULL;
		addlen = 0;
	}

	if (ctx->reseed_counter > DRBG_RESEED_INTERVAL)
		return DRBG_ERR_RESEED;

	/* An empty additional input is the spec's Null: no df, no Update,
	 * and the closing Update gets zeros. */
	if (addlen > 0) {
		block_cipher_df(seed, add, addlen, NULL, 0, NULL, 0);
		drbg_update(ctx, seed);
	}

	/* Whole blocks straight into the caller's buffer; only the last
	 * partial block passes through a temporary. */
	nblocks = outlen / AES_BLOCKSIZE;
	tail = outlen % AES_BLOCKSIZE;
	if (nblocks > 0)
		aes256_ctr_blocks(&ctx->aes, ctx->v, out, nblocks);
	if (tail > 0) {
		aes256_ctr_blocks(&ctx->aes, ctx->v, last, 1);
		memcpy(out + nblocks * AES_BLOCKSIZE, last, tail);
		memzero(last, sizeof(last));
	}

	/* Backtracking resistance: the key that made this output is gone
	 * before the caller sees it. */
	drbg_update(ctx, addlen > 0 ? seed : NULL);
	if (addlen > 0)
		memzero(seed, sizeof(seed));
	ctx->reseed_counter++;
	return DRBG_OK;
}

void
drbg_destroy(drbg_ctx *ctx)
{
	if (!ctx)
		return;
	aes256_clear(&ctx->aes);
	/* Key and V, and with them the counter, the callback and the
	 * instantiated flag. */
	memzero(ctx, sizeof(*ctx));
}
