/* SPDX-License-Identifier: MIT */
/* signer.h - the channel between d20d's workers and the one process that
 * holds the TLS private key (the signer). Built only with TLS=1.
 *
 * A TLS 1.2 ECDHE handshake needs one private-key operation: the
 * signature over the ServerKeyExchange hash. A worker sends the hash in a
 * fixed-size request over a SOCK_SEQPACKET socket of its own and reads a
 * fixed-size reply; the key itself never leaves the signer. The signer
 * is handed the other end of each worker's socket over its control
 * socket (SCM_RIGHTS) by the parent. Nothing here knows BearSSL (the
 * signature is made by a callback, tls_server_sign) and nothing prints. */
#ifndef D20_SIGNER_H
#define D20_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#define SIGNER_HASH_MAX 64	/* SHA-512 */
#define SIGNER_SIG_MAX 512	/* RSA-4096, BearSSL's largest; ECDSA needs <= 139 */
#define SIGNER_REASON_MAX 160	/* a failed start-up's one-line reason */

/* What a worker asks: the hash to sign. id is echoed in the reply, so a
 * late answer to an earlier request is never taken for this one. */
struct signer_request {
	uint32_t id;
	uint8_t hash_id;	/* BearSSL's: 4 SHA-256, 5 SHA-384, 6 SHA-512 */
	uint8_t hash_len;
	uint8_t pad[2];
	uint8_t hash[SIGNER_HASH_MAX];
};

struct signer_reply {
	uint32_t id;
	uint16_t len;		/* signature bytes; 0: refused */
	uint8_t pad[2];
	uint8_t sig[SIGNER_SIG_MAX];
};

/* The signer's first message on its control socket: ready (ok 1), or why
 * it could not start (ok 0). */
struct signer_hello {
	uint32_t ok;
	char reason[SIGNER_REASON_MAX];
};

/* Makes a signature over hash (hash_len bytes, BearSSL hash id hash_id)
 * into sig; returns its length, or 0 when it cannot (a hash it does not
 * take, no key). */
typedef size_t (*signer_sign_fn)(unsigned hash_id, const uint8_t *hash,
    size_t hash_len, uint8_t sig[SIGNER_SIG_MAX]);

/* A worker: ask the signer on fd for a signature, waiting at most
 * wait_ms. Returns the signature length (at most max), or -1 with errno
 * set: ETIMEDOUT, EPIPE when the signer is gone (the channel is then of
 * no further use), EINTR when a signal (the connection's deadline) cut
 * the wait, EPROTO for a refused or malformed answer. */
long signer_ask(int fd, unsigned hash_id, const uint8_t *hash, size_t hash_len,
    uint8_t *sig, size_t max, int wait_ms);

/* The signer: answer requests on ctl and on every channel handed over
 * ctl, each with sign, never waiting on a worker (a reply that does not
 * fit its socket is dropped). Descriptors are taken from ctl only;
 * requests of the wrong size are ignored. Returns 0 once ctl is closed
 * and no channel is left (the parent replaced or left it and its
 * workers are gone), or -1 when its epoll set fails. */
int signer_serve(int ctl, signer_sign_fn sign);

/* The parent: hand the signer one end of a worker's channel. Never
 * blocks. Returns 0 or -1. */
int signer_give(int ctl, int fd);

/* The signer's start-up result on ctl (reason NULL or empty when ok). */
int signer_hello_send(int ctl, int ok, const char *reason);

/* The parent: wait at most wait_ms for the hello. Returns 0 when the
 * signer is ready, or -1 with a reason in reason[SIGNER_REASON_MAX]. */
int signer_hello_wait(int ctl, int wait_ms, char reason[SIGNER_REASON_MAX]);

#endif
