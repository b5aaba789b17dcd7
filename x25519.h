/* SPDX-License-Identifier: MIT */
/* x25519.h - X25519 (RFC 7748) on 64-bit limbs, for the TLS key exchange.
 * BearSSL 0.6 as Debian ships it computes X25519 on 31-bit limbs only
 * (ec_c25519_m31), about a fifth of d20d's time per handshake; where the
 * compiler has 128-bit integers (every 64-bit target) this one does the
 * same in fewer, wider products. */
#ifndef D20_X25519_H
#define D20_X25519_H

#include <stdint.h>

#include <bearssl.h>

#if defined(__SIZEOF_INT128__) && !defined(D20_X25519_M31)
#define X25519_FAST 1
/* out = X25519(scalar, u): scalar clamped, u's top bit ignored, as RFC
 * 7748 says; out may be u. Constant time. */
void x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t u[32]);
/* out = X25519(scalar, 9) from the table x25519_base_init made (call
 * that first). Constant time. */
void x25519_base(uint8_t out[32], const uint8_t scalar[32]);
#else
#define X25519_FAST 0
#endif

/* The curves for a BearSSL engine (br_ssl_engine_set_ec) and for ECDSA
 * signing: BearSSL's br_ec_all_m31 with curve25519 computed by x25519()
 * and P-256's generator multiples by p256_mulgen() where X25519_FAST,
 * br_ec_all_m31 itself elsewhere. */
const br_ec_impl *x25519_ec_impl(void);

/* Make the table of multiples of the base point (16 x 8 points, 15 KiB,
 * about a millisecond) that makes a key pair three times cheaper; from
 * then on x25519_ec_impl's mulgen uses it. For a process that makes many
 * (d20d, before it forks); nothing where X25519_FAST is 0. */
void x25519_base_init(void);

#endif
