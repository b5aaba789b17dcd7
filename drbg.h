/* SPDX-License-Identifier: MIT */
/* drbg.h - CTR_DRBG with AES-256 and the derivation function,
 * NIST SP 800-90A Rev. 1, section 10.2.1. */
#ifndef D20_DRBG_H
#define D20_DRBG_H

#include <stddef.h>
#include <stdint.h>

#include "aes.h"

#define DRBG_KEYLEN 32
#define DRBG_SEEDLEN 48				/* keylen + blocklen */
#define DRBG_STRENGTH 32			/* security strength, bytes */
#define DRBG_MAX_REQUEST 65536			/* 2^19 bits per generate */
#define DRBG_RESEED_INTERVAL ((uint64_t)1 << 48)
#define DRBG_MAX_INPUT ((uint64_t)1 << 32)	/* 2^35 bits: entropy, nonce, strings */

/* Where prediction resistance gets fresh entropy input: fill buf with
 * len bytes and return 0, or return -1. */
typedef int (*drbg_entropy_fn)(void *arg, uint8_t *buf, size_t len);

/* The caller owns the state. key and v are the working state of the spec. */
typedef struct {
	uint8_t key[DRBG_KEYLEN];
	uint8_t v[AES_BLOCKSIZE];
	aes256_ctx aes;			/* expanded key, kept in step with key */
	uint64_t reseed_counter;
	drbg_entropy_fn get_entropy;	/* NULL: no prediction resistance */
	void *entropy_arg;
	int instantiated;
} drbg_ctx;

/* Results: 0 is success; the others say what went wrong. */
enum drbg_status {
	DRBG_OK = 0,
	DRBG_ERR_INPUT = -1,		/* a length outside the spec's limits */
	DRBG_ERR_RESEED = -2,		/* reseed interval reached: reseed first */
	DRBG_ERR_ENTROPY = -3,		/* get_entropy failed or is missing */
	DRBG_ERR_STATE = -4		/* not instantiated */
};

/* Instantiate (10.2.1.3.2). entropy must be 32 bytes or more, nonce 16
 * or more; pers may be NULL with perslen 0. get_entropy may be NULL. */
int drbg_instantiate(drbg_ctx *ctx,
    const uint8_t *entropy, size_t entropylen,
    const uint8_t *nonce, size_t noncelen,
    const uint8_t *pers, size_t perslen,
    drbg_entropy_fn get_entropy, void *entropy_arg);

/* Reseed (10.2.1.4.2) with entropylen >= 32 bytes of entropy input and
 * optional additional input. */
int drbg_reseed(drbg_ctx *ctx, const uint8_t *entropy, size_t entropylen,
    const uint8_t *add, size_t addlen);

/* Generate (10.2.1.5.2, 9.3.1) outlen <= DRBG_MAX_REQUEST bytes with
 * optional additional input. With prediction_resistance, first reseed
 * from get_entropy (32 bytes) and add, then generate without add. */
int drbg_generate(drbg_ctx *ctx, uint8_t *out, size_t outlen,
    const uint8_t *add, size_t addlen, int prediction_resistance);

/* Uninstantiate: wipe key, V and the expanded key. */
void drbg_destroy(drbg_ctx *ctx);

#endif
