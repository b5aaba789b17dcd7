/* SPDX-License-Identifier: MIT */
/* d20 - seed the Linux RNG from d20d and Pollen servers.
 *
 * Every server is asked at once, each from its own child process (tls.c
 * keeps one connection per process): the child resolves, connects, runs
 * TLS, sends the request, reads and verifies the answer and sends the
 * parent fixed-size records through a pipe. The parent polls the pipes
 * until one deadline, kills what is left, then mixes the verified answers
 * into the kernel (or into the seed written by -o). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "args.h"
#include "dns.h"
#include "proxy.h"
#include "sandbox.h"
#include "seed.h"
#include "sha512.h"
#include "url.h"
#include "util.h"
#if D20_TLS
#include "tls.h"
#endif

/* fork() without its atfork handlers and the locks it takes for threads:
 * d20 has one thread, and fork() would bring 2 KiB of that machinery.
 * musl declares it; glibc (the sanitizer builds) only for _GNU_SOURCE. */
pid_t _Fork(void);

#define SERVERS_MAX 32
#define SERVERS_FILE "/etc/d20/servers"
#define LIST_MAX 16384			/* bytes of one server list file */
#define PINS_MAX 8			/* pins in one list: two for a key rotation */
#define PIN_LEN 52			/* "sha256//" and 44 base64 digits */
#define PIN_MAX (PINS_MAX * (PIN_LEN + 1) - 1)	/* joined by ';' */
#if D20_TLS
typedef char pins_max_is_tls_pin_max[PINS_MAX == TLS_PIN_MAX ? 1 : -1];
#endif
#define REASON_MAX 200
#define SEED_PATH_MAX 4096		/* -o FILE, and its temporary name */
#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
/* The build's time, seconds since the epoch (config.mk: SOURCE_DATE_EPOCH
 * or the last commit's date, so that builds are reproducible); 0 when a
 * build does not say. Only certificate dates use it: see tls_cert_time. */
#ifndef D20_BUILD_EPOCH
#define D20_BUILD_EPOCH 0
#endif

/* RNDADDENTROPY and RNDRESEEDCRNG from <linux/random.h>, which musl's
 * headers lack. musl's _IOW encodes them for each CPU (powerpc puts the
 * direction in other bits than x86 and arm); its ioctl takes an int, and
 * on powerpc the number has the top bit set: the cast says that is meant. */
#define D20_RNDADDENTROPY ((int)_IOW('R', 0x03, int[2]))
#define D20_RNDRESEEDCRNG ((int)_IO('R', 0x07))
/* The two random ioctls, straight to the kernel: musl's ioctl() also
 * converts time64 requests on 32-bit CPUs, 1 KiB of code on i386 that
 * these never need. */
static int
random_ioctl(int fd, int req, void *arg)
{
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

/* Bits that make the crng ready; from Linux 5.18 the input pool counts no
 * more, so credit beyond this in one run is credit the kernel drops. */
#define CRNG_READY_BITS 256
struct d20_pool_info {
	int entropy_count;		/* bits credited */
	int buf_size;
	uint8_t buf[SHA512_SIZE];
};

enum stage {
	ST_START, ST_RESOLVE, ST_CONNECT, ST_PROXY, ST_TLS, ST_SEND, ST_READ,
	ST_OK, ST_FAIL
};
static const char *const stage_name[] = {
	"starting", "resolving the name", "connecting",
	"connecting through the proxy", "in the TLS handshake",
	"sending the request", "reading the answer"
};

enum auth { AUTH_NONE, AUTH_CA, AUTH_PIN };

/* Child to parent, one write each. Smaller than PIPE_BUF, so every record
 * arrives whole; the last one a child sends tells how it ended. */
typedef struct {
	int32_t stage;
	int32_t proto;			/* enum answer_proto */
	int32_t auth;			/* enum auth */
	int64_t skew;			/* D20: server time - local time, s */
	int64_t latency_us;
	uint32_t bytes;			/* answer bytes received */
	uint8_t mix[SHA512_SIZE];	/* the verified answer, hashed */
	char reason[REASON_MAX];
} record;
/* Writes of at most PIPE_BUF bytes (4096 on Linux) never interleave. */
typedef char record_fits_pipe_buf[sizeof(record) <= 4096 ? 1 : -1];

typedef struct {
	char text[URL_MAX + 1];		/* the URL as given, for messages */
	url u;
	char pin[PIN_MAX + 1];		/* from its list line, or --pin */
	const proxy *px;		/* the proxy to go through, or NULL */
	char challenge[ANSWER_CHALLENGE_LEN + 1];
	uint8_t dns_ids[DNS_RANDOM_LEN];	/* its DNS query IDs */
	uint8_t tls_seed[32];			/* seeds BearSSL's generator */
	pid_t pid;
	int fd;				/* read end of its pipe, -1 when closed */
	record r;
	int credit;			/* bits credited to the kernel */
} server;

static struct {
	int verbose, quiet, credit, credit_insecure, min;
	long timeout_ms, max_skew, delay;
	const char *out, *ca, *pin;
} opt = { 0, 0, 64, 0, 1, 5000, 600, 0, NULL, NULL, NULL };

static server servers[SERVERS_MAX];
static int nservers;
/* --proxy and --no-proxy when given ("" too): they override the
 * environment. proxies[tls] is the one parsed for each scheme. */
static const char *proxy_opt, *noproxy_opt;
static proxy proxies[2];
static char listbuf[LIST_MAX + 1];

static const char usage[] =
    "usage: d20 [-vq] [-f FILE] [-o FILE|-] [--timeout S] [--min N]\n"
    "           [--credit BITS] [--credit-insecure] [--max-skew S]\n"
    "           [--delay S] [--ca FILE] [--pin PIN[;PIN...]]\n"
    "           [--proxy URL] [--no-proxy LIST] [URL...]\n"
    "Ask entropy servers (d20d or Pollen) at once for random bytes, verify\n"
    "each answer and feed the Linux RNG. Without URL or -f, read "
    SERVERS_FILE ".\n"
    "  -v, --verbose      one line per server, kernel state, summary\n"
    "  -q, --quiet        errors only\n"
    "  -f, --file FILE    servers, one URL a line (and optionally its pins)\n"
    "  -o, --output FILE  write the 64-byte seed there (- for stdout)\n"
    "                     instead of feeding the kernel\n"
    "  --timeout S        deadline for the whole run, DNS included (5)\n"
    "  --min N            servers that must verify for exit status 0 (1)\n"
    "  --credit BITS      entropy credited per authenticated answer (64)\n"
    "  --credit-insecure  credit plain-HTTP answers too\n"
    "  --max-skew S       with -v, report server clocks further off (600)\n"
    "  --delay S          first wait a random time up to S seconds\n"
    "  --ca FILE          PEM CA bundle for https (" CA_BUNDLE ")\n"
    "  --pin PIN[;PIN]    sha256//BASE64 key pins for https servers (up to 8;\n"
    "                     any one may match)\n"
    "  --proxy URL        HTTP proxy (http://host:port) for all servers,\n"
    "                     over https_proxy and http_proxy; \"\" for none\n"
    "  --no-proxy LIST    hosts to ask directly, over no_proxy (* all)\n"
    "Exit status: 0 enough servers verified, 1 too few, 2 usage error.\n";

/* One line to stderr, written whole so that lines never interleave. */
static void
vsay(const char *f, va_list ap)
{
	char line[512];
	size_t n;

	memcpy(line, "d20: ", 5);
	n = 5 + vfmt(line + 5, sizeof(line) - 6, f, ap);
	line[n++] = '\n';
	write_full(2, line, n);
}

static void
say(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsay(f, ap);
	va_end(ap);
}

/* Only main dies, and only at start-up: usage and configuration errors. */
static void
die(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsay(f, ap);
	va_end(ap);
	exit(2);
}

static long long
now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A domain string, with its NUL so that no string is a prefix of another. */
#define HASH_DOMAIN(h, s) sha512_update((h), (s), sizeof(s))

/* Bytes with their length first, so that field boundaries are unambiguous. */
static void
hash_field(sha512_ctx *h, const void *p, size_t len)
{
	sha512_update_u64(h, len);
	sha512_update(h, p, len);
}

/* The challenge base: SHA-512 over sources that never block, because d20
 * runs before the kernel RNG is ready and must not wait for it. Besides
 * the kernel's GRND_INSECURE output, which before the crng is ready may
 * be guessable, it takes CPU timing jitter and the CPU's generator
 * (seed.c): the TLS seeds derive from it, so it is what keeps the
 * ephemeral keys, and the answers credited, from a passive observer.
 * *st keeps the figures for -v. */
static void
challenge_base(uint8_t out[SHA512_SIZE], seed_inputs *st)
{
	seed_gather(st);
	seed_mix(out, st);
	memzero(st->insecure, sizeof(st->insecure));
	memzero(st->cpu, sizeof(st->cpu));
	memzero(st->jitter, sizeof(st->jitter));
}

/* Server i's own challenge: 128 hex digits from the base and its index;
 * its DNS query IDs and the seed of its TLS engine, each from the base
 * under another domain string, so that the challenge the server sees
 * tells nothing of them. In early boot the TLS seed is all BearSSL gets:
 * getrandom would block and /dev/urandom would wait. */
static void
challenge_for(server *s, const uint8_t base[SHA512_SIZE], unsigned i)
{
	uint8_t d[SHA512_SIZE];
	sha512_ctx h;

	sha512_init(&h);
	HASH_DOMAIN(&h, "d20 v1 challenge");
	sha512_update(&h, base, SHA512_SIZE);
	sha512_update_u64(&h, i);
	sha512_final(&h, d);
	hex_encode(s->challenge, d, sizeof(d));
	sha512_init(&h);
	HASH_DOMAIN(&h, "d20 v1 dns ids");
	sha512_update(&h, base, SHA512_SIZE);
	sha512_update_u64(&h, i);
	sha512_final(&h, d);
	memcpy(s->dns_ids, d, DNS_RANDOM_LEN);
	sha512_init(&h);
	HASH_DOMAIN(&h, "d20 v1 tls seed");
	sha512_update(&h, base, SHA512_SIZE);
	sha512_update_u64(&h, i);
	sha512_final(&h, d);
	memcpy(s->tls_seed, d, sizeof(s->tls_seed));
	memzero(d, sizeof(d));
}

/* ---- the child: one exchange with one server ---- */

#define CHILD_UID 65534			/* nobody: a child started as root */
#define CHILD_GID 65534			/* nogroup */

/* capget(2) and capset(2), which musl does not wrap; the structures of
 * <linux/capability.h>, version 3: two 32-bit words per set. */
#define D20_CAP_VERSION_3 0x20080522
struct d20_cap_header {
	uint32_t version;
	int pid;
};
struct d20_cap_data {
	uint32_t effective, permitted, inheritable;
};

/* Before the child touches the network, which it parses (DNS, TLS,
 * HTTP): what it reads later is open or loaded by then (dns_preopen,
 * tls_client_load_ca); now it gives up root, when it has it, for
 * CHILD_UID and CHILD_GID with no other group, and every capability, and
 * the means to get any back (no_new_privs; not dumpable, so that other
 * processes of that uid cannot trace it). RNDADDENTROPY is the parent's.
 * Run by an ordinary user it keeps its uid: there was nothing to drop.
 * Returns 0, or -1 with *why set. */
static int
child_drop(const char **why)
{
	struct d20_cap_header h = { D20_CAP_VERSION_3, 0 };
	struct d20_cap_data c[2];
	int root = getuid() == 0 || geteuid() == 0;

	*why = "cannot give up root (as root d20 needs CAP_SETUID and "
	    "CAP_SETGID, and uid and gid 65534)";
	if (root && ids_set(CHILD_UID, CHILD_GID, NULL, 0) < 0)
		return -1;
	*why = "cannot give up its capabilities";
	memset(c, 0, sizeof(c));
	if (syscall(SYS_capset, &h, c) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	/* and none of it comes back */
	if (root && (uid0_regained() || getuid() == 0 || geteuid() == 0 ||
	    getgid() == 0 || getegid() == 0))
		return -1;
	if (syscall(SYS_capget, &h, c) < 0 || c[0].effective || c[0].permitted ||
	    c[1].effective || c[1].permitted)
		return -1;
	return 0;
}

#if D20_TLS
static int conn_tls;
#endif

static ssize_t
conn_read(int fd, void *buf, size_t len)
{
	ssize_t n;

#if D20_TLS
	if (conn_tls)
		return tls_read(buf, len);
#endif
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static int
conn_write(int fd, const void *buf, size_t len)
{
#if D20_TLS
	if (conn_tls)
		return tls_write(buf, len);
#endif
	return write_full(fd, buf, len);
}

static void
report(int wfd, record *r, int stage)
{
	r->stage = stage;
	write_full(wfd, r, sizeof(*r));
}

/* The exact request: fixed bytes apart from path, challenge and host. */
static size_t
request(char *buf, size_t size, const server *s)
{
	size_t n;

	n = fmt(buf, size, "GET %s%cchallenge=%s HTTP/1.0\r\nHost: %s\r\n"
	    "User-Agent: d20\r\n\r\n", s->u.path,
	    strchr(s->u.path, '?') ? '&' : '?', s->challenge, s->u.hosthdr);
	return n < size - 1 ? n : 0;
}

/* Hash a verified answer for the kernel: domain, URL, challenge, the
 * whole body (and so all of its entropy, up to ANSWER_ENTROPY_MAX bytes
 * in hex, into this fixed-size record) and local timing, each field with
 * its length. */
static void
mix_answer(uint8_t out[SHA512_SIZE], const server *s, const uint8_t *body,
    size_t len, long long latency_ns)
{
	sha512_ctx h;

	sha512_init(&h);
	HASH_DOMAIN(&h, "d20 v1 answer");
	hash_field(&h, s->text, strlen(s->text));
	hash_field(&h, s->challenge, ANSWER_CHALLENGE_LEN);
	hash_field(&h, body, len);
	sha512_update_u64(&h, (uint64_t)latency_ns);
	sha512_update_u64(&h, (uint64_t)now_ns(CLOCK_REALTIME));
	sha512_update_u64(&h, (uint64_t)now_ns(CLOCK_MONOTONIC));
	sha512_update_u64(&h, seed_cycles());
	sha512_final(&h, out);
}

/* connect(2) that gives up at until_ns (CLOCK_MONOTONIC), so that one
 * address that drops packets leaves time for the next. Returns 0, or -1
 * with errno set. */
static int
connect_until(int fd, const struct sockaddr *sa, socklen_t salen,
    long long until_ns)
{
	struct pollfd p;
	socklen_t elen = sizeof(int);
	long long left;
	int flags, err = 0, r;

	/* fcntl(2) itself: musl's wrapper brings 0.4 KiB for the commands
	 * that need translating, and these two do not. */
	if ((flags = (int)syscall(SYS_fcntl, fd, F_GETFL)) < 0 ||
	    syscall(SYS_fcntl, fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		p.fd = fd;
		p.events = POLLOUT;
		do {
			left = (until_ns - now_ns(CLOCK_MONOTONIC)) / 1000000LL;
			r = left > 0 ? poll(&p, 1, (int)left) : 0;
		} while (r < 0 && errno == EINTR);
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			return -1;
		if (err) {
			errno = err;
			return -1;
		}
	}
	return syscall(SYS_fcntl, fd, F_SETFL, flags) < 0 ? -1 : 0;
}

/* Ask the proxy on fd for a tunnel to s's server: one CONNECT, its
 * reply head read whole (within PROXY_REPLY_MAX) and nothing more. The
 * deadline is the parent's, which kills a child that waits too long.
 * Returns 0, or -1 with a one-line reason in r->reason. */
static int
proxy_tunnel(int fd, const server *s, record *r)
{
	char buf[PROXY_REPLY_MAX];
	const char *why;
	size_t len, head = 0;
	ssize_t n;
	int status = 0, k = 0, sent;

	len = proxy_request(buf, sizeof(buf), s->px, s->u.host, s->u.port);
	sent = len > 0 && write_full(fd, buf, len) == 0;
	memzero(buf, len);		/* it held the proxy's password */
	why = len == 0 ? "CONNECT request does not fit" : "cannot send CONNECT";
	if (!sent)
		goto fail;
	for (len = 0; k == 0; len += (size_t)n) {
		why = "reply head over 4096 bytes";
		if (len == sizeof(buf))
			goto fail;
		do
			n = read(fd, buf + len, sizeof(buf) - len);
		while (n < 0 && errno == EINTR);
		why = n < 0 ? "read error" :
		    "closed the connection without answering CONNECT";
		if (n <= 0)
			goto fail;
		if ((k = proxy_reply(buf, len + (size_t)n, &head, &status, &why)) < 0)
			goto fail;
	}
	if (status < 200 || status > 299) {
		fmt(r->reason, sizeof(r->reason), "proxy %s: CONNECT refused: "
		    "HTTP %d%s", s->px->name, status, status == 407 ?
		    " (proxy authentication required)" : "");
		return -1;
	}
	/* Neither a TLS server nor an HTTP one speaks first: bytes past the
	 * head are the proxy's own, not the server's. */
	why = "sent bytes of its own after its CONNECT reply";
	if (len == head)
		return 0;
fail:
	fmt(r->reason, sizeof(r->reason), "proxy %s: %s", s->px->name, why);
	return -1;
}

static void
child(server *s, int wfd, long long deadline)
{
	static uint8_t buf[ANSWER_MAX + 1];
	struct sockaddr_storage addr[DNS_ADDR_MAX];
	char req[1024];
	const char *why = "";
	answer_info info;
	long long start = now_ns(CLOCK_MONOTONIC), now, last;
	size_t len = 0, body = 0, bodylen = 0;
	ssize_t n;
	record r;
	int fd = -1, e, status = 0, ok = 0, one = 1, naddr, i;
	unsigned port = 0;
	/* Through a proxy, the proxy is what d20 resolves and connects to;
	 * the server's name goes to the proxy in CONNECT. */
	const char *host = s->px ? s->px->host : s->u.host;
	const char *hport = s->px ? s->px->port : s->u.port;
#if D20_TLS
	tls_client_opts to;
	char err[TLS_ERRLEN];
#endif

	memset(&r, 0, sizeof(r));
	memset(&info, 0, sizeof(info));
#if !D20_TLS
	why = "https:// needs a d20 built with TLS=1";
	if (s->u.tls)
		goto out;
#endif

	/* Read now what cannot be read once privileges are gone. */
	dns_preopen();
#if D20_TLS
	/* the sandbox forbids opening it later: a bundle that cannot be
	 * loaded fails the server now */
	if (s->u.tls && !s->pin[0] && opt.ca && tls_client_load_ca(opt.ca, err) < 0) {
		fmt(r.reason, sizeof(r.reason), "TLS: %s", err);
		why = r.reason;
		goto out;
	}
#endif
	if (child_drop(&why) < 0) {
		fmt(r.reason, sizeof(r.reason), "%s: %s", why, err_str(errno));
		why = r.reason;
		goto out;
	}
	/* From here until it is connected: sockets for DNS and the connect,
	 * and I/O; no open, exec, fork or kill (sandbox.c). */
	why = "cannot enter the sandbox";
	if (sandbox_enter(SANDBOX_RESOLVE) < 0)
		goto out;

	report(wfd, &r, ST_RESOLVE);
	for (i = 0; hport[i]; i++)	/* 1-65535: url_parse checked */
		port = port * 10 + (unsigned)(hport[i] - '0');
	naddr = dns_resolve(host, (uint16_t)port, s->dns_ids,
	    (long)((deadline - start) / 1000000LL), addr, &why);
	if (naddr < 0) {
		fmt(r.reason, sizeof(r.reason), "cannot resolve %s%s: %s",
		    s->px ? "the proxy " : "", host, why);
		why = r.reason;
		goto out;
	}

	/* The first address that accepts. Each gets an equal share of the
	 * time left, so that a black-holed address (IPv6 routed but broken,
	 * say) cannot use up the deadline of the ones after it. */
	report(wfd, &r, ST_CONNECT);
	for (i = 0, e = 0; i < naddr; i++) {
		fd = socket(addr[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		now = now_ns(CLOCK_MONOTONIC);
		if (connect_until(fd, (struct sockaddr *)&addr[i],
		    dns_addrlen(&addr[i]), now + (deadline - now) / (naddr - i)) == 0) {
			/* The TLS handshake writes small records back to back:
			 * Nagle's algorithm would hold them for the peer's
			 * delayed ACK, 40 ms each. */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			break;
		}
		e = errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		fmt(r.reason, sizeof(r.reason), "connect%s%s: %s",
		    s->px ? " to the proxy " : "", s->px ? s->px->name : "",
		    err_str(e));
		why = r.reason;
		goto out;
	}

	/* Connected: only I/O on what it holds, until it ends. */
	why = "cannot enter the sandbox";
	if (sandbox_enter(SANDBOX_CONNECTED) < 0)
		goto out;
#ifdef D20_SANDBOX_PROBE
	sandbox_probe(s->u.path);
#endif

	/* Through a proxy: a tunnel to the server, and then the very same
	 * exchange as over a direct connection, TLS checks and all. */
	if (s->px) {
		report(wfd, &r, ST_PROXY);
		why = r.reason;
		if (proxy_tunnel(fd, s, &r) < 0)
			goto out;
	}

#if D20_TLS
	if (s->u.tls) {
		report(wfd, &r, ST_TLS);
		to.ca_file = opt.ca;
		to.pin = s->pin[0] ? s->pin : NULL;
		to.host = s->u.host;
		to.seed = s->tls_seed;
		to.build_time = D20_BUILD_EPOCH;
		why = "TLS: no CA bundle (--ca) and no --pin";
		if (!to.ca_file && !to.pin)
			goto out;
		if (tls_client_start(fd, &to, err) < 0) {
			fmt(r.reason, sizeof(r.reason), "TLS: %s", err);
			why = r.reason;
			goto out;
		}
		conn_tls = 1;
		r.auth = to.pin ? AUTH_PIN : AUTH_CA;
	}
#endif

	report(wfd, &r, ST_SEND);
	why = "request does not fit";
	if ((n = (ssize_t)request(req, sizeof(req), s)) == 0)
		goto out;
	why = "cannot send the request";
	if (conn_write(fd, req, (size_t)n) < 0)
		goto out;

	/* Read until the answer is complete, the server closes, or more
	 * arrives than any valid answer holds. */
	report(wfd, &r, ST_READ);
	last = now_ns(CLOCK_MONOTONIC);
	for (;;) {
		n = conn_read(fd, buf + len, sizeof(buf) - len);
		why = "read error";
#if D20_TLS
		if (n < 0 && conn_tls) {
			fmt(r.reason, sizeof(r.reason), "TLS: %s", tls_last_error());
			why = r.reason;
		}
#endif
		if (n < 0)
			goto out;
		len += (size_t)n;
		r.bytes = (uint32_t)len;
		/* Progress for the parent, should the deadline stop us here:
		 * at most ten records a second, so a drip cannot flood it. */
		if (now_ns(CLOCK_MONOTONIC) - last >= 100000000LL) {
			report(wfd, &r, ST_READ);
			last = now_ns(CLOCK_MONOTONIC);
		}
		why = "answer over " ANSWER_STR(ANSWER_MAX) " bytes";
		if (len == sizeof(buf))
			goto out;
		if ((status = answer_http(buf, len, n == 0, &body, &bodylen, &why)) != 0)
			break;
	}
	if (status < 0)
		goto out;
	if (status != 200) {
		fmt(r.reason, sizeof(r.reason), "HTTP status %d", status);
		why = r.reason;
		goto out;
	}
	/* The challengeResponse covers the server's time and our fresh
	 * challenge: that proves the answer new whatever either clock says,
	 * so the time is not checked here (an RTC kept in local time, or a
	 * dead CMOS battery, must not fail honest servers). The skew is only
	 * reported, as news about the local clock. */
	now = now_ns(CLOCK_REALTIME) / 1000000000LL;
	if (answer_verify(buf + body, bodylen, s->challenge, now, 0, 0,
	    &info, &why) < 0)
		goto out;
	r.proto = info.proto;
	if (info.proto == ANSWER_D20)
		r.skew = info.server_time - now;
	mix_answer(r.mix, s, buf + body, bodylen, now_ns(CLOCK_MONOTONIC) - start);
	ok = 1;
out:
	r.latency_us = (now_ns(CLOCK_MONOTONIC) - start) / 1000;
	if (!ok && why != r.reason)
		fmt(r.reason, sizeof(r.reason), "%s", why);
	if (!ok && s->px && r.stage > ST_PROXY) {
		len = strlen(r.reason);
		fmt(r.reason + len, sizeof(r.reason) - len,
		    " (through the proxy %s)", s->px->name);
	}
	report(wfd, &r, ok ? ST_OK : ST_FAIL);
#if D20_TLS
	if (conn_tls)
		tls_close();
#endif
	if (fd >= 0)
		close(fd);
	memzero(buf, sizeof(buf));
	memzero(&info, sizeof(info));
	memzero(&r, sizeof(r));
}

/* ---- the parent ---- */

/* A pin list (--pin, a list line): up to PINS_MAX pins joined by ';',
 * each checked by tls.c. Says why and returns -1 when it is not one. */
static int
pins_check(const char *pin, size_t len, const char *where)
{
	size_t i, n = 1;
#if D20_TLS
	char copy[PIN_MAX + 1];
	int bad;
#endif

	for (i = 0; i < len; i++)
		n += pin[i] == ';';
	if (n > PINS_MAX || len > PIN_MAX) {
		say("%s: more than %d pins", where, PINS_MAX);
		return -1;
	}
#if D20_TLS
	memcpy(copy, pin, len);
	copy[len] = '\0';
	bad = tls_pin_check(copy) < 0;
	if (bad)
		say("%s: bad pin: want sha256// and 44 base64 digits, "
		    "several joined by ';'", where);
	return bad ? -1 : 0;
#else
	return 0;
#endif
}

static void
add_server(const char *text, size_t len, const char *pin, size_t pinlen,
    const char *where)
{
	server *s;
	const char *why;

	if (nservers == SERVERS_MAX)
		die("%s: more than %d servers", where, SERVERS_MAX);
	s = &servers[nservers];
	if (url_parse(&s->u, text, len, &why) < 0)
		die("%s: %.*s: %s", where, (int)(len > 80 ? 80 : len), text, why);
	if (pinlen && pins_check(pin, pinlen, where) < 0)
		exit(2);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	memcpy(s->pin, pin, pinlen);
	s->pin[pinlen] = '\0';
	nservers++;
}

static const char *
env(const char *name)
{
	return getenv(name);
}

/* Each server's proxy, by curl's rules: --proxy, else https_proxy (or
 * HTTPS_PROXY) for https servers and http_proxy for http ones; none
 * for a host that --no-proxy, else no_proxy (or NO_PROXY), lists. A
 * proxy URL is checked only when some server would use it. */
static void
choose_proxies(void)
{
	const char *val[2], *name[2], *skip, *why;
	int have[2] = { 0, 0 }, i, t;

	skip = noproxy_opt ? noproxy_opt : proxy_noproxy_env(env);
	for (t = 0; t < 2; t++) {
		name[t] = "--proxy";
		val[t] = proxy_opt ? proxy_opt : proxy_env(t, env, &name[t]);
	}
	for (i = 0; i < nservers; i++) {
		server *s = &servers[i];

		t = s->u.tls;
		if (!val[t] || !val[t][0] || (skip && proxy_bypass(skip,
		    strlen(skip), s->u.host, s->u.port)))
			continue;
		/* The reason, never the URL: it may hold a password. */
		if (!have[t] && proxy_parse(&proxies[t], val[t], strlen(val[t]), &why) < 0)
			die("%s: %s", name[t], why);
		have[t] = 1;
		s->px = &proxies[t];
	}
}

/* A server list: one URL a line, optionally followed by its pin; '#'
 * starts a comment. A missing default file is no error by itself. */
static void
read_list(const char *path, int is_default)
{
	size_t len = 0, i, ls, le, ts, te;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (is_default && errno == ENOENT)
			return;
		die("%s: %s", path, err_str(errno));
	}
	n = read_full(fd, listbuf, sizeof(listbuf));
	close(fd);
	if (n < 0)
		die("%s: %s", path, err_str(errno));
	if ((size_t)n == sizeof(listbuf))
		die("%s: over %d bytes", path, LIST_MAX);
	len = (size_t)n;
	for (ls = 0; ls < len; ls = le + 1) {
		const char *tok[2] = { "", "" };
		size_t tl[2] = { 0, 0 }, nt = 0;

		for (le = ls; le < len && listbuf[le] != '\n'; le++)
			;
		for (i = ls; i < le;) {
			while (i < le && (listbuf[i] == ' ' || listbuf[i] == '\t' ||
			    listbuf[i] == '\r'))
				i++;
			if (i == le || listbuf[i] == '#')
				break;
			ts = i;
			while (i < le && listbuf[i] != ' ' && listbuf[i] != '\t' &&
			    listbuf[i] != '\r')
				i++;
			te = i;
			if (nt == 2)
				die("%s: more than a URL and a pin on a line", path);
			tok[nt] = listbuf + ts;
			tl[nt++] = te - ts;
		}
		if (nt)
			add_server(tok[0], tl[0], tok[1], tl[1], path);
	}
}

static long
number(const char *s, const char *name, long lo, long hi)
{
	long v;

	if (parse_long(s, lo, hi, &v) < 0)
		die("%s: want a whole number from %ld to %ld", name, lo, hi);
	return v;
}

/* Seconds with up to three decimals, as milliseconds. */
static long
millis(const char *s, const char *name)
{
	long whole = 0, frac = 0, scale = 100;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && whole < 100000; p++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
			frac += (*p - '0') * scale;
	if (p == s || *p || whole >= 100000 || whole * 1000 + frac == 0)
		die("%s: want seconds, like 5 or 0.5", name);
	return whole * 1000 + frac;
}

/* 1 when the kernel's crng is ready, 0 when not, -1 when it cannot tell
 * (getrandom missing). GRND_NONBLOCK answers EAGAIN until the crng is
 * ready, without waiting and without the jitter collection a blocking
 * call or a read of /dev/urandom runs from Linux 5.18 on; the one byte
 * read is thrown away. */
static int
crng_ready(void)
{
	uint8_t b;
	ssize_t n;

	n = getrandom(&b, 1, GRND_NONBLOCK);
	return n == 1 ? 1 : n < 0 && errno == EAGAIN ? 0 : -1;
}

static void
kernel_state(const char *when)
{
	static const char *const state[] = { "unknown", "not ready", "ready" };
	char buf[16] = "?";
	ssize_t n;
	int fd;

	if ((fd = open("/proc/sys/kernel/random/entropy_avail", O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
	}
	say("kernel %s: entropy_avail %s, crng %s", when, buf[0] ? buf : "?",
	    state[crng_ready() + 1]);
}

/* What the kernel took, for -v and its own log. */
static struct {
	int mixed;		/* answers the kernel mixed in */
	int credited;		/* bits it was told to credit, and took */
	int late;		/* answers mixed while the crng was ready */
	int reseeded;		/* RNDRESEEDCRNG succeeded after them */
	int root;		/* RNDADDENTROPY allowed */
} fed;

/* One line saying what happened: to stderr with -v, and when root to the
 * kernel log, which is where a boot's story is read. */
static void
feed_report(void)
{
	char line[200];
	size_t n;
	int fd;

	n = fmt(line, sizeof(line), "<5>d20: kernel: ");
	if (fed.credited)
		n += fmt(line + n, sizeof(line) - n, "credited %d bits", fed.credited);
	if (fed.credited && fed.reseeded)
		n += fmt(line + n, sizeof(line) - n, ", then ");
	if (fed.reseeded)
		n += fmt(line + n, sizeof(line) - n, "mixed %d answer%s and forced "
		    "a reseed (the crng was ready: credit would be ignored)",
		    fed.late, fed.late == 1 ? "" : "s");
	if (!fed.credited && !fed.reseeded)
		n += fmt(line + n, sizeof(line) - n, "mixed %d answer%s only, "
		    "nothing credited%s", fed.mixed, fed.mixed == 1 ? "" : "s",
		    !fed.root ? " (not root)" : fed.late ? " (reseed failed)" : "");
	if (opt.verbose)
		say("%s", line + 8);
	if (!fed.root || (fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC)) < 0)
		return;
	line[n++] = '\n';
	write_full(fd, line, n);
	close(fd);
}

/* Feed each verified answer's hash to the kernel. While the crng is not
 * ready, credit those that earned it, up to the CRNG_READY_BITS the
 * kernel can use; once it is ready, credit is ignored and new input waits
 * for the next reseed (up to a minute), so mix without credit and force
 * a reseed. s->credit ends as what the kernel accepted. Returns 0, or -1
 * when the kernel could not be reached. */
static int
feed_kernel(void)
{
	struct d20_pool_info p;
	int fd, i, ret = -1, ready, want;

	memset(&fed, 0, sizeof(fed));
	fed.root = 1;
	if ((fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC)) < 0) {
		say("/dev/urandom: %s", err_str(errno));
		return -1;
	}
	ready = crng_ready();
	for (i = 0; i < nservers; i++) {
		server *s = &servers[i];

		if (s->r.stage != ST_OK)
			continue;
		want = ready == 1 ? 0 : s->credit;
		if (want > CRNG_READY_BITS - fed.credited)
			want = CRNG_READY_BITS - fed.credited;
		s->credit = 0;
		p.entropy_count = want;
		p.buf_size = SHA512_SIZE;
		memcpy(p.buf, s->r.mix, SHA512_SIZE);
		if (fed.root && random_ioctl(fd, D20_RNDADDENTROPY, &p) == 0) {
			s->credit = want;
			fed.credited += want;
		} else if (fed.root && errno != EPERM) {
			say("RNDADDENTROPY: %s", err_str(errno));
			goto out;
		} else {
			/* Without CAP_SYS_ADMIN the kernel still mixes in
			 * what is written to /dev/urandom, but credits
			 * nothing and will not reseed on request. */
			if (fed.root && !opt.quiet)
				say("not root: mixing into /dev/urandom without credit");
			fed.root = 0;
			if (write_full(fd, p.buf, SHA512_SIZE) < 0) {
				say("/dev/urandom: %s", err_str(errno));
				goto out;
			}
		}
		fed.mixed++;
		fed.late += ready == 1;
		/* Our credit may have made it ready: the kernel reseeded then,
		 * with all it had; what comes after needs a reseed of its own. */
		if (ready != 1 && want > 0)
			ready = crng_ready();
	}
	ret = 0;
	if (fed.late && fed.root) {
		if (random_ioctl(fd, D20_RNDRESEEDCRNG, NULL) == 0)
			fed.reseeded = 1;
		else
			say("RNDRESEEDCRNG: %s", err_str(errno));
	}
	feed_report();
out:
	/* what the kernel was never given was never credited */
	for (; ret < 0 && i < nservers; i++)
		servers[i].credit = 0;
	memzero(&p, sizeof(p));
	close(fd);
	return ret;
}

/* -o FILE: what may be written. A regular file or nothing is replaced
 * by a new file (seed_write); a character device (/dev/null) is written
 * in place, as it keeps nothing. A symbolic link, a directory or anything
 * else is refused, and so is a folder d20 cannot write into. Returns 0,
 * or -1 with the reason in why. */
static int
seed_target(const char *path, int *device, const char **why)
{
	struct stat st;
	char dir[SEED_PATH_MAX];
	const char *slash = strrchr(path, '/');

	*device = 0;
	*why = "name too long";
	if (strlen(path) >= sizeof(dir) - 32)
		return -1;
	if (lstat(path, &st) == 0) {
		*device = S_ISCHR(st.st_mode);
		*why = S_ISLNK(st.st_mode) ? "a symbolic link: give the file it "
		    "names, or - for stdout" : S_ISDIR(st.st_mode) ?
		    "a directory" : "not a regular file";
		if (S_ISLNK(st.st_mode) || !(S_ISREG(st.st_mode) || *device))
			return -1;
		if (*device)
			return 0;
	} else if (errno != ENOENT) {
		*why = err_str(errno);
		return -1;
	}
	if (!slash)
		fmt(dir, sizeof(dir), ".");
	else
		fmt(dir, sizeof(dir), "%.*s", (int)(slash - path) + (slash == path), path);
	if (access(dir, W_OK) < 0) {
		*why = errno == ENOENT ? "its folder does not exist" :
		    "its folder is not writable (the seed goes to a new file "
		    "renamed over it)";
		return -1;
	}
	return 0;
}

/* Write the seed to a new file beside path, created here with mode 0600
 * (O_EXCL, O_NOFOLLOW: nothing that was there before is opened), and
 * rename it over path: an existing file's owner and mode never reach the
 * seed, and a symbolic link put there meanwhile is replaced, not
 * followed. A failure leaves no file behind. Returns 0, or -1 with errno
 * set. */
static int
seed_write(const char *path, const uint8_t seed[SHA512_SIZE])
{
	char tmp[SEED_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, e;

	/* ".NAME.d20-PID-NS" beside it: hidden, and O_EXCL makes sure it
	 * is new */
	if (fmt(tmp, sizeof(tmp), "%.*s.%s.d20-%ld-%lu",
	    slash ? (int)(slash + 1 - path) : 0, path, slash ? slash + 1 : path,
	    (long)getpid(), (unsigned long)(now_ns(CLOCK_MONOTONIC) %
	    1000000000LL)) >= sizeof(tmp) - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_full(fd, seed, SHA512_SIZE) == 0 && fsync(fd) == 0 &&
	    close(fd) == 0) {
		fd = -1;
		if (rename(tmp, path) == 0)
			return 0;
	}
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

/* The -o seed: all verified answers' hashes and the local base, hashed. */
static int
write_seed(const uint8_t base[SHA512_SIZE])
{
	struct stat st;
	uint8_t seed[SHA512_SIZE];
	sha512_ctx h;
	const char *why;
	int fd, i, device, ret = -1;

	sha512_init(&h);
	HASH_DOMAIN(&h, "d20 v1 seed");
	sha512_update(&h, base, SHA512_SIZE);
	for (i = 0; i < nservers; i++)
		if (servers[i].r.stage == ST_OK)
			sha512_update(&h, servers[i].r.mix, SHA512_SIZE);
	sha512_final(&h, seed);
	if (!strcmp(opt.out, "-")) {
		ret = write_full(1, seed, sizeof(seed));
	} else if (seed_target(opt.out, &device, &why) < 0) {
		say("%s: %s", opt.out, why);
		goto wiped;
	} else if (!device) {
		ret = seed_write(opt.out, seed);
	} else if ((fd = open(opt.out, O_WRONLY | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC)) >= 0) {
		/* still the device it was a moment ago */
		if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
			ret = write_full(fd, seed, sizeof(seed));
		else
			errno = EEXIST;
		if (close(fd) < 0)
			ret = -1;
	}
	if (ret < 0)
		say("%s: %s", opt.out, err_str(errno));
wiped:
	memzero(seed, sizeof(seed));
	return ret;
}

/* Start every child, then collect records until all ended or the
 * deadline passed; kill and reap the rest. */
static void
run(void)
{
	struct pollfd pfd[SERVERS_MAX];
	long long deadline = now_ns(CLOCK_MONOTONIC) + opt.timeout_ms * 1000000LL;
	long long left;
	int i, j, p[2], open_fds = 0, n, status = 0;
	ssize_t got;
	record r;

	for (i = 0; i < nservers; i++) {
		server *s = &servers[i];

		s->fd = -1;
		s->r.stage = ST_START;
		p[0] = p[1] = -1;
		if (pipe(p) < 0 || (s->pid = _Fork()) < 0) {
			fmt(s->r.reason, sizeof(s->r.reason), "cannot start: %s",
			    err_str(errno));
			s->r.stage = ST_FAIL;
			s->pid = 0;
			if (p[0] >= 0) {
				close(p[0]);
				close(p[1]);
			}
			continue;
		}
		if (s->pid == 0) {
			close(p[0]);
			for (j = 0; j < i; j++)
				if (servers[j].fd >= 0)
					close(servers[j].fd);
			/* A backstop should the parent die before killing us. */
			alarm((unsigned)(opt.timeout_ms / 1000 + 2));
			child(s, p[1], deadline);
			_exit(0);
		}
		close(p[1]);
		s->fd = p[0];
		open_fds++;
	}

	while (open_fds > 0) {
		left = (deadline - now_ns(CLOCK_MONOTONIC)) / 1000000LL;
		if (left <= 0)
			break;
		for (i = n = 0; i < nservers; i++) {
			pfd[i].fd = servers[i].fd;	/* -1: poll skips it */
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)nservers, (int)left);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; n > 0 && i < nservers; i++) {
			server *s = &servers[i];

			if (!pfd[i].revents)
				continue;
			do
				got = read(s->fd, &r, sizeof(r));
			while (got < 0 && errno == EINTR);
			/* The child parsed hostile bytes: take nothing from it
			 * on trust that indexes a table or prints. */
			if (got == (ssize_t)sizeof(r) && r.stage >= ST_RESOLVE &&
			    r.stage <= ST_FAIL && r.proto >= ANSWER_NONE &&
			    r.proto <= ANSWER_POLLEN && r.auth >= AUTH_NONE &&
			    r.auth <= AUTH_PIN) {
				r.reason[sizeof(r.reason) - 1] = '\0';
				s->r = r;
				continue;
			}
			/* End of file (or a short read, which cannot be). */
			close(s->fd);
			s->fd = -1;
			open_fds--;
			if (s->r.stage != ST_OK && s->r.stage != ST_FAIL) {
				fmt(s->r.reason, sizeof(s->r.reason),
				    "child ended while %s", stage_name[s->r.stage]);
				s->r.stage = ST_FAIL;
			}
		}
	}

	for (i = 0; i < nservers; i++) {
		server *s = &servers[i];

		if (s->r.stage != ST_OK && s->r.stage != ST_FAIL) {
			fmt(s->r.reason, sizeof(s->r.reason),
			    "timed out while %s", stage_name[s->r.stage]);
			s->r.stage = ST_FAIL;
			s->r.latency_us = opt.timeout_ms * 1000;
		}
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
				;
			/* a child that ended early by a signal of its own: a
			 * call outside its sandbox, or a crash */
			if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL &&
			    strncmp(s->r.reason, "child ended ", 12) == 0) {
				char was[REASON_MAX];

				fmt(was, sizeof(was), "%s", s->r.reason + 12);
				fmt(s->r.reason, sizeof(s->r.reason), "child killed by "
				    "signal %d%s %s", WTERMSIG(status),
				    WTERMSIG(status) == SIGSYS ? " (SIGSYS: a system call "
				    "outside its sandbox)" : "", was);
			}
		}
		if (s->fd >= 0)
			close(s->fd);
	}
	memzero(&r, sizeof(r));
}

/* The options: a letter (a short option when in SHORTS) and a long
 * name; those marked take an argument, "--name=value" or the next word. */
static const struct arg_opt options[] = {
	{ 'h', 0, "help" }, { 'v', 0, "verbose" }, { 'q', 0, "quiet" },
	{ 'f', 1, "file" }, { 'o', 1, "output" }, { 'T', 1, "timeout" },
	{ 'm', 1, "min" }, { 'c', 1, "credit" }, { 'I', 0, "credit-insecure" },
	{ 's', 1, "max-skew" }, { 'd', 1, "delay" }, { 'C', 1, "ca" },
	{ 'P', 1, "pin" }, { 'V', 0, "version" }, { 'x', 1, "proxy" },
	{ 'N', 1, "no-proxy" },
};
#define SHORTS "hvqfo"

static const char *files[SERVERS_MAX], *urls[SERVERS_MAX];
static int nfiles, nurls;

static void
usage_error(const char *what, const char *arg)
{
	say("%s: %s", what, arg);
	write_full(2, usage, sizeof(usage) - 1);
	exit(2);
}

static void
set_option(int c, const char *val)
{
	switch (c) {
	case 0:
		if (nurls == SERVERS_MAX)
			die("more than %d servers", SERVERS_MAX);
		urls[nurls++] = val;
		break;
	case 'h':
		write_full(1, usage, sizeof(usage) - 1);
		exit(0);
	case 'V':
		write_full(1, D20_TLS ? "d20 " VERSION " tls\n" : "d20 " VERSION "\n",
		    D20_TLS ? sizeof("d20 " VERSION " tls\n") - 1 : sizeof("d20 " VERSION "\n") - 1);
		exit(0);
	case 'v': opt.verbose = 1; opt.quiet = 0; break;
	case 'q': opt.quiet = 1; opt.verbose = 0; break;
	case 'f':
		if (nfiles == SERVERS_MAX)
			die("too many -f");
		files[nfiles++] = val;
		break;
	case 'o': opt.out = val; break;
	case 'T': opt.timeout_ms = millis(val, "--timeout"); break;
	case 'm': opt.min = (int)number(val, "--min", 0, SERVERS_MAX); break;
	case 'c': opt.credit = (int)number(val, "--credit", 0, 8 * SHA512_SIZE); break;
	case 'I': opt.credit_insecure = 1; break;
	case 's': opt.max_skew = number(val, "--max-skew", 0, 100000000L); break;
	case 'd': opt.delay = number(val, "--delay", 0, 86400); break;
	case 'C': opt.ca = val; break;
	case 'P': opt.pin = val; break;
	case 'x': proxy_opt = val; break;
	case 'N': noproxy_opt = val; break;
	}
}

int
main(int argc, char *argv[])
{
	static const char *const proto_name[] = { "?", "d20", "pollen" };
	static const char *const auth_name[] = { "http", "https+ca", "https+pin" };
	uint8_t base[SHA512_SIZE];
	seed_inputs st;
	long long t0;
	const char *why;
	int i, verified = 0, credited = 0, sink_ok = 1, ret = 1;
	sigset_t pipe_sig;

	/* A write to a closed socket or pipe fails with EPIPE: blocked, not
	 * ignored, since signal() brings sigaction's 0.8 KiB along. */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_sig, NULL);
	args_parse(argc, argv, options, sizeof(options) / sizeof(options[0]),
	    SHORTS, set_option, usage_error);
#if D20_TLS
	if (opt.pin && pins_check(opt.pin, strlen(opt.pin), "--pin") < 0)
		exit(2);
	if (opt.ca && access(opt.ca, R_OK) < 0)
		die("--ca %s: %s", opt.ca, err_str(errno));
	if (!opt.ca && access(CA_BUNDLE, R_OK) == 0)
		opt.ca = CA_BUNDLE;
#else
	if (opt.pin || opt.ca)
		die("--pin and --ca need a d20 built with TLS=1");
#endif

	for (i = 0; i < nurls; i++)
		add_server(urls[i], strlen(urls[i]), "", 0, "argument");
	for (i = 0; i < nfiles; i++)
		read_list(files[i], 0);
	if (nurls == 0 && nfiles == 0)
		read_list(SERVERS_FILE, 1);
	if (nservers == 0)
		die("no server: give a URL, -f FILE or list them in " SERVERS_FILE);
	if (opt.min > nservers)
		die("--min %d but only %d servers", opt.min, nservers);
	/* Before asking anyone: a seed with nowhere safe to go is a usage
	 * error. write_seed checks again when it writes. */
	if (opt.out && strcmp(opt.out, "-") && seed_target(opt.out, &i, &why) < 0)
		die("-o %s: %s", opt.out, why);
	for (i = 0; i < nservers; i++)
		if (!servers[i].pin[0] && opt.pin)
			fmt(servers[i].pin, sizeof(servers[i].pin), "%s", opt.pin);
	choose_proxies();

	/* A clock before the build is surely wrong: certificate dates are
	 * then checked at the build time (tls_cert_time); pins and the
	 * challenge need no clock at all. */
	if (opt.verbose && now_ns(CLOCK_REALTIME) / 1000000000LL < D20_BUILD_EPOCH)
		say("the local clock is before this build: certificate dates "
		    "are checked at the build time");

	t0 = now_ns(CLOCK_MONOTONIC);
	challenge_base(base, &st);
	t0 = now_ns(CLOCK_MONOTONIC) - t0;
	if (opt.delay > 0) {
		/* Random, so that many machines on one timer spread out. */
		uint64_t r = (uint64_t)base[0] << 24 | (uint64_t)base[1] << 16 |
		    (uint64_t)base[2] << 8 | base[3];
		long ms = (long)(r % (uint64_t)(opt.delay * 1000 + 1));
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		challenge_base(base, &st);
	}
	if (opt.verbose)
		say("local randomness in %ld.%ld ms: %lu jitter timings in "
		    "%lu.%lu ms; CPU generator: %lu bytes", (long)(t0 / 1000000),
		    (long)(t0 / 100000 % 10), (unsigned long)st.jitter_samples,
		    (unsigned long)(st.jitter_ns / 1000000),
		    (unsigned long)(st.jitter_ns / 100000 % 10),
		    (unsigned long)st.cpu_len);
	for (i = 0; i < nservers; i++)
		challenge_for(&servers[i], base, (unsigned)i);

	if (opt.verbose && !opt.out)
		kernel_state("before");
	run();

	for (i = 0; i < nservers; i++) {
		server *s = &servers[i];

		if (s->r.stage != ST_OK)
			continue;
		verified++;
		if (s->r.auth != AUTH_NONE || opt.credit_insecure)
			s->credit = opt.credit;
	}
	/* A seed file is for a consumer that trusts it: only write it when
	 * enough servers verified. The kernel takes whatever verified. */
	if (opt.out) {
		for (i = 0; i < nservers; i++)
			servers[i].credit = 0;
		if (verified >= opt.min)
			sink_ok = write_seed(base) == 0;
	} else if (verified > 0) {
		sink_ok = feed_kernel() == 0;
	}
	if (sink_ok && verified >= opt.min)
		ret = 0;

	for (i = 0; i < nservers; i++) {
		server *s = &servers[i];
		long us = (long)s->r.latency_us;

		credited += s->credit;
		if (s->r.stage != ST_OK) {
			if (!opt.quiet || ret)
				say("%s: failed: %s (%ld.%ld ms, %u bytes)", s->text,
				    s->r.reason, us / 1000, us % 1000 / 100,
				    (unsigned)s->r.bytes);
			continue;
		}
		if (opt.verbose)
			say("%s: verified, %s over %s%s%s, %ld.%ld ms, %u bytes, "
			    "%d bits credited", s->text, proto_name[s->r.proto],
			    auth_name[s->r.auth],
			    s->px ? " through the proxy " : "", s->px ? s->px->name : "",
			    us / 1000, us % 1000 / 100,
			    (unsigned)s->r.bytes, s->credit);
		/* A D20 server's time is news about the local clock, never a
		 * reason to refuse: the challenge already proved it fresh. */
		if (opt.verbose && s->r.proto == ANSWER_D20 &&
		    (s->r.skew > opt.max_skew || s->r.skew < -opt.max_skew))
			say("%s: its clock is %ld s %s ours (over --max-skew %ld): "
			    "is the local clock wrong?", s->text,
			    (long)(s->r.skew < 0 ? -s->r.skew : s->r.skew),
			    s->r.skew < 0 ? "behind" : "ahead of", opt.max_skew);
	}
	if (opt.verbose && !opt.out)
		kernel_state("after");
	if (opt.verbose || ret)
		say("%d of %d servers verified (need %d); %s", verified,
		    nservers, opt.min, !sink_ok ? "could not use them" :
		    opt.out ? (ret ? "no seed written" : "seed written") : credited ?
		    "entropy credited to the kernel" : verified ?
		    "mixed into the kernel without credit" : "nothing mixed");
	if (opt.verbose && credited)
		say("RNDADDENTROPY ok: %d bits credited", credited);
	memzero(base, sizeof(base));
	for (i = 0; i < nservers; i++)
		memzero(&servers[i].r, sizeof(servers[i].r));
	return ret;
}
