/* SPDX-License-Identifier: MIT */
/* tls.h - TLS 1.2 for d20 and d20d through BearSSL. tls.c is the only
 * file that includes BearSSL; built only with TLS=1 (D20_TLS == 1).
 *
 * One TLS connection per process: d20d serves one connection per child
 * and d20 asks each server from its own child process, so the engine and
 * its buffers live in tls.c's static storage and nothing is allocated.
 * All I/O is blocking; callers bound time with alarm() or by killing the
 * process, as they do for plain connections (see tls_read for EINTR). */
#ifndef D20_TLS_H
#define D20_TLS_H

#include <stddef.h>
#include <sys/types.h>

#define TLS_ERRLEN 160
#define TLS_PIN_MAX 8		/* sha256// pins in one list (key rotation) */

/* ---- server ---- */

/* The private key never needs to be where the handshakes run (d20d's
 * signer, signer.h): a server handshake asks a callback for its one
 * private-key operation, the signature over the ServerKeyExchange, and
 * only ECDHE suites are offered (ECDHE_ECDSA for an EC certificate,
 * ECDHE_RSA for an RSA one), so that signature is the only one. */

#define TLS_SIG_MAX 512		/* RSA-4096, BearSSL's largest key */

/* Load a PEM certificate chain (leaf first) beside the pair in use: at
 * start and on SIGHUP. Returns 0, or -1 with a one-line reason in err;
 * either way the pair in use stays in use until tls_server_commit. */
int tls_server_load_chain(const char *chain_path, char err[TLS_ERRLEN]);

/* Load a PEM private key (EC or RSA, PKCS#8 or traditional) for the
 * chain tls_server_load_chain just loaded, and check that it is the
 * leaf's. Returns 0, or -1 with a reason in err. */
int tls_server_load_key(const char *key_path, char err[TLS_ERRLEN]);

/* Put what was just loaded in use (the chain, and the key if loaded). */
void tls_server_commit(void);

/* All three: chain, key, commit. On failure the loaded pair stays. */
int tls_server_load(const char *chain_path, const char *key_path,
    char err[TLS_ERRLEN]);

/* 1 when a certificate chain is in use. */
int tls_server_ready(void);

/* Sign hash (hash_len bytes of SHA-256, SHA-384 or SHA-512: BearSSL's
 * hash ids 4, 5, 6) with the key in use: ECDSA (ASN.1) for an EC key,
 * PKCS#1 v1.5 for RSA. Returns the signature length, or 0 (no key, a
 * hash it does not take). The signer's one job. */
size_t tls_server_sign(unsigned hash_id, const unsigned char *hash,
    size_t hash_len, unsigned char sig[TLS_SIG_MAX]);

/* What a handshake calls for its signature: the same contract, with the
 * room in sig given as max. Returns the length, or -1. */
typedef long (*tls_sign_fn)(void *arg, unsigned hash_id,
    const unsigned char *hash, size_t hash_len, unsigned char *sig, size_t max);

/* A tls_sign_fn that signs in this process (tls_server_sign): for tests,
 * and builds that keep the key where the handshakes run. */
long tls_sign_here(void *arg, unsigned hash_id, const unsigned char *hash,
    size_t hash_len, unsigned char *sig, size_t max);

/* Begin a server handshake on rfd/wfd (the same socket, or stdin and
 * stdout in inetd mode) with the chain in use; sign(arg, ...) makes its
 * signature. seed is fresh randomness for BearSSL's own generator (the
 * child's DRBG output), so a chroot without /dev/urandom does not
 * matter. The handshake completes inside the first tls_read. Returns 0,
 * or -1 when nothing is loaded. */
int tls_server_start(int rfd, int wfd, const unsigned char seed[32],
    tls_sign_fn sign, void *arg);

/* ---- client ---- */

typedef struct {
	const char *ca_file;	/* PEM bundle; NULL: no CA check (then pin required) */
	const char *pin;	/* "sha256//BASE64" of the SubjectPublicKeyInfo, */
				/* up to TLS_PIN_MAX joined by ';'; or NULL */
	const char *host;	/* for SNI and the name check */
	const unsigned char *seed;	/* 32 bytes for BearSSL's generator: in early */
				/* boot the caller's non-blocking mix, never a blocking read */
	long long build_time;	/* the program's build time, seconds since the */
				/* epoch (0: unknown): see tls_cert_time */
} tls_client_opts;

/* Load the CA bundle now, for a process about to give up the right to
 * read it; tls_client_start then uses it when its ca_file is this same
 * pointer. Returns 0, or -1 with a reason in err (tls_client_start then
 * tries again by itself, and says why it fails). */
int tls_client_load_ca(const char *ca_file, char err[TLS_ERRLEN]);

/* Connect TLS over the connected socket fd and finish the handshake.
 * With a pin, the server's key must match it and no CA or clock is
 * consulted; otherwise the chain must verify against ca_file and name
 * host, its dates checked at tls_cert_time(now, build_time). Returns 0,
 * or -1 with a one-line reason in err. */
int tls_client_start(int fd, const tls_client_opts *opts, char err[TLS_ERRLEN]);

/* The time at which certificate dates are checked, as BearSSL counts it
 * (days since 1 January of year 0, proleptic Gregorian, and seconds in
 * the day): the local clock now, but never earlier than build, both in
 * seconds since the epoch. A clock before the build is surely wrong (a
 * dead CMOS battery says 2000), and a certificate that expired before the
 * program was built must be refused whatever that clock says. */
void tls_cert_time(long long now, long long build, unsigned long *days,
    unsigned long *secs);

/* Check a pin string's form: "sha256//" and 44 base64 characters, or
 * up to TLS_PIN_MAX such separated by ';' (curl's form; any one may
 * match).
 * Returns 0 or -1; lets d20 refuse a bad --pin before any connection. */
int tls_pin_check(const char *pin);

/* ---- both ---- */

/* Read up to len bytes of application data: returns the count, 0 at the
 * peer's close, or -1 on error (a failed handshake included). A signal
 * that interrupts the wait (d20d's deadline) makes it return -1 with
 * errno EINTR and leaves the connection as it was: call it again, or
 * still tls_write an answer. */
ssize_t tls_read(void *buf, size_t len);

/* Write all len bytes and flush. Returns 0 or -1. It never waits for a
 * record from the peer: before the handshake has finished it fails. */
int tls_write(const void *buf, size_t len);

/* tls_write for the last bytes of the connection: they leave with the
 * close_notify, in one write. tls_close still ends the connection. */
int tls_write_last(const void *buf, size_t len);

/* Send close_notify, flush, and wipe the engine. */
void tls_close(void);

/* A one-line description of the last failure (BearSSL's error code
 * translated), for logs. */
const char *tls_last_error(void);

#endif
