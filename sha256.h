/* SPDX-License-Identifier: MIT */
/* sha256.h - SHA-256 for BearSSL's TLS engines: BearSSL's own hash class
 * with its block function done by the CPU's SHA instructions where an
 * x86-64 has them (SHA-NI: most since 2017), and the TLS 1.2 PRF over
 * that class. A full handshake hashes about 160 blocks with SHA-256 (the
 * transcript, the PRF, the HMAC_DRBGs of the engine and of the RFC 6979
 * signature): 12% of d20d's instructions per handshake in BearSSL's C,
 * a few percent with the instructions. The contexts are BearSSL's
 * (br_sha256_context), their states interchangeable with its own. */
#ifndef D20_SHA256_H
#define D20_SHA256_H

#include <bearssl.h>

/* The class to give BearSSL: the one with the CPU's instructions where
 * they are there (asked once per process), else br_sha256_vtable. */
const br_hash_class *sha256_class(void);

/* 1 when sha256_class() is not BearSSL's own (for tests and benchmarks). */
int sha256_hw(void);

/* The TLS 1.2 PRF with SHA-256 (RFC 5246, 5), as br_tls12_sha256_prf,
 * over sha256_class(). */
void sha256_prf(void *dst, size_t len, const void *secret, size_t secret_len,
    const char *label, size_t seed_num, const br_tls_prf_seed_chunk *seed);

#endif
