/* SPDX-License-Identifier: MIT */
/* p256.h - k*G on NIST P-256 over 64-bit limbs, for the ECDSA signature
 * of every TLS handshake d20d makes. BearSSL 0.6 as Debian ships it does
 * P-256 on 31-bit limbs only (ec_p256_m31), and its generator multiple
 * was about a third of d20d's CPU per handshake (make profile); where the
 * compiler has 128-bit integers this one does the same in fewer, wider
 * products and fewer doublings. x25519_ec_impl() hands it to BearSSL. */
#ifndef D20_P256_H
#define D20_P256_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

/* D20_X25519_M31 keeps BearSSL's m31 code for both curves (the fallback
 * of 32-bit targets), to test that path on a 64-bit one. */
#if defined(__SIZEOF_INT128__) && !defined(D20_X25519_M31)
#define P256_FAST 1
/* R = k*G, encoded uncompressed (0x04, X, Y, big-endian), as BearSSL's
 * br_ec_impl mulgen: k is big-endian, klen <= 32 bytes, and not a multiple
 * of the group order. Returns 65, or 0 when klen > 32. Constant time in
 * the value of k. */
size_t p256_mulgen(uint8_t R[65], const uint8_t *k, size_t klen);
/* The ECDSA signature BearSSL's br_ecdsa_i31_sign_raw makes on P-256,
 * byte for byte: r and s, 32 bytes each, big-endian, with RFC 6979's
 * deterministic k drawn with hf's HMAC, but for k*G and 1/k on 64-bit
 * limbs. x is the private key (big-endian, xlen <= 32, 0 < x < n); hash
 * is hash_len bytes of hf's output. Returns 64, or 0 when xlen > 32.
 * Constant time in x and k. */
size_t p256_sign_raw(const br_hash_class *hf, const void *hash, size_t hash_len,
    const uint8_t *x, size_t xlen, uint8_t sig[64]);
#else
#define P256_FAST 0
#endif

#endif
