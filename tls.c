/* SPDX-License-Identifier: MIT */
/* tls.c - see tls.h. The only file that includes BearSSL.
 *
 * One profile for both sides: TLS 1.2 only, ECDHE with AES-GCM or
 * ChaCha20-Poly1305, ECDSA or RSA certificates. Everything lives in static
 * storage because a process holds one connection (see tls.h); the large
 * buffers are in .bss and cost memory only once touched. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "p256.h"
#include "sha256.h"
#include "tls.h"
#include "util.h"
#include "x25519.h"

/* Bounds on everything loaded from files. */
#define TLS_FILE_MAX (512 * 1024)	/* a PEM file: a system CA bundle fits */
#define TLS_DER_MAX (16 * 1024)		/* one decoded PEM object */
#define TLS_CHAIN_MAX 8			/* certificates in a server chain */
#define TLS_CHAIN_BYTES (32 * 1024)
#define TLS_TA_MAX 512			/* trust anchors from a CA bundle */
#define TLS_TA_BYTES (256 * 1024)	/* their names and keys */

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* BearSSL is built with room for exactly these (BEARSSL_MAX_SUITES in
 * config.mk, which says why): more would not fit, fewer cost the server
 * work on every handshake. Adding a suite means raising it there. */
typedef char suites_room_is_config_mk_BEARSSL_MAX_SUITES[
    sizeof(suites) / sizeof(suites[0]) == BR_MAX_CIPHER_SUITES ? 1 : -1];

static char lasterr[TLS_ERRLEN];
static unsigned char filebuf[TLS_FILE_MAX];
static unsigned char derbuf[TLS_DER_MAX];

/* The one connection of this process. */
static br_ssl_engine_context *eng;
static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
static int io_rfd = -1, io_wfd = -1;
static int io_broken;		/* the socket failed or closed under the engine */
/* BearSSL takes a record's header, then its body, never more: what one
 * read brings beyond that (the rest of a flight) waits here, and so one
 * read serves a client's whole flight instead of two per record. Records
 * the engine makes one after another (ChangeCipherSpec and Finished, an
 * answer and its close_notify) gather here too, to leave in one write. */
static unsigned char rahead[4096], wgather[1024];
static size_t ra_at, ra_len, wg_at, wg_len;
static int io_closing;	/* tls_write_last sent the close_notify */

static int engine_error(char *err);

static int
fail(char *err, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vfmt(lasterr, sizeof(lasterr), f, ap);
	va_end(ap);
	if (err && err != lasterr)
		memcpy(err, lasterr, TLS_ERRLEN);
	return -1;
}

/* ---- files and PEM ---- */

/* Read a whole file into filebuf; returns its length or -1. */
static long
read_file(const char *path, char *err)
{
	ssize_t n;
	uint8_t extra;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, "%s: %s", path, err_str(errno));
	n = read_full(fd, filebuf, sizeof(filebuf));
	if (n == (ssize_t)sizeof(filebuf) && read_full(fd, &extra, 1) != 0)
		n = -2;
	close(fd);
	if (n == -2)
		return fail(err, "%s: larger than %d bytes", path, TLS_FILE_MAX);
	if (n < 0)
		return fail(err, "%s: %s", path, err_str(errno));
	return (long)n;
}

struct der_sink {
	size_t len;
	int overflow;
};

static void
der_append(void *ctx, const void *data, size_t len)
{
	struct der_sink *d = ctx;

	if (d->overflow || len > sizeof(derbuf) - d->len) {
		d->overflow = 1;
		return;
	}
	memcpy(derbuf + d->len, data, len);
	d->len += len;
}

/* Called with each decoded PEM object (name and DER in derbuf). */
typedef int (*pem_fn)(void *arg, const char *name, size_t len, char *err);

/* Decode every PEM object in buf and hand each to fn. Returns the number
 * of objects, or -1. */
static int
pem_each(const char *path, const unsigned char *buf, size_t len, pem_fn fn,
    void *arg, char *err)
{
	br_pem_decoder_context pc;
	struct der_sink sink = { 0, 0 };
	char name[128];
	int count = 0, inside = 0, final = 0;
	size_t n;

	br_pem_decoder_init(&pc);
	/* A last newline ends an object whose file lacks one. */
	while (len > 0 || !final) {
		if (len == 0) {
			buf = (const unsigned char *)"\n";
			len = 1;
			final = 1;
		}
		n = br_pem_decoder_push(&pc, buf, len);
		buf += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			fmt(name, sizeof(name), "%s", br_pem_decoder_name(&pc));
			sink.len = 0;
			sink.overflow = 0;
			br_pem_decoder_setdest(&pc, der_append, &sink);
			inside = 1;
			break;
		case BR_PEM_END_OBJ:
			inside = 0;
			if (sink.overflow)
				return fail(err, "%s: a PEM object over %d bytes",
				    path, TLS_DER_MAX);
			if (fn(arg, name, sink.len, err) < 0)
				return -1;
			count++;
			break;
		case BR_PEM_ERROR:
			return fail(err, "%s: malformed PEM", path);
		}
	}
	if (inside)
		return fail(err, "%s: truncated PEM object", path);
	return count;
}

/* ---- engine set-up shared by both sides ---- */

/* The cipher implementations BearSSL's br_ssl_engine_set_default_aes_gcm
 * and _chapol would pick, chosen once per process: each of those calls
 * asks the CPU (cpuid) what it has, once per handshake, and a virtual
 * machine's hypervisor traps every cpuid (three of them were 3% of d20d's
 * CPU under load, make profile). The same choices in the same order. */
static struct {
	const br_block_ctr_class *aes_ctr;
	br_ghash ghash;
	br_chacha20_run chacha20;
	br_poly1305_run poly1305;
} impl;

static void
impl_choose(void)
{
	if (impl.aes_ctr)
		return;
	impl.aes_ctr = br_aes_x86ni_ctr_get_vtable();
	if (!impl.aes_ctr)
		impl.aes_ctr = br_aes_pwr8_ctr_get_vtable();
	impl.ghash = br_ghash_pclmul_get();
	if (!impl.ghash)
		impl.ghash = br_ghash_pwr8_get();
#if UINTPTR_MAX > 0xffffffffu
	if (!impl.aes_ctr)
		impl.aes_ctr = &br_aes_ct64_ctr_vtable;
	if (!impl.ghash)
		impl.ghash = &br_ghash_ctmul64;
#else
	if (!impl.aes_ctr)
		impl.aes_ctr = &br_aes_ct_ctr_vtable;
	if (!impl.ghash)
		impl.ghash = &br_ghash_ctmul;
#endif
	impl.chacha20 = br_chacha20_sse2_get();
	if (!impl.chacha20)
		impl.chacha20 = &br_chacha20_ct_run;
	impl.poly1305 = br_poly1305_ctmulq_get();
	if (!impl.poly1305)
		impl.poly1305 = &br_poly1305_ctmul_run;
}

static void
engine_setup(br_ssl_engine_context *e)
{
	br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(e, suites, sizeof(suites) / sizeof(suites[0]));
	/* SHA-256 with the CPU's instructions where it has them: the
	 * transcript, the engine's HMAC_DRBG (it takes the engine's
	 * SHA-256) and the PRF of the SHA-256 suites */
	br_ssl_engine_set_hash(e, br_sha256_ID, sha256_class());
	br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(e, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(e, &sha256_prf);
	br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
	impl_choose();
	br_ssl_engine_set_gcm(e, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(e, impl.aes_ctr);
	br_ssl_engine_set_ghash(e, impl.ghash);
	br_ssl_engine_set_chapol(e, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
	br_ssl_engine_set_chacha20(e, impl.chacha20);
	br_ssl_engine_set_poly1305(e, impl.poly1305);
	br_ssl_engine_set_ec(e, x25519_ec_impl());
	br_ssl_engine_set_buffer(e, iobuf, sizeof(iobuf), 1);
	/* One handshake per connection, either side: a renegotiation would let
	 * a client make the server repeat its most expensive step on one
	 * connection (a DoS testssl.sh reports), and d20 never needs one;
	 * without it a write never waits for the peer once the handshake is
	 * done (see io_run). */
	br_ssl_engine_add_flags(e, BR_OPT_NO_RENEGOTIATION);
}

/* Seed BearSSL's generator: the caller's seed, plus, with more, whatever
 * getrandom gives without blocking (nothing at all in early boot is
 * fine). */
static void
engine_seed(br_ssl_engine_context *e, const unsigned char *seed, int more)
{
	unsigned char extra[32];

	if (seed)
		br_ssl_engine_inject_entropy(e, seed, 32);
	if (more && getrandom(extra, sizeof(extra), GRND_NONBLOCK) == (ssize_t)sizeof(extra))
		br_ssl_engine_inject_entropy(e, extra, sizeof(extra));
	memzero(extra, sizeof(extra));
}

static void
io_start(br_ssl_engine_context *e, int rfd, int wfd)
{
	int one = 1;

	/* A handshake flight leaves in several small writes; Nagle would hold
	 * the last one for the peer's delayed ACK (40 ms here). Not a TCP
	 * socket (a pipe, a socketpair): the call fails, harmlessly. */
	setsockopt(wfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	eng = e;
	io_rfd = rfd;
	io_wfd = wfd;
	io_broken = 0;
	ra_at = ra_len = wg_at = wg_len = 0;
	io_closing = 0;
}

#define IO_EINTR (-2)

/* Write what is gathered. Returns 0, -1 (the socket failed: broken) or
 * IO_EINTR, with what is left kept for the next call. */
static int
io_flush(void)
{
	ssize_t n;

	while (wg_at < wg_len) {
		n = write(io_wfd, wgather + wg_at, wg_len - wg_at);
		if (n < 0 && errno == EINTR)
			return IO_EINTR;
		if (n <= 0) {
			io_broken = 1;
			return -1;
		}
		wg_at += (size_t)n;
	}
	wg_at = wg_len = 0;
	return 0;
}

/* Move records between the engine and the socket until the engine is in
 * one of the states in want (BR_SSL_SENDAPP, BR_SSL_RECVAPP), or, for
 * want 0, until nothing is left to send. With may_read 0 it never waits
 * for the peer: needing a record first is a failure (a handshake not
 * finished). Returns 0; -1 when the engine failed or closed; IO_EINTR
 * when a signal interrupted a read or write: the engine is untouched and
 * the caller decides whether to go on (d20d's deadline: it must still be
 * able to send its 408, which BearSSL's own I/O loop, retrying or
 * failing the engine, cannot). */
static int
io_run(unsigned want, int may_read)
{
	unsigned char *buf;
	unsigned st;
	size_t len;
	int flushed = 0, r;
	ssize_t n;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (io_broken)
			return -1;
		if (st & BR_SSL_CLOSED) {	/* its last alert, if any, goes */
			(void)io_flush();
			return -1;
		}
		if (st & BR_SSL_SENDREC) {	/* sending comes first */
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			if (len <= sizeof(wgather) - wg_len) {
				memcpy(wgather + wg_len, buf, len);
				wg_len += len;
				br_ssl_engine_sendrec_ack(eng, len);
				flushed = 0;
				continue;
			}
			if (wg_len == 0) {	/* a large record: as it is */
				n = write(io_wfd, buf, len);
				if (n < 0 && errno == EINTR)
					return IO_EINTR;
				if (n <= 0) {
					io_broken = 1;
					return -1;
				}
				br_ssl_engine_sendrec_ack(eng, (size_t)n);
				flushed = 0;
				continue;
			}
		}
		/* nothing more to send for now (or no room): out it goes */
		if (wg_len > 0) {
			if ((r = io_flush()) != 0)
				return r;
			continue;
		}
		if (!want || (st & want))
			return 0;
		/* unread application data stands before a write */
		if (st & BR_SSL_RECVAPP)
			return fail(NULL, "unread data before a write");
		if (st & BR_SSL_RECVREC) {
			if (!may_read)
				return fail(NULL, "TLS handshake not finished");
			buf = br_ssl_engine_recvrec_buf(eng, &len);
			if (ra_at == ra_len) {
				n = read(io_rfd, rahead, sizeof(rahead));
				if (n < 0 && errno == EINTR)
					return IO_EINTR;
				if (n <= 0) {
					if (n == 0)	/* the peer left mid-record */
						errno = ECONNRESET;
					io_broken = 1;
					return -1;
				}
				ra_at = 0;
				ra_len = (size_t)n;
			}
			if (len > ra_len - ra_at)
				len = ra_len - ra_at;
			memcpy(buf, rahead + ra_at, len);
			ra_at += len;
			br_ssl_engine_recvrec_ack(eng, len);
			flushed = 0;
			continue;
		}
		/* Buffered application data holds the engine: push it out,
		 * once; a second time round with no change is a dead end. */
		if (flushed)
			return fail(NULL, "TLS engine stuck");
		flushed = 1;
		br_ssl_engine_flush(eng, 0);
	}
}

/* ---- server ---- */

/* Two slots so that a failed reload leaves the loaded pair in use. */
struct server_slot {
	unsigned char der[TLS_CHAIN_BYTES];
	size_t used;
	br_x509_certificate chain[TLS_CHAIN_MAX];
	size_t chain_len;
	unsigned key_type;	/* the leaf's: BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
	br_skey_decoder_context skey;
	int have_key;
};

static struct server_slot slots[2];
static int active = -1;
static br_ssl_server_context sc;

static int
chain_add(void *arg, const char *name, size_t len, char *err)
{
	struct server_slot *s = arg;

	if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
		return 0;
	if (s->chain_len == TLS_CHAIN_MAX || len > sizeof(s->der) - s->used)
		return fail(err, "certificate chain longer than %d certificates or %d bytes",
		    TLS_CHAIN_MAX, TLS_CHAIN_BYTES);
	memcpy(s->der + s->used, derbuf, len);
	s->chain[s->chain_len].data = s->der + s->used;
	s->chain[s->chain_len].data_len = len;
	s->chain_len++;
	s->used += len;
	return 0;
}

static int
key_add(void *arg, const char *name, size_t len, char *err)
{
	struct server_slot *s = arg;

	if (strcmp(name, "PRIVATE KEY") != 0 && strcmp(name, "EC PRIVATE KEY") != 0 &&
	    strcmp(name, "RSA PRIVATE KEY") != 0)
		return 0;
	if (s->have_key)
		return fail(err, "more than one private key");
	br_skey_decoder_init(&s->skey);
	br_skey_decoder_push(&s->skey, derbuf, len);
	if (br_skey_decoder_last_error(&s->skey) != 0 ||
	    br_skey_decoder_key_type(&s->skey) == 0)
		return fail(err, "unsupported or malformed %s", name);
	s->have_key = 1;
	return 0;
}

/* Does the private key in s belong to the leaf certificate? */
static int
key_matches(struct server_slot *s)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	unsigned char buf[BR_EC_KBUF_PUB_MAX_SIZE > 512 ? BR_EC_KBUF_PUB_MAX_SIZE : 512];
	const unsigned char *n;
	size_t nlen, mlen;
	br_ec_public_key ecpub;
	br_rsa_compute_modulus modulus;
	const br_rsa_private_key *rsa;
	int ok = 0;

	br_x509_decoder_init(&dc, 0, 0);
	br_x509_decoder_push(&dc, s->chain[0].data, s->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk)
		return 0;
	switch (br_skey_decoder_key_type(&s->skey)) {
	case BR_KEYTYPE_EC:
		if (pk->key_type != BR_KEYTYPE_EC)
			break;
		if (br_ec_compute_pub(br_ec_get_default(), &ecpub, buf,
		    br_skey_decoder_get_ec(&s->skey)) == 0)
			break;
		ok = ecpub.curve == pk->key.ec.curve && ecpub.qlen == pk->key.ec.qlen &&
		    memcmp(ecpub.q, pk->key.ec.q, ecpub.qlen) == 0;
		break;
	case BR_KEYTYPE_RSA:
		if (pk->key_type != BR_KEYTYPE_RSA)
			break;
		rsa = br_skey_decoder_get_rsa(&s->skey);
		modulus = br_rsa_compute_modulus_get_default();
		mlen = modulus(NULL, rsa);
		if (mlen == 0 || mlen > sizeof(buf) || modulus(buf, rsa) != mlen)
			break;
		n = pk->key.rsa.n;
		nlen = pk->key.rsa.nlen;
		while (nlen > 0 && *n == 0) {	/* the certificate may pad */
			n++;
			nlen--;
		}
		ok = nlen == mlen && memcmp(n, buf, mlen) == 0;
		break;
	}
	return ok;
}

/* The slot tls_server_load_chain fills: never the one in use. */
static struct server_slot *
spare(void)
{
	return &slots[active == 0 ? 1 : 0];
}

int
tls_server_load_chain(const char *chain_path, char err[TLS_ERRLEN])
{
	struct server_slot *s = spare();
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	long len;
	int ret = -1;

	memzero(s, sizeof(*s));
	len = read_file(chain_path, err);
	if (len < 0 || pem_each(chain_path, filebuf, (size_t)len, chain_add, s, err) < 0)
		goto out;
	if (s->chain_len == 0) {
		fail(err, "%s: no certificate", chain_path);
		goto out;
	}
	br_x509_decoder_init(&dc, 0, 0);
	br_x509_decoder_push(&dc, s->chain[0].data, s->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || (pk->key_type != BR_KEYTYPE_EC && pk->key_type != BR_KEYTYPE_RSA)) {
		fail(err, "%s: no EC or RSA key in the first certificate", chain_path);
		goto out;
	}
	s->key_type = pk->key_type;
	ret = 0;
out:
	memzero(filebuf, sizeof(filebuf));
	memzero(derbuf, sizeof(derbuf));
	if (ret < 0)
		memzero(s, sizeof(*s));
	return ret;
}

int
tls_server_load_key(const char *key_path, char err[TLS_ERRLEN])
{
	struct server_slot *s = spare();
	long len;
	int ret = -1;

	if (s->chain_len == 0)
		return fail(err, "no certificate loaded for %s", key_path);
	memzero(&s->skey, sizeof(s->skey));
	s->have_key = 0;
	len = read_file(key_path, err);
	if (len < 0 || pem_each(key_path, filebuf, (size_t)len, key_add, s, err) < 0)
		goto out;
	if (!s->have_key) {
		fail(err, "%s: no private key", key_path);
		goto out;
	}
	if (!key_matches(s)) {
		fail(err, "%s does not match the certificate", key_path);
		goto out;
	}
	ret = 0;
out:
	memzero(filebuf, sizeof(filebuf));
	memzero(derbuf, sizeof(derbuf));
	if (ret < 0) {
		memzero(&s->skey, sizeof(s->skey));
		s->have_key = 0;
	}
	return ret;
}

void
tls_server_commit(void)
{
	struct server_slot *s = spare();

	if (s->chain_len == 0)
		return;
	if (active >= 0)
		memzero(&slots[active], sizeof(slots[active]));
	active = (int)(s - slots);
}

int
tls_server_load(const char *chain_path, const char *key_path, char err[TLS_ERRLEN])
{
	if (tls_server_load_chain(chain_path, err) < 0)
		return -1;
	if (tls_server_load_key(key_path, err) < 0) {
		memzero(spare(), sizeof(*spare()));
		return -1;
	}
	tls_server_commit();
	return 0;
}

int
tls_server_ready(void)
{
	return active >= 0;
}

/* See tls.h. */
size_t
tls_server_sign(unsigned hash_id, const unsigned char *hash, size_t hash_len,
    unsigned char sig[TLS_SIG_MAX])
{
	const struct server_slot *s;
	const br_hash_class *hc;
	const unsigned char *oid;
	const br_rsa_private_key *rsa;
	size_t len;

	switch (hash_id) {
	case br_sha256_ID:
		hc = sha256_class();	/* RFC 6979's HMAC_DRBG */
		oid = BR_HASH_OID_SHA256;
		break;
	case br_sha384_ID:
		hc = &br_sha384_vtable;
		oid = BR_HASH_OID_SHA384;
		break;
	case br_sha512_ID:
		hc = &br_sha512_vtable;
		oid = BR_HASH_OID_SHA512;
		break;
	default:
		return 0;
	}
	if (active < 0 || !slots[active].have_key ||
	    hash_len != ((hc->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK))
		return 0;
	s = &slots[active];
	if (br_skey_decoder_key_type(&s->skey) == BR_KEYTYPE_EC) {
		const br_ec_private_key *ec = br_skey_decoder_get_ec(&s->skey);

#if P256_FAST
		/* the same bytes as BearSSL's, in less than half the time */
		if (ec->curve == BR_EC_secp256r1 &&
		    (len = p256_sign_raw(hc, hash, hash_len, ec->x, ec->xlen, sig)) > 0)
			return br_ecdsa_raw_to_asn1(sig, len);
#endif
		/* at most 139 bytes (P-521) */
		return br_ecdsa_sign_asn1_get_default()(x25519_ec_impl(), hc, hash,
		    ec, sig);
	}
	rsa = br_skey_decoder_get_rsa(&s->skey);
	len = (rsa->n_bitlen + 7) >> 3;
	if (len > TLS_SIG_MAX)
		return 0;
	return br_rsa_pkcs1_sign_get_default()(oid, hash, hash_len, rsa, sig) ? len : 0;
}

/* See tls.h. */
long
tls_sign_here(void *arg, unsigned hash_id, const unsigned char *hash,
    size_t hash_len, unsigned char *sig, size_t max)
{
	unsigned char out[TLS_SIG_MAX];
	size_t len = tls_server_sign(hash_id, hash, hash_len, out);

	(void)arg;
	if (len == 0 || len > max)
		return -1;
	memcpy(sig, out, len);
	return (long)len;
}

/* The server's policy (BearSSL calls it with the client's hello): the
 * chain in use, the first ECDHE suite of suites[] that the client offers
 * and that suits the leaf's key, and the signature made by the caller's
 * sign callback. */
struct sign_policy {
	const br_ssl_server_policy_class *vtable;
	const struct server_slot *slot;
	tls_sign_fn sign;
	void *arg;
};

static struct sign_policy policy;

static int
policy_choose(const br_ssl_server_policy_class **pctx,
    const br_ssl_server_context *ctx, br_ssl_server_choices *choices)
{
	static const unsigned char pref[] = { br_sha256_ID, br_sha384_ID, br_sha512_ID };
	const struct sign_policy *p = (const void *)pctx;
	const br_suite_translated *st;
	uint32_t hashes = br_ssl_server_get_client_hashes(ctx);
	unsigned want = BR_SSLKEYX_ECDHE_RSA, hash_id = 0;
	size_t u, n;

	/* the client's hashes for ECDSA signatures sit 8 bits up */
	if (p->slot->key_type == BR_KEYTYPE_EC) {
		want = BR_SSLKEYX_ECDHE_ECDSA;
		hashes >>= 8;
	}
	for (u = 0; u < sizeof(pref) && !hash_id; u++)
		if ((hashes >> pref[u]) & 1)
			hash_id = pref[u];
	if (!hash_id)
		return 0;
	st = br_ssl_server_get_client_suites(ctx, &n);
	for (u = 0; u < n; u++)
		if ((unsigned)(st[u][1] >> 12) == want) {
			choices->cipher_suite = st[u][0];
			choices->algo_id = 0xFF00 + hash_id;	/* the engine hashes */
			choices->chain = p->slot->chain;
			choices->chain_len = p->slot->chain_len;
			return 1;
		}
	return 0;
}

/* Never called: with ECDHE suites alone there is no RSA or static ECDH
 * key exchange to do. */
static uint32_t
policy_keyx(const br_ssl_server_policy_class **pctx, unsigned char *data,
    size_t *len)
{
	(void)pctx;
	(void)data;
	(void)len;
	return 0;
}

static size_t
policy_sign(const br_ssl_server_policy_class **pctx, unsigned algo_id,
    unsigned char *data, size_t hv_len, size_t len)
{
	const struct sign_policy *p = (const void *)pctx;
	unsigned char hv[64];
	long n;

	if ((algo_id >> 8) != 0xFF || hv_len > sizeof(hv))
		return 0;
	memcpy(hv, data, hv_len);
	n = p->sign(p->arg, algo_id & 0xFF, hv, hv_len, data, len);
	return n > 0 && (size_t)n <= len ? (size_t)n : 0;
}

static const br_ssl_server_policy_class policy_vtable = {
	sizeof(struct sign_policy),
	policy_choose,
	policy_keyx,
	policy_sign
};

int
tls_server_start(int rfd, int wfd, const unsigned char seed[32], tls_sign_fn sign,
    void *arg)
{
	if (active < 0 || !sign)
		return fail(NULL, "no certificate loaded");
	br_ssl_server_zero(&sc);
	engine_setup(&sc.eng);
	policy.vtable = &policy_vtable;
	policy.slot = &slots[active];
	policy.sign = sign;
	policy.arg = arg;
	br_ssl_server_set_policy(&sc, &policy.vtable);
	/* suites[]'s order, not the client's: AES-128-GCM with SHA-256
	 * first (OpenSSL asks for AES-256 with SHA-384 first, whose PRF
	 * and keys cost both sides more for nothing an entropy answer
	 * needs), as pollen and Go choose */
	br_ssl_engine_add_flags(&sc.eng, BR_OPT_ENFORCE_SERVER_PREFERENCES);
	engine_seed(&sc.eng, seed, 0);
	eng = &sc.eng;
	if (!br_ssl_server_reset(&sc))
		return engine_error(NULL);
	io_start(&sc.eng, rfd, wfd);
	return 0;
}

/* ---- client: trust anchors from a CA bundle ---- */

static br_x509_trust_anchor anchors[TLS_TA_MAX];
static size_t nanchors;
static unsigned char ta_arena[TLS_TA_BYTES];
static size_t ta_used;
static int ta_overflow;

static unsigned char *
ta_copy(const void *data, size_t len)
{
	unsigned char *p;

	if (ta_overflow || len > sizeof(ta_arena) - ta_used) {
		ta_overflow = 1;
		return NULL;
	}
	p = ta_arena + ta_used;
	memcpy(p, data, len);
	ta_used += len;
	return p;
}

static void
dn_append(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	ta_copy(data, len);
}

/* Turn one CA certificate into a trust anchor; skip what BearSSL cannot
 * use rather than refuse a whole system bundle for one odd entry. */
static int
anchor_add(void *arg, const char *name, size_t len, char *err)
{
	br_x509_decoder_context dc;
	br_x509_trust_anchor *ta;
	const br_x509_pkey *pk;
	size_t mark = ta_used;

	(void)arg;
	if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "TRUSTED CERTIFICATE") != 0)
		return 0;
	if (nanchors == TLS_TA_MAX)
		return fail(err, "more than %d certificates in the CA bundle", TLS_TA_MAX);
	ta = &anchors[nanchors];
	br_x509_decoder_init(&dc, dn_append, NULL);
	br_x509_decoder_push(&dc, derbuf, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || br_x509_decoder_last_error(&dc) != 0) {
		ta_used = mark;
		return 0;
	}
	ta->dn.data = ta_arena + mark;
	ta->dn.len = ta_used - mark;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = ta_copy(pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = ta_copy(pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = ta_copy(pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	if (ta_overflow)
		return fail(err, "CA bundle larger than %d bytes of names and keys",
		    TLS_TA_BYTES);
	nanchors++;
	return 0;
}

static const char *anchors_path;	/* loaded from, by tls_client_load_ca */

static int
anchors_load(const char *path, char *err)
{
	long len;
	int ret;

	anchors_path = NULL;
	nanchors = 0;
	ta_used = 0;
	ta_overflow = 0;
	len = read_file(path, err);
	if (len < 0)
		return -1;
	ret = pem_each(path, filebuf, (size_t)len, anchor_add, NULL, err);
	if (ret >= 0 && nanchors == 0)
		ret = fail(err, "%s: no usable CA certificate", path);
	return ret < 0 ? -1 : 0;
}

int
tls_client_load_ca(const char *ca_file, char err[TLS_ERRLEN])
{
	if (anchors_load(ca_file, err) < 0)
		return -1;
	anchors_path = ca_file;
	return 0;
}

/* ---- client: public key pinning ---- */

/* An X.509 "engine" that trusts exactly the keys whose SHA-256 over the
 * DER SubjectPublicKeyInfo was pinned (curl's --pinnedpubkey sha256//
 * form). It looks at the end-entity certificate only, needs no clock and
 * no CA, and ignores the name: the key is the identity. */
struct pin_ctx {
	const br_x509_class *vtable;
	unsigned char pins[TLS_PIN_MAX][32];
	size_t npins;
	unsigned char ee[TLS_DER_MAX];
	size_t ee_len;
	int ee_overflow;
	int cert;		/* index of the certificate being received */
	int mismatch;		/* the chain ended with a key not pinned */
	br_x509_decoder_context dec;
	const br_x509_pkey *pkey;
};

static struct pin_ctx pinc;

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode the 44 base64 characters of a SHA-256 pin ("...=" padded). */
static int
pin_decode(const char *s, unsigned char out[32])
{
	uint32_t acc = 0;
	int i, v, bits = 0, n = 0;

	if (s[43] != '=')
		return -1;
	for (i = 0; i < 43; i++) {
		v = b64_value((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < 32)
				out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* The last character's 2 spare bits must be zero (canonical form). */
	return n == 32 && (acc & ((1u << bits) - 1)) == 0 ? 0 : -1;
}

/* Parse "sha256//B64[;sha256//B64...]" into pins; returns the count or -1. */
static int
pins_parse(const char *spec, unsigned char pins[][32], size_t max)
{
	size_t n = 0, len;
	const char *p = spec, *end;
	unsigned char scratch[32];

	for (;;) {
		end = strchr(p, ';');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len != 8 + 44 || strncmp(p, "sha256//", 8) != 0 || n == max ||
		    pin_decode(p + 8, pins ? pins[n] : scratch) < 0)
			return -1;
		n++;
		if (!end)
			break;
		p = end + 1;
	}
	memzero(scratch, sizeof(scratch));
	return (int)n;
}

int
tls_pin_check(const char *pin)
{
	return pins_parse(pin, NULL, TLS_PIN_MAX) > 0 ? 0 : -1;
}

/* Read a DER tag and length at d[*pos..len); move *pos to the contents.
 * Returns the tag, or -1 when malformed or longer than what is left. */
static int
der_header(const unsigned char *d, size_t len, size_t *pos, size_t *clen)
{
	size_t p = *pos, n, i;
	int tag;

	if (len < 2 || p > len - 2)
		return -1;
	tag = d[p++];
	n = d[p++];
	if (n & 0x80) {
		i = n & 0x7f;
		if (i == 0 || i > 3 || i > len - p)
			return -1;
		for (n = 0; i > 0; i--)
			n = n << 8 | d[p++];
	}
	if (n > len - p)
		return -1;
	*pos = p;
	*clen = n;
	return tag;
}

/* Find the SubjectPublicKeyInfo element of a DER certificate: the
 * seventh field of tbsCertificate when the [0] version is present, the
 * sixth otherwise. */
static int
spki_find(const unsigned char *d, size_t len, size_t *off, size_t *slen)
{
	size_t pos = 0, clen, end, start;
	int tag, field = 0;

	if (der_header(d, len, &pos, &clen) != 0x30)
		return -1;
	if (der_header(d, len, &pos, &clen) != 0x30)
		return -1;
	end = pos + clen;
	for (;;) {
		start = pos;
		tag = der_header(d, end, &pos, &clen);
		if (tag < 0)
			return -1;
		if (field == 0 && tag == 0xa0) {	/* version: not a field we count */
			pos += clen;
			continue;
		}
		if (field == 5) {
			if (tag != 0x30)
				return -1;
			*off = start;
			*slen = pos - start + clen;
			return 0;
		}
		pos += clen;
		field++;
	}
}

static void
pin_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct pin_ctx *p = (struct pin_ctx *)(void *)ctx;

	(void)server_name;
	p->ee_len = 0;
	p->ee_overflow = 0;
	p->cert = -1;
	p->mismatch = 0;
	p->pkey = NULL;
}

static void
pin_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct pin_ctx *p = (struct pin_ctx *)(void *)ctx;

	(void)length;
	p->cert++;
}

static void
pin_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct pin_ctx *p = (struct pin_ctx *)(void *)ctx;

	if (p->cert != 0)
		return;
	if (len > sizeof(p->ee) - p->ee_len) {
		p->ee_overflow = 1;
		return;
	}
	memcpy(p->ee + p->ee_len, buf, len);
	p->ee_len += len;
}

static void
pin_end_cert(const br_x509_class **ctx)
{
	(void)ctx;
}

static unsigned
pin_end_chain(const br_x509_class **ctx)
{
	struct pin_ctx *p = (struct pin_ctx *)(void *)ctx;
	br_sha256_context h;
	unsigned char digest[32];
	size_t off, len, i;
	int match = 0, err;

	if (p->cert < 0)
		return BR_ERR_X509_EMPTY_CHAIN;
	if (p->ee_overflow)
		return BR_ERR_X509_LIMIT_EXCEEDED;
	if (spki_find(p->ee, p->ee_len, &off, &len) < 0)
		return BR_ERR_X509_INVALID_VALUE;
	br_sha256_init(&h);
	br_sha256_update(&h, p->ee + off, len);
	br_sha256_out(&h, digest);
	for (i = 0; i < p->npins; i++)
		match |= ct_equal(digest, p->pins[i], sizeof(digest));
	if (!match) {
		p->mismatch = 1;
		return BR_ERR_X509_NOT_TRUSTED;
	}
	br_x509_decoder_init(&p->dec, 0, 0);
	br_x509_decoder_push(&p->dec, p->ee, p->ee_len);
	err = br_x509_decoder_last_error(&p->dec);
	if (err != 0)
		return (unsigned)err;
	p->pkey = br_x509_decoder_get_pkey(&p->dec);
	return p->pkey ? 0 : BR_ERR_X509_UNSUPPORTED;
}

static const br_x509_pkey *
pin_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct pin_ctx *p = (const struct pin_ctx *)(const void *)ctx;

	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return p->pkey;
}

static const br_x509_class pin_vtable = {
	sizeof(struct pin_ctx),
	pin_start_chain,
	pin_start_cert,
	pin_append,
	pin_end_cert,
	pin_end_chain,
	pin_get_pkey
};

/* ---- client ---- */

static br_ssl_client_context cc;
static br_x509_minimal_context xc;

static int
is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return strchr(host, ':') != NULL || ip_parse(AF_INET, host, addr) == 0;
}

static const char *
error_text(int code)
{
	static const struct {
		int code;
		const char *text;
	} texts[] = {
		{ BR_ERR_IO, "connection closed during the TLS handshake" },
		{ BR_ERR_UNSUPPORTED_VERSION, "peer does not speak TLS 1.2" },
		{ BR_ERR_BAD_VERSION, "peer does not speak TLS 1.2" },
		{ BR_ERR_BAD_CIPHER_SUITE, "no cipher suite in common" },
		{ BR_ERR_BAD_SIGNATURE, "bad handshake signature" },
		{ BR_ERR_NO_RANDOM, "no randomness for TLS" },
		{ BR_ERR_X509_NOT_TRUSTED, "certificate not signed by a trusted CA" },
		{ BR_ERR_X509_BAD_SERVER_NAME, "certificate does not name this host" },
		{ BR_ERR_X509_EXPIRED, "certificate expired or not yet valid "
		    "(check the clock, or use --pin)" },
		{ BR_ERR_X509_TIME_UNKNOWN, "no clock to check the certificate dates" },
		{ BR_ERR_X509_NOT_CA, "an issuer in the chain is not a CA" },
		{ BR_ERR_X509_WEAK_PUBLIC_KEY, "certificate key too weak" },
		{ BR_ERR_X509_BAD_SIGNATURE, "bad certificate signature" },
		{ BR_ERR_X509_UNSUPPORTED, "unsupported certificate" },
		{ BR_ERR_X509_EMPTY_CHAIN, "server sent no certificate" },
		{ BR_ERR_X509_LIMIT_EXCEEDED, "certificate too large" },
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].code == code)
			return texts[i].text;
	return NULL;
}

/* Describe the engine's last error in lasterr (and err); returns -1. */
static int
engine_error(char *err)
{
	int code = eng ? br_ssl_engine_last_error(eng) : BR_ERR_BAD_STATE;
	const char *t;

	if (code == BR_ERR_OK && io_broken)
		code = BR_ERR_IO;
	t = error_text(code);

	if (eng == &cc.eng && pinc.vtable && pinc.mismatch)
		return fail(err, "server key does not match --pin");
	if (code >= BR_ERR_SEND_FATAL_ALERT)
		return fail(err, "TLS alert %d sent", code - BR_ERR_SEND_FATAL_ALERT);
	if (code >= BR_ERR_RECV_FATAL_ALERT)
		return fail(err, "TLS alert %d received from the peer",
		    code - BR_ERR_RECV_FATAL_ALERT);
	if (t)
		return fail(err, "%s", t);
	return fail(err, "TLS error %d", code);
}

/* See tls.h. */
void
tls_cert_time(long long now, long long build, unsigned long *days,
    unsigned long *secs)
{
	long long t = now > build ? now : build;

	if (t < 0)		/* before 1970: BearSSL's count starts at year 0 */
		t = 0;
	/* 719528 days from 0000-01-01 to 1970-01-01, as BearSSL counts. */
	*days = (unsigned long)(t / 86400 + 719528);
	*secs = (unsigned long)(t % 86400);
}

int
tls_client_start(int fd, const tls_client_opts *o, char err[TLS_ERRLEN])
{
	unsigned long days, secs;
	int n;

	memzero(&pinc, sizeof(pinc));
	if (o->pin) {
		n = pins_parse(o->pin, pinc.pins, TLS_PIN_MAX);
		if (n < 0)
			return fail(err, "bad pin: want sha256//BASE64 (44 characters)");
		pinc.npins = (size_t)n;
		pinc.vtable = &pin_vtable;
	} else if (!o->ca_file) {
		return fail(err, "no CA bundle and no pin: cannot verify the server");
	} else if (is_ip_literal(o->host)) {
		return fail(err, "a certificate cannot be checked against an IP "
		    "address here: use a host name or --pin");
	} else if (anchors_path != o->ca_file && anchors_load(o->ca_file, err) < 0) {
		return -1;
	}

	br_ssl_client_zero(&cc);
	engine_setup(&cc.eng);
	br_ssl_engine_set_default_rsavrfy(&cc.eng);
	br_ssl_engine_set_default_ecdsa(&cc.eng);
	if (o->pin) {
		br_ssl_engine_set_x509(&cc.eng, &pinc.vtable);
	} else {
		br_x509_minimal_init(&xc, &br_sha256_vtable, anchors, nanchors);
		br_x509_minimal_set_hash(&xc, br_sha1_ID, &br_sha1_vtable);
		br_x509_minimal_set_hash(&xc, br_sha224_ID, &br_sha224_vtable);
		br_x509_minimal_set_hash(&xc, br_sha256_ID, sha256_class());
		br_x509_minimal_set_hash(&xc, br_sha384_ID, &br_sha384_vtable);
		br_x509_minimal_set_hash(&xc, br_sha512_ID, &br_sha512_vtable);
		br_x509_minimal_set_rsa(&xc, br_rsa_pkcs1_vrfy_get_default());
		br_x509_minimal_set_ecdsa(&xc, br_ec_get_default(),
		    br_ecdsa_vrfy_asn1_get_default());
		tls_cert_time((long long)time(NULL), o->build_time, &days, &secs);
		br_x509_minimal_set_time(&xc, (uint32_t)days, (uint32_t)secs);
		br_ssl_engine_set_x509(&cc.eng, &xc.vtable);
	}
	engine_seed(&cc.eng, o->seed, 1);
	/* SNI only for names: RFC 6066 forbids IP literals there. */
	eng = &cc.eng;
	if (!br_ssl_client_reset(&cc, is_ip_literal(o->host) ? NULL : o->host, 0))
		return engine_error(err);
	io_start(&cc.eng, fd, fd);
	/* Run the handshake to its end: until application data can go. */
	while ((n = io_run(BR_SSL_SENDAPP, 1)) == IO_EINTR)
		;
	if (n < 0)
		return engine_error(err);
	return 0;
}

/* ---- both ---- */

ssize_t
tls_read(void *buf, size_t len)
{
	unsigned char *app;
	size_t avail;
	int r;

	if (!eng)
		return fail(NULL, "no TLS connection");
	r = io_run(BR_SSL_RECVAPP, 1);
	if (r == IO_EINTR) {
		errno = EINTR;
		return -1;
	}
	if (r < 0) {
		/* A clean close_notify leaves no error behind. */
		if (br_ssl_engine_last_error(eng) == BR_ERR_OK && !io_broken)
			return 0;
		/* errno says why, as read's would: the socket's error, or
		 * EPROTO when the engine failed (never a stale EINTR, which
		 * a caller would take for a signal and read again) */
		if (!io_broken)
			errno = EPROTO;
		return engine_error(NULL);
	}
	app = br_ssl_engine_recvapp_buf(eng, &avail);
	if (avail > len)
		avail = len;
	memcpy(buf, app, avail);
	br_ssl_engine_recvapp_ack(eng, avail);
	return (ssize_t)avail;
}

static int
put(const void *buf, size_t len, int last)
{
	const unsigned char *p = buf;
	unsigned char *app;
	size_t avail;
	int r = 0;

	if (!eng)
		return fail(NULL, "no TLS connection");
	/* A write never waits for the peer (may_read 0): with the handshake
	 * done and no renegotiation there is nothing to wait for, and a
	 * handshake that never finished cannot carry the answer. A signal
	 * does not stop a write: the caller's deadline ends the process. */
	while (r == 0 && len > 0) {
		while ((r = io_run(BR_SSL_SENDAPP, 0)) == IO_EINTR)
			;
		if (r < 0)
			break;
		app = br_ssl_engine_sendapp_buf(eng, &avail);
		if (avail > len)
			avail = len;
		memcpy(app, p, avail);
		br_ssl_engine_sendapp_ack(eng, avail);
		p += avail;
		len -= avail;
	}
	if (r == 0) {
		br_ssl_engine_flush(eng, 0);
		if (last) {	/* the alert joins the data, in one write */
			br_ssl_engine_close(eng);
			io_closing = 1;
		}
		while ((r = io_run(0, 0)) == IO_EINTR)
			;
	}
	if (r < 0)
		return br_ssl_engine_last_error(eng) == BR_ERR_OK &&
		    !io_broken ? -1 : engine_error(NULL);
	return 0;
}

int
tls_write(const void *buf, size_t len)
{
	return put(buf, len, 0);
}

int
tls_write_last(const void *buf, size_t len)
{
	return put(buf, len, 1);
}

void
tls_close(void)
{
	if (!eng)
		return;
	/* Send close_notify (io_run, never reading) but do not wait for the
	 * peer's: the answer is complete and the peer may never reply. */
	if (!io_closing)
		br_ssl_engine_close(eng);
	io_closing = 0;
	while (io_run(0, 0) == IO_EINTR)
		;
	memzero(eng == &sc.eng ? (void *)&sc : (void *)&cc,
	    eng == &sc.eng ? sizeof(sc) : sizeof(cc));
	memzero(iobuf, sizeof(iobuf));
	memzero(wgather, sizeof(wgather));
	ra_at = ra_len = wg_at = wg_len = 0;
	eng = NULL;
}

const char *
tls_last_error(void)
{
	return lasterr;
}
