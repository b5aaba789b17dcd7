/* SPDX-License-Identifier: MIT */
/* sha512.h - SHA-512 (FIPS 180-4), streaming and one-shot. */
#ifndef D20_SHA512_H
#define D20_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_SIZE 64
#define SHA512_BLOCK 128

/* The caller owns the context; nothing is allocated. */
typedef struct {
	uint64_t h[8];
	uint64_t count[2];	/* message length in bytes: high, low */
	uint8_t buf[SHA512_BLOCK];
	size_t fill;		/* bytes waiting in buf */
} sha512_ctx;

/* Start a new hash. */
void sha512_init(sha512_ctx *ctx);

/* Absorb len bytes; any split of a message gives the same digest. */
void sha512_update(sha512_ctx *ctx, const void *data, size_t len);

/* Absorb v as 8 big-endian bytes: a field of fixed size in a hashed
 * record. */
void sha512_update_u64(sha512_ctx *ctx, uint64_t v);

/* Write the digest to out and wipe the context. */
void sha512_final(sha512_ctx *ctx, uint8_t out[SHA512_SIZE]);

/* One-shot: out = SHA-512(data[0..len)). */
void sha512(uint8_t out[SHA512_SIZE], const void *data, size_t len);

#endif
