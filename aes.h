/* SPDX-License-Identifier: MIT */
/* aes.h - AES-256 encryption only (FIPS 197), as the CTR_DRBG needs it.
 *
 * Two implementations: AES-NI, chosen at run time when the CPU has it,
 * and a constant-time bitsliced fallback (no table look-up and no branch
 * that depends on the key or the data). */
#ifndef D20_AES_H
#define D20_AES_H

#include <stddef.h>
#include <stdint.h>

#define AES256_KEYSIZE 32
#define AES_BLOCKSIZE 16

enum aes_impl {
	AES_IMPL_AUTO = 0,	/* AES-NI when the CPU has it, else CT */
	AES_IMPL_NI = 1,
	AES_IMPL_CT = 2
};

/* The caller owns the context. The round keys are laid out for the
 * implementation chosen at aes256_init; wipe with aes256_clear. */
typedef struct {
	uint8_t rk[15 * 16] __attribute__((aligned(16)));	/* NI: 15 round keys */
	uint64_t sk[15 * 8];			/* CT: bitsliced round keys */
	int impl;				/* AES_IMPL_NI or AES_IMPL_CT */
} aes256_ctx;

/* Choose the implementation used by later aes256_init calls. Returns 0,
 * or -1 when impl is AES_IMPL_NI and the CPU lacks AES-NI. Tests and
 * benchmarks use this to force each path. */
int aes_set_impl(enum aes_impl impl);

/* The implementation aes256_init would choose now (AES_IMPL_NI or CT). */
enum aes_impl aes_get_impl(void);

/* Expand a 256-bit key. */
void aes256_init(aes256_ctx *ctx, const uint8_t key[AES256_KEYSIZE]);

/* Encrypt one block; in and out may be the same buffer. */
void aes256_encrypt(const aes256_ctx *ctx, uint8_t out[AES_BLOCKSIZE],
    const uint8_t in[AES_BLOCKSIZE]);

/* CTR_DRBG's counter mode (SP 800-90A 10.2.1.5.2): for each of nblocks
 * blocks, first V = (V + 1) mod 2^128 (V is a 128-bit big-endian number),
 * then out block = AES(key, V). V is updated in place. */
void aes256_ctr_blocks(const aes256_ctx *ctx, uint8_t v[AES_BLOCKSIZE],
    uint8_t *out, size_t nblocks);

/* Wipe the round keys. */
void aes256_clear(aes256_ctx *ctx);

#endif
