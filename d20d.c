/* SPDX-License-Identifier: MIT */
/* d20d - entropy server for d20 (D20 API v1) and pollinate (the Pollen
 * protocol). See d20d.8.
 *
 * The parent binds and keeps the pool of worker processes (-c at most);
 * it never accepts and never reads a client byte. Each worker accepts on
 * the listeners itself and serves one connection at a time: the -C count
 * of its client's address, then one request under one deadline (-t),
 * answered from a CTR_DRBG instantiated afresh from getrandom for that
 * request; then the worker is idle again, or exits after a timeout or an
 * error. The parent forks a worker when a connection waits and none is
 * idle; the pool grows on demand up to -c and shrinks when idle; "the
 * pool" below holds all of it. -i and systemd's Accept=yes serve their
 * one connection in the process itself. With a certificate, the TLS key
 * is held by one more process, the signer, which workers ask for the
 * signature of each handshake; neither the parent nor a worker ever holds
 * it ("the signer" below). The counters of -M (metrics.c) live in memory
 * the parent and the workers share, where each worker adds up its own
 * connections; the worker that takes a scrape answers it from them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "config.h"
#include "drbg.h"
#include "http.h"
#include "metrics.h"
#include "proxyhdr.h"
#include "sandbox.h"
#include "sha512.h"
#include "util.h"
#include <sys/prctl.h>
#if D20_TLS
#include "signer.h"
#include "tls.h"
#include "sha256.h"
#include "x25519.h"
#endif

/* KEYSEP: the TLS key lives in a signer process of its own, never in the
 * parent or a worker (signer.h). A build with -DD20D_KEY_IN_WORKER keeps
 * it in every worker instead, as d20d did before: only for the benchmark
 * that measures what the separation costs and for the test that shows a
 * key in a worker is found (tests/server_keysep.sh). */
#if D20_TLS && !defined(D20D_KEY_IN_WORKER)
#define KEYSEP 1
typedef char sig_sizes_agree[TLS_SIG_MAX == SIGNER_SIG_MAX &&
    TLS_ERRLEN <= SIGNER_REASON_MAX ? 1 : -1];
#else
#define KEYSEP 0
#endif

/* Exit statuses (d20d.8, EXIT STATUS). */
enum {
	EXIT_OK = 0,		/* stopped by a signal; -i: answered */
	EXIT_START = 1,		/* start-up failed: bind, user, chroot, certificate */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_CONN = 3		/* -i or a worker: the connection failed or timed out */
};

/* config.h's numbers in the usage text */
#define STR_(x) #x
#define STR(x) STR_(x)

static const char usage[] =
    "usage: d20d [-dimqS] [-l HOST:PORT]... [-L HOST:PORT]... [--cert FILE --key FILE]\n"
    "            [--tls] [-c CHILDREN] [-C PER_ADDRESS] [-t SECONDS] [-u USER]\n"
    "            [-r DIR] [-p PIDFILE] [-M HOST:PORT] [--proxy-from ADDR/PREFIX]...\n"
    "Answer D20 API v1 (/api/entropy, /api/status) and Pollen entropy requests.\n"
    "  -l HOST:PORT   listen for HTTP (repeatable; [::1]:PORT for IPv6;\n"
    "                 default 0.0.0.0:" D20D_PORT " and [::]:" D20D_PORT ")\n"
#if D20_TLS
    "  -L HOST:PORT   listen for HTTPS (repeatable; needs --cert and --key)\n"
    "  --cert FILE    PEM certificate chain, leaf first (reloaded on SIGHUP)\n"
    "  --key FILE     PEM private key, EC or RSA (reloaded on SIGHUP),\n"
    "                 held by the signer process alone\n"
    "  --tls          speak TLS on -i and on systemd-activated sockets\n"
#else
    "  -L, --cert, --key, --tls: HTTPS, not in this build (TLS=0)\n"
#endif
    "  -M HOST:PORT   serve Prometheus metrics at /metrics there (HTTP; off)\n"
    "  -i             serve one connection on stdin/stdout (inetd, tcpserver)\n"
    "  -d             run in the background (log with -S); -p PIDFILE to record it\n"
    "  -c N           at most N workers, so N connections at once\n"
    "                 (default " STR(D20D_CHILDREN) "); more connections wait\n"
    "  -C N           at most N connections per IPv4 address or IPv6 /64\n"
    "                 (default " STR(D20D_PER_ADDR) "); more get 503\n"
    "  -t SECONDS     deadline for a whole connection (default " STR(D20D_DEADLINE) ")\n"
    "  -u USER        when started as root, serve as USER (default " D20D_USER ")\n"
    "  -r DIR         when started as root, chroot to empty DIR\n"
    "                 (default " D20D_CHROOT ")\n"
    "  --proxy-from ADDR/PREFIX  balancers there must begin with a PROXY\n"
    "                 header (v1 or v2) naming the client (repeatable)\n"
    "  -m, --mix      also mix each challenge into /dev/urandom (no credit)\n"
    "  -S             log to syslog instead of stderr\n"
    "  -q             log errors only\n"
    "  -V, --version  print the version\n";

struct listener {
	int fd;
	int tls;
	int metrics;		/* -M: scrapes only */
	int activated;		/* systemd's: never shut down, only closed */
};

/* One connection, plain or TLS. */
struct conn {
	int rfd, wfd;
	int tls;
	char peer[2 * IP_TEXT_MAX + 5];	/* "CLIENT via BALANCER" */
	struct timespec start;
	int lazy;		/* its deadline armed only when it would wait */
};

/* What a request is answered with: a fixed body that holds the largest
 * answer, the metrics text, or D20's (its entropy in hex and under 256
 * bytes of names, challengeResponse and time around it). */
struct reply {
	const char *type;
	const char *extra;		/* NULL or extra header lines */
	char body[D20D_METRICS_MAX];
	size_t len;
};
/* The D20 answer is 65 bytes of names and quotes around challengeResponse,
 * entropy and time: it must fit, or reply_text would send it empty. */
typedef char d20_answer_fits[sizeof(((struct reply *)0)->body) >
    65 + 2 * SHA512_SIZE + 2 * D20_ENTROPY_BYTES + 19 ? 1 : -1];
/* A response head (status line, five short headers) fits in this. */
#define REPLY_HEAD_MAX 512
/* One generate call of the per-request DRBG gives either form's bytes. */
typedef char entropy_fits_one_generate[D20_ENTROPY_BYTES <= DRBG_MAX_REQUEST &&
    POLLEN_ENTROPY_BYTES <= D20_ENTROPY_BYTES ? 1 : -1];

/* The parent's record of a worker (see "the pool" below). */
struct worker {
	pid_t pid;		/* 0: a free slot */
	int ctl;		/* the parent's end of its socketpair; -1: retired */
};

/* What a worker says of itself, in the shared page (see "the pool"). */
enum { SLOT_FREE, SLOT_IDLE, SLOT_BUSY, SLOT_GONE };
struct slot {
	uint32_t state;		/* SLOT_: the worker's; FREE once reaped */
	uint32_t retired;	/* the parent's: it closed the socketpair */
	uint32_t counted;	/* key counts against -C */
	uint8_t key[12];	/* its client's address key (addr_key) */
	int64_t idle_since;	/* CLOCK_MONOTONIC seconds */
};

/* The memory the parent and its workers share. */
struct shared {
	struct metrics stats;	/* every worker adds its own connections */
	uint32_t nslots;	/* slots in use so far: the parent's */
	uint32_t lock;		/* 0, or the slot + 1 of the worker counting */
	struct slot slot[D20D_CHILDREN_MAX];
};

/* A worker's record of the connection in hand, for the metrics. */
struct done {
	pid_t pid;		/* the worker's own, asked once */
	uint32_t idle;		/* idle again after it; else it leaves */
	uint64_t accepted;	/* CLOCK_MONOTONIC microseconds */
	uint64_t written;	/* the answer; 0: no answer */
	struct metrics_conn c;
};

/* Shared states: the parent and the workers read and write them at once
 * (the counters: metrics_count, metrics_bump). */
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

static struct {
	int inetd, tls, daemon, syslog, quiet, mix;
	unsigned long children, per_addr, deadline;
	const char *user, *root, *pidfile, *cert, *key, *metrics;
} opt = { .children = D20D_CHILDREN, .per_addr = D20D_PER_ADDR,
	.deadline = D20D_DEADLINE, .user = D20D_USER, .root = D20D_CHROOT };

static struct listener listeners[D20D_LISTEN_MAX];
static int nlisteners;
static struct worker pool[D20D_CHILDREN_MAX];
static unsigned long nslots, nworkers;	/* slots in use so far; live workers */
static struct shared *sh;	/* MAP_SHARED, made before the first fork */
static int done_fd[2] = { -1, -1 };	/* workers to parent: "fork one" */
static int as_root;		/* started as root: workers chroot and drop */
static int root_fd = -1;	/* -r DIR, opened and checked at start */
static uid_t run_uid;
static gid_t run_gid;
static int mix_fd = -1;		/* /dev/urandom, opened before any chroot */
static int sig_pipe[2] = { -1, -1 };
static struct proxyhdr_net trusted[D20D_PROXY_FROM_MAX];	/* --proxy-from */
static int ntrusted;
static volatile sig_atomic_t got_term, got_hup, got_chld, timed_out;
/* In a worker: its answer is out and it told the parent it is idle, so
 * the deadline no longer applies (on_alarm) */
static volatile sig_atomic_t idle_now;
/* In a worker: the connection in hand has armed its deadline (armed), and
 * the timer may still be set by it or an earlier one (pending). */
static volatile sig_atomic_t armed, pending;
/* In a worker: a snapshot of the shared counters for the scrape in hand
 * (scraping). */
static struct metrics stats;
static int scraping;
/* In a worker: its slot, and the record of the connection in hand */
static struct slot *me;
static struct done note;
#if KEYSEP
/* The parent's signer (see "the signer" below), and in a worker or -i
 * the channel to it and what became of the last request. */
static pid_t signer_pid;	/* 0: none running */
static int signer_ctl = -1;	/* the parent's end of its control socket */
static time_t signer_next;	/* CLOCK_MONOTONIC second of the next restart */
static unsigned signer_backoff;	/* seconds, doubled by each failed restart */
static int sign_fd = -1;
static int sign_errno;		/* 0, or why the signer did not answer */
#endif

static void tell_idle(void);
static void uncount(void);
static void forked(int worker);
static int from_balancer(struct conn *c, int af, const uint8_t *a);

/* CLOCK_MONOTONIC in microseconds: the same clock in every process. */
static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- logging ---- */

/* syslog(3)'s levels, facility daemon */
enum { LOG_ERR = 3, LOG_INFO = 6, LOG_DAEMON = 3 << 3 };

/* -S: a datagram socket connected to /dev/log before any chroot. Each
 * line is sent whole as "<PRIORITY>d20d[PID]: MESSAGE"; the syslog
 * daemon stamps the time. */
static int log_fd = -1;

static void
log_open(void)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, "/dev/log", sizeof("/dev/log"));
	log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_fd < 0 || connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (log_fd >= 0)
			close(log_fd);
		log_fd = -1;
	}
}

static void
vlogline(int prio, const char *f, va_list ap)
{
	char line[320], stamp[20];
	size_t n;

	if (opt.syslog) {
		if (log_fd < 0)
			return;
		n = fmt(line, sizeof(line), "<%d>d20d[%ld]: ", LOG_DAEMON | prio,
		    (long)(note.pid ? note.pid : getpid()));
		n += vfmt(line + n, sizeof(line) - n, f, ap);
		/* Never waits: a syslog daemon that stalls or falls behind
		 * (a datagram socket queues 10 by default) must not stop a
		 * worker, whose deadline is off once its answer is out. A
		 * line that does not fit is dropped and counted. */
		if (send(log_fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && sh)
			metrics_bump(&sh->stats, METRICS_LOG_DROPPED);
		return;
	}
	if (opt.quiet > 1)
		return;		/* -i with stderr on the client's socket */
	utc_format(stamp, (long long)time(NULL));
	n = fmt(line, sizeof(line), "%sZ ", stamp);
	n += vfmt(line + n, sizeof(line) - 1 - n, f, ap);
	line[n++] = '\n';
	/* one write per line, so lines of concurrent workers never mix */
	(void)write_full(2, line, n);
}

static void
logline(int prio, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vlogline(prio, f, ap);
	va_end(ap);
}

/* Start-up failures only: main's helpers die, nothing later does. */
static void
die(int status, const char *f, ...)
{
	char line[320];
	size_t n;
	va_list ap;

	if (opt.syslog) {
		va_start(ap, f);
		vlogline(LOG_ERR, f, ap);
		va_end(ap);
	}
	memcpy(line, "d20d: ", 6);
	va_start(ap, f);
	n = 6 + vfmt(line + 6, sizeof(line) - 7, f, ap);
	va_end(ap);
	line[n++] = '\n';
	(void)write_full(2, line, n);
	exit(status);
}

/* Client bytes shown in a log line: printable ASCII only, cut short. */
static void
log_safe(char *out, size_t max, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < max; i++)
		out[i] = s[i] > ' ' && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
	if (i == 0 && max > 1)
		out[i++] = '-', out[i] = '\0';
}

static void
log_request(const struct conn *c, const struct http_request *req,
    enum http_status st, size_t bytes)
{
	char method[HTTP_METHOD_MAX + 1], path[D20D_LOG_PATH_MAX + 1];
	struct timespec now;
	long ms;

	if (opt.quiet && st < 500)
		return;
	log_safe(method, sizeof(method), req->method_name);
	log_safe(path, sizeof(path), req->path);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(now.tv_sec - c->start.tv_sec) * 1000 +
	    (now.tv_nsec - c->start.tv_nsec) / 1000000;
	logline(st < 500 ? LOG_INFO : LOG_ERR, "%s %s %s %d %zu %ldms",
	    c->peer, method, path, (int)st, bytes, ms);
}

/* ---- one connection ---- */

/* Arm the connection's deadline: what is left of -t since it began.
 * stale: a timer an earlier connection armed may still be set (it is
 * replaced here, and ignored until then). Without one, armed is set
 * first, so that even a timer that ends at once is this connection's. */
static void
deadline_arm(const struct conn *c, int stale)
{
	struct itimerval it;
	uint64_t start = (uint64_t)c->start.tv_sec * 1000000 +
	    (uint64_t)c->start.tv_nsec / 1000, end, now = now_us();
	long long us;

	end = start + (uint64_t)opt.deadline * 1000000;
	us = end > now ? (long long)(end - now) : 1;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)(us / 1000000);
	it.it_value.tv_usec = (suseconds_t)(us % 1000000);
	if (!stale)
		armed = 1;
	setitimer(ITIMER_REAL, &it, NULL);
	armed = 1;
	pending = 1;
}

static ssize_t
conn_read(struct conn *c, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct msghdr m;
	ssize_t n;

#if D20_TLS
	if (c->tls)
		return tls_read(buf, len);
#endif
	if (c->lazy && !armed) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		n = recvmsg(c->rfd, &m, MSG_DONTWAIT);
		if (n >= 0 || errno != EAGAIN)
			return n;
		deadline_arm(c, 0);
	}
	return read(c->rfd, buf, len);
}

/* last: the answer, after which the connection ends (over TLS its
 * close_notify leaves with it) */
static int
conn_write(struct conn *c, const void *buf, size_t len, int last)
{
	ssize_t n;

#if D20_TLS
	if (c->tls)
		return last ? tls_write_last(buf, len) : tls_write(buf, len);
#else
	(void)last;
#endif
	if (c->lazy && !armed) {
		n = send(c->wfd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return 0;
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (n > 0) {
			buf = (const char *)buf + n;
			len -= (size_t)n;
		}
		deadline_arm(c, 0);
	}
	return write_full(c->wfd, buf, len);
}

/* T: the server's UTC time to the second. */
static void
utc_now(char out[20])
{
	utc_format(out, (long long)time(NULL));
}

/* --mix: SHA-512(C || nanosecond time) into the kernel pool, no credit.
 * A failed write costs the client nothing, so it is ignored. */
static void
mix(const uint8_t *ch, size_t chlen)
{
	uint8_t d[SHA512_SIZE];
	struct timespec ts;
	sha512_ctx h;

	if (mix_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	sha512_init(&h);
	sha512_update(&h, ch, chlen);
	sha512_update(&h, &ts, sizeof(ts));
	sha512_final(&h, d);
	(void)write_full(mix_fd, d, sizeof(d));
	memzero(d, sizeof(d));
}

/* R: len fresh bytes (at most DRBG_MAX_REQUEST, one generate call) from
 * a CTR_DRBG that is instantiated from getrandom now, for this request
 * only: a worker shares its parent's memory and serves connection after
 * connection, so no DRBG state may be carried over from a fork or from
 * an earlier request. The challenge goes in as additional input.
 * Returns 0 or -1. */
static int
fresh_bytes(uint8_t *r, size_t len, const uint8_t *ch, size_t chlen)
{
	static const char domain[] = "d20d v1";
	uint8_t seed[DRBG_STRENGTH + 16], pers[sizeof(domain) + 32];
	struct timespec ts;
	pid_t pid = note.pid ? note.pid : getpid();	/* a worker knows its own */
	drbg_ctx drbg;
	int ret = -1;

	memset(&drbg, 0, sizeof(drbg));
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	memcpy(pers, domain, sizeof(domain));
	memcpy(pers + sizeof(domain), &pid, sizeof(pid));
	memcpy(pers + sizeof(domain) + sizeof(pid), &ts, sizeof(ts));
	if (drbg_instantiate(&drbg, seed, DRBG_STRENGTH, seed + DRBG_STRENGTH, 16,
	    pers, sizeof(domain) + sizeof(pid) + sizeof(ts), NULL, NULL) != DRBG_OK ||
	    drbg_generate(&drbg, r, len, ch, chlen, 0) != DRBG_OK)
		goto out;
	ret = 0;
out:
	drbg_destroy(&drbg);
	memzero(seed, sizeof(seed));
	return ret;
}

static enum http_status
reply_text(struct reply *r, enum http_status st, const char *type,
    const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = vfmt(r->body, sizeof(r->body), f, ap);
	va_end(ap);
	r->type = type;
	r->len = n + 1 < sizeof(r->body) ? n : 0;	/* full: maybe cut */
	return st;
}

static enum http_status
reply_error(struct reply *r, enum http_status st, const char *msg)
{
	return reply_text(r, st, "application/json", "{\"error\":\"%s\"}\n", msg);
}

/* The challenge: from a form body first (as pollen's FormValue does),
 * else from the query. A value too long for the body is 413, for the
 * query 414. */
static enum http_status
find_challenge(const struct http_request *req, uint8_t ch[CHALLENGE_MAX],
    size_t *chlen)
{
	enum http_status st = HTTP_NOT_FOUND;

	if (req->body && req->form)
		st = http_form_get(req->body, req->bodylen, "challenge", ch,
		    CHALLENGE_MAX, chlen);
	if (st != HTTP_NOT_FOUND || !req->query)
		return st;
	st = http_form_get(req->query, req->querylen, "challenge", ch,
	    CHALLENGE_MAX, chlen);
	return st == HTTP_PAYLOAD_TOO_LARGE ? HTTP_URI_TOO_LONG : st;
}

/* An entropy answer to challenge ch at time t: D20 API v1 JSON with R
 * itself as its entropy (D20_ENTROPY_BYTES, enough for D20's own client
 * to credit its full 64 bits), or the Pollen form's two lines with
 * SHA-512(C || R) as the second, as pollen sends it. */
static enum http_status
reply_entropy(struct reply *r, int d20, const uint8_t *ch, size_t chlen,
    const char *t)
{
	uint8_t d1[SHA512_SIZE], d2[SHA512_SIZE], rnd[D20_ENTROPY_BYTES];
	char h1[2 * SHA512_SIZE + 1], h2[2 * D20_ENTROPY_BYTES + 1];
	size_t len = d20 ? D20_ENTROPY_BYTES : POLLEN_ENTROPY_BYTES;
	enum http_status st = HTTP_INTERNAL_ERROR;
	sha512_ctx h;

	if (opt.mix)
		mix(ch, chlen);
	if (fresh_bytes(rnd, len, ch, chlen) < 0) {
		reply_error(r, st, "no entropy");
		goto out;
	}
	if (d20) {
		hex_encode(h2, rnd, len);
	} else {
		sha512_init(&h);
		sha512_update(&h, ch, chlen);
		sha512_update(&h, rnd, len);
		sha512_final(&h, d2);
		hex_encode(h2, d2, sizeof(d2));
	}
	sha512_init(&h);
	sha512_update(&h, ch, chlen);
	if (d20)
		sha512_update(&h, t, strlen(t));
	sha512_final(&h, d1);
	hex_encode(h1, d1, sizeof(d1));
	if (d20)
		st = reply_text(r, HTTP_OK, "application/json", "{\"apiVersion\":\"1\","
		    "\"challengeResponse\":\"%s\",\"entropy\":\"%s\",\"time\":\"%s\"}\n",
		    h1, h2, t);
	else
		st = reply_text(r, HTTP_OK, "text/plain", "%s\n%s\n", h1, h2);
	note.c.bytes = (uint32_t)len;
out:
	memzero(rnd, sizeof(rnd));
	memzero(d2, sizeof(d2));
	memzero(h2, sizeof(h2));
	return st;
}

/* The request path: route a parsed request to its answer. */
static enum http_status
answer(const struct http_request *req, struct reply *r)
{
	uint8_t ch[CHALLENGE_MAX];
	char t[20];
	enum http_status st;
	size_t chlen = 0;
	int d20 = strcmp(req->path, "/api/entropy") == 0;

	/* -M: the snapshot that came with the connection, as text */
	if (scraping && strcmp(req->path, "/metrics") == 0) {
		r->len = metrics_format(r->body, sizeof(r->body), &stats);
		r->type = "text/plain; version=0.0.4; charset=utf-8";
		return r->len ? HTTP_OK : reply_error(r, HTTP_INTERNAL_ERROR,
		    "metrics too long");
	}
	if (scraping)
		return reply_error(r, HTTP_NOT_FOUND, "no such endpoint");
	utc_now(t);
	/* GET or POST, the only methods that get here, as D20 routes both */
	if (strcmp(req->path, "/api/status") == 0) {
		note.c.proto = METRICS_STATUS;
		return reply_text(r, HTTP_OK, "application/json",
		    "{\"apiVersion\":\"1\",\"status\":\"ok\",\"time\":\"%s\"}\n", t);
	}
	if (!d20 && strncmp(req->path, "/api/", 5) == 0)
		return reply_error(r, HTTP_NOT_FOUND, "no such endpoint");
	st = find_challenge(req, ch, &chlen);
	if (st == HTTP_OK && chlen == 0)
		st = HTTP_NOT_FOUND;	/* pollen treats an empty one as none */
	if (st == HTTP_NOT_FOUND && !d20)
		return reply_text(r, HTTP_BAD_REQUEST, "text/plain", "d20d: send a "
		    "challenge: GET /api/entropy?challenge=C (D20) or POST / with "
		    "challenge=C (Pollen)\n");
	note.c.proto = d20 ? METRICS_D20 : METRICS_POLLEN;
	if (st == HTTP_NOT_FOUND)
		st = reply_error(r, HTTP_BAD_REQUEST, "challenge is required");
	else if (st != HTTP_OK)
		st = reply_error(r, st, "bad challenge");
	else if (d20 && chlen < CHALLENGE_MIN)
		st = reply_error(r, HTTP_BAD_REQUEST, "challenge must be at least 8 bytes");
	else
		st = reply_entropy(r, d20, ch, chlen, t);
	memzero(ch, sizeof(ch));
	return st;
}

/* Read the rest of what the client sends, for a short while, before
 * closing: closing with unread bytes makes the kernel send a reset that
 * can destroy the error response still on its way. */
static void
linger_close(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec start, now;
	char sink[4096];
	size_t total = 0;
	ssize_t n;

	/* bounded in bytes and in time: a worker that already said it is
	 * idle has no alarm left to cut a client that drips */
	clock_gettime(CLOCK_MONOTONIC, &start);
	now = start;
	shutdown(fd, SHUT_WR);
	while (total < 16 * sizeof(sink) && now.tv_sec - start.tv_sec < 1 &&
	    poll(&p, 1, 200) == 1) {
		n = read(fd, sink, sizeof(sink));
		if (n <= 0)
			break;
		total += (size_t)n;
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
}

/* Read one request, answer it, log it. Returns the status answered, or 0
 * when the client sent nothing or the answer could not be written. */
static enum http_status
serve(struct conn *c)
{
	static char buf[HTTP_REQ_MAX];
	char out[REPLY_HEAD_MAX + sizeof(((struct reply *)0)->body)];
	struct http_request req;
	struct reply r;
	enum http_status st = HTTP_INCOMPLETE;
	size_t len = 0, head;
	ssize_t n;
	int sent, continued = 0;

	memset(&req, 0, sizeof(req));
	/* set field by field: an initializer would keep a template of the
	 * whole body in the binary */
	r.type = "application/json";
	r.extra = NULL;
	r.body[0] = '\0';
	r.len = 0;
	note.c.proto = scraping ? METRICS_SCRAPE : METRICS_OTHER;
	/* the parser refuses each part at its own bound (config.h), so the
	 * loop ends before buf fills */
	while (st == HTTP_INCOMPLETE && len < sizeof(buf)) {
		n = conn_read(c, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR && !timed_out)
			continue;
		/* the deadline: a 408 where it can still be sent (over TLS
		 * too, tls_read leaves the connection usable), and one log
		 * line either way */
		if (n < 0 && timed_out)
			st = HTTP_REQUEST_TIMEOUT;
		else if (n <= 0 && len == 0) {
			/* connected and left: nothing to answer */
#if KEYSEP
			if (c->tls && n < 0 && sign_errno)
				logline(LOG_ERR, "%s TLS: no signature from the "
				    "signer: %s", c->peer, err_str(sign_errno));
			else
#endif
#if D20_TLS
			if (c->tls && n < 0) {
				note.c.flags |= METRICS_TLS_FAILED;
				if (!opt.quiet)
					logline(LOG_INFO, "%s TLS: %s", c->peer,
					    tls_last_error());
			}
#endif
			return 0;
		} else if (n <= 0)
			st = HTTP_BAD_REQUEST;
		else
			st = http_parse_request(&req, buf, len += (size_t)n);
		/* curl sends a large body only after this, or after a second */
		if (st == HTTP_INCOMPLETE && req.expect_continue && !continued) {
			continued = 1;
			if (conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, 0) < 0)
				st = HTTP_BAD_REQUEST;
		}
	}
	if (st == HTTP_INCOMPLETE)
		st = HTTP_INTERNAL_ERROR;
#ifdef D20_SANDBOX_PROBE
	if (st == HTTP_OK)
		sandbox_probe(req.path);
#endif
	if (st == HTTP_OK)
		st = answer(&req, &r);
	else
		reply_error(&r, st, http_reason(st));

	head = http_response_head(out, sizeof(out) - r.len, st, r.type, r.len, r.extra);
	memcpy(out + head, r.body, r.len);
	memzero(r.body, sizeof(r.body));
	uncount();
	sent = head > 0 && conn_write(c, out, head + r.len, 1) == 0;
	if (timed_out)
		note.c.flags |= METRICS_DEADLINE;
	if (sent) {
		note.written = now_us();
		note.c.code = (uint16_t)st;
		tell_idle();
	} else {
		note.c.bytes = 0;
	}
	log_request(c, &req, st, sent ? head + r.len : 0);
	memzero(out, sizeof(out));
	memzero(buf, len);	/* the worker's next client must not find it */
	return sent ? st : 0;
}

static void
on_alarm(int sig)
{
	(void)sig;
	/* a worker that said it is idle must not be cut: the alarm is left
	 * armed (one timer call per connection, not three), and the next
	 * connection's replaces it; nor may an earlier connection's alarm cut
	 * one that has not armed its own */
	if (idle_now || !armed) {
		pending = 0;	/* it was the one set */
		return;
	}
	/* first the deadline (serve answers 408), then a short grace for
	 * that answer; a second alarm ends the process wherever it is */
	if (timed_out)
		_exit(EXIT_CONN);
	timed_out = 1;
	alarm(D20D_WRITE_GRACE);
}

/* Started as root: chroot to the empty directory, drop groups, gid and
 * uid, and make sure root cannot be regained before reading a byte. */
static int
drop_privileges(void)
{
	if (!as_root)
		return 0;
	/* by the descriptor opened at start (setup_root), not the path */
	if (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return -1;
	close(root_fd);
	root_fd = -1;
	if (ids_set(run_uid, run_gid, &run_gid, 1) < 0)
		return -1;
	if (getuid() == 0 || geteuid() == 0 || uid0_regained())
		return -1;
	as_root = 0;	/* done once for this process and its workers */
	return 0;
}

/* A worker, or -i, before its first client byte: privileges dropped,
 * then the seccomp allow-list (sandbox.c), entered once and never left.
 * Returns 0 or -1. */
static int
confine(void)
{
	static int sandboxed;

	if (drop_privileges() < 0)
		return -1;
	if (!sandboxed && sandbox_enter(me ? SANDBOX_WORKER : SANDBOX_SERVE) < 0)
		return -1;
	sandboxed = 1;
	return 0;
}

/* The address in ss: its bytes, and its family in *af (AF_INET for an
 * IPv4-mapped IPv6 one), or NULL for another family. Its text ("-" for
 * none) into name[IP_TEXT_MAX] unless name is NULL. */
static const uint8_t *
sa_addr(const struct sockaddr_storage *ss, int *af, char *name)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;
	const uint8_t *a = NULL;

	*af = ss->ss_family;
	if (*af == AF_INET)
		a = (const uint8_t *)&s4->sin_addr;
	else if (*af == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		*af = AF_INET, a = s6->sin6_addr.s6_addr + 12;
	else if (*af == AF_INET6)
		a = s6->sin6_addr.s6_addr;
	if (name && a)
		ip_format(name, *af, a);
	else if (name)
		strcpy(name, "-");
	return a;
}

/* 1 when the address is in a --proxy-from network: a balancer. */
static int
is_trusted(int af, const uint8_t *a)
{
	int i;

	for (i = 0; a && i < ntrusted; i++)
		if (proxyhdr_net_match(&trusted[i], af, a))
			return 1;
	return 0;
}

/* ---- the signer: the one process that holds the TLS key ----
 *
 * The parent reads the certificate chain, never the key. For each chain
 * it loads (at start, on SIGHUP, and when the signer died) it forks a
 * signer, which reads --key itself while it is still root, checks it
 * against that chain, drops like a worker (chroot, -u), enters
 * SANDBOX_SIGN and says it is ready; only then is the chain put in use.
 * Every worker is forked with a SOCK_SEQPACKET channel of its own, whose
 * other end the parent hands to the signer (SCM_RIGHTS): workers, forked
 * from a parent that never held the key, ask for the one signature a
 * handshake needs (signer.h). A replaced signer finishes with the
 * workers that still hold its channels, as those are retired, and exits
 * when the last one closes. d20d -i --tls starts one for its connection
 * the same way. */

#if KEYSEP
/* In a worker or -i: the handshake's signature, from the signer. */
static long
ask_signer(void *arg, unsigned hash_id, const unsigned char *hash,
    size_t hash_len, unsigned char *sig, size_t max)
{
	long n;

	/* as long as the connection may last: a signer busy with many
	 * handshakes is slow, not gone, and the alarm (-t) ends the wait */
	(void)arg;
	n = signer_ask(sign_fd, hash_id, hash, hash_len, sig, max,
	    (int)opt.deadline * 1000);
	sign_errno = n < 0 ? errno : 0;
	return n;
}
#define SIGN ask_signer

/* The signer's life, in a child of the parent (or of d20d -i) that holds
 * the chain just loaded. Never returns. */
static void
signer_main(int ctl)
{
	char err[TLS_ERRLEN];

	/* workers that are still busy need it after the parent stops:
	 * it leaves when their channels and its control socket are closed */
	forked(0);
	if (signer_ctl >= 0)
		close(signer_ctl);	/* the signer it replaces */
	if (mix_fd >= 0)
		close(mix_fd);
	if (opt.inetd) {	/* -i: the client's socket is not its business */
		close(0);
		close(1);
	}
	if (sig_pipe[0] >= 0) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		close(done_fd[0]);
		close(done_fd[1]);
	}
	(void)prctl(PR_SET_NAME, "d20d-signer", 0, 0, 0);	/* for ps */
	/* every handshake waits on this one process: a crowd of runnable
	 * workers must not starve it (root only; without, it stays level) */
	(void)setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0) - D20D_SIGNER_NICE);
	if (tls_server_load_key(opt.key, err) < 0) {
		(void)signer_hello_send(ctl, 0, err);
		_exit(EXIT_START);
	}
	tls_server_commit();
	if (drop_privileges() < 0 || sandbox_enter(SANDBOX_SIGN) < 0) {
		fmt(err, sizeof(err), "signer: cannot drop privileges or enter the "
		    "sandbox: %s", err_str(errno));
		(void)signer_hello_send(ctl, 0, err);
		_exit(EXIT_START);
	}
	/* from here on no log line: a write is outside its sandbox */
	(void)signer_hello_send(ctl, 1, NULL);
	_exit(signer_serve(ctl, tls_server_sign) == 0 ? EXIT_OK : EXIT_CONN);
}

/* Fork a signer for the chain just loaded (tls_server_load_chain) and
 * wait until it has the key. Returns its control socket, or -1 with a
 * reason (the child is then gone, or killed). */
static int
signer_start(pid_t *pid, char reason[SIGNER_REASON_MAX])
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		fmt(reason, SIGNER_REASON_MAX, "socketpair: %s", err_str(errno));
		return -1;
	}
	*pid = fork();
	if (*pid == 0) {
		close(sv[0]);
		signer_main(sv[1]);
	}
	close(sv[1]);
	if (*pid < 0) {
		fmt(reason, SIGNER_REASON_MAX, "fork: %s", err_str(errno));
		close(sv[0]);
		return -1;
	}
	if (signer_hello_wait(sv[0], D20D_SIGNER_START * 1000, reason) < 0) {
		kill(*pid, SIGKILL);
		close(sv[0]);
		return -1;
	}
	return sv[0];
}

/* The parent: put a new signer in place of the old one, for the chain
 * just loaded. Returns 0, or -1 with a reason (the old one stays). */
static int
signer_replace(char reason[SIGNER_REASON_MAX])
{
	pid_t pid;
	int fd = signer_start(&pid, reason);

	if (fd < 0)
		return -1;
	if (signer_ctl >= 0)
		close(signer_ctl);	/* it leaves once its workers have */
	signer_ctl = fd;
	signer_pid = pid;
	if (!opt.quiet)
		logline(LOG_INFO, "TLS key held by signer %ld", (long)pid);
	return 0;
}
#elif D20_TLS
#define SIGN tls_sign_here
#endif

/* SIGALRM, the deadline, for the life of a worker (or -i). */
static void
alarm_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: a blocked read returns */
	sigaction(SIGALRM, &sa, NULL);
}

/* A worker (or -i): one connection under one deadline, from the peer at
 * *peer (the parent's accept said who; NULL: ask the socket). Returns an
 * exit status. */
static int
handle(int rfd, int wfd, int tls, const struct sockaddr_storage *peer)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct conn c;
	enum http_status st;
	const uint8_t *a;
	int af;

	idle_now = 0;
	timed_out = 0;
	armed = 0;
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	c.rfd = rfd;
	c.wfd = wfd;
	c.tls = tls;
	if (peer)
		ss = *peer;
	else {
		memset(&ss, 0, sizeof(ss));
		(void)getpeername(rfd, (struct sockaddr *)&ss, &sl);
	}
	a = sa_addr(&ss, &af, c.peer);
	/* At most one timer call a connection, and none for most: plain
	 * HTTP in a pool worker arms its deadline only when a read or a write
	 * would wait (conn_read, conn_write), which with TCP_DEFER_ACCEPT and
	 * an answer that fits the socket's buffer it seldom does. TLS (a
	 * handshake always waits), -i, a balancer's PROXY header, and a
	 * worker whose timer an earlier connection left set arm it now; it
	 * replaces the earlier one, which on_alarm ignores meanwhile. */
	c.lazy = !tls && rfd == wfd && me && !pending && !is_trusted(af, a);
	if (!c.lazy)
		deadline_arm(&c, 1);
	if (confine() < 0) {
		logline(LOG_ERR, "cannot drop privileges or enter the sandbox: %s",
		    err_str(errno));
		return EXIT_CONN;
	}
	/* behind a balancer its PROXY header comes first, before TLS */
	if (is_trusted(af, a) && from_balancer(&c, af, a) < 0)
		return EXIT_CONN;
#if D20_TLS
	if (tls) {
		/* BearSSL's own generator, seeded fresh in this process */
		unsigned char seed[32];
		int r = -1;

		if (getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed))
			r = tls_server_start(rfd, wfd, seed, SIGN, NULL);
		memzero(seed, sizeof(seed));
		if (r < 0) {
			note.c.flags |= METRICS_TLS_FAILED;
			logline(LOG_ERR, "%s TLS: cannot start", c.peer);
			return EXIT_CONN;
		}
	}
#endif
	st = serve(&c);		/* it logs, once */
#if D20_TLS
	if (tls)
		tls_close();
#endif
	if (!tls && rfd == wfd && st != HTTP_OK)
		linger_close(rfd);
	return st ? EXIT_OK : EXIT_CONN;
}

/* ---- the parent: signals, address keys ---- */

static void
on_signal(int sig)
{
	int e = errno;

	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	else
		got_term = 1;
	/* wake poll; a full pipe already has a wake-up in it */
	(void)!write(sig_pipe[1], "", 1);
	errno = e;
}

/* The key that -C counts by: an IPv4 address, or an IPv6 /64 (sa_addr's
 * af and a). */
static void
addr_key(int af, const uint8_t *a, uint8_t key[9])
{
	memset(key, 0, 9);
	if (!a)
		return;
	key[0] = af == AF_INET6 ? 6 : 0;
	memcpy(key + 1, a, af == AF_INET6 ? 8 : 4);
}

/* ---- the pool: workers that serve one connection at a time ----
 *
 * Each worker is forked with a socketpair of its own (SOCK_SEQPACKET),
 * the listeners, and a slot in the page it shares with the parent. It
 * waits on the listeners with an epoll set of its own (EPOLLEXCLUSIVE:
 * a connection wakes one waiting worker, not all), accepts, counts the
 * connection against its client's address (-C) in its slot, serves it
 * with handle(), adds what it came to to the shared counters, and is
 * idle again; or, after a timeout or an error, or D20D_WORKER_CONNS
 * connections, it leaves. The parent keeps no connection: it forks a
 * worker when a connection waits and none is idle (a worker that takes
 * the last idle place wakes it through done_fd, and the parent then
 * watches the listeners until one is idle again), reaps, and retires.
 * To retire a worker the parent closes its end of the socketpair: the
 * worker sees the hang-up once it waits again, and exits. */

/* In a child just forked from the parent (a worker, the signer): the
 * parent's stop and reload signals are ignored, SIGCHLD is the default,
 * and the workers' socketpairs are closed (a worker's hang-up must not
 * wait for another process); so are the listeners, but in a worker. */
static void
forked(int worker)
{
	struct sigaction sa;
	unsigned long i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	for (i = 0; !worker && i < (unsigned long)nlisteners; i++)
		close(listeners[i].fd);
	for (i = 0; i < nslots; i++)
		if (pool[i].pid && pool[i].ctl >= 0)
			close(pool[i].ctl);
}

/* In a worker: whether it may be idle after the connection in hand (not
 * in -i mode, nor on its last connection), and whether it said what
 * became of it (tell). */
static int may_idle, told;

/* The slots in use, as the page says, bounded by the table: a worker may
 * have written it. */
static unsigned long
page_slots(void)
{
	unsigned long n = LOAD(sh->nslots);

	return n < D20D_CHILDREN_MAX ? n : D20D_CHILDREN_MAX;
}

/* Slots whose key counts against -C and equals key. */
static unsigned long
addr_count(const uint8_t key[9])
{
	unsigned long i, n = 0, slots = page_slots();

	for (i = 0; i < slots; i++)
		n += LOAD(sh->slot[i].counted) && memcmp(sh->slot[i].key, key, 9) == 0;
	return n;
}

/* In a worker: the connection in hand counts for key from now on, unless
 * that address already holds -C: then -1, and it counts for no one. One
 * worker counts at a time (the page's lock, a few microseconds), so that
 * of two connections at once exactly as many pass as fit under the cap.
 * A worker waiting for the lock sleeps a millisecond now and then; the
 * parent frees the lock of a worker that died holding it (reap). */
static int
count_as(const uint8_t key[9])
{
	uint32_t free, mine = (uint32_t)(me - sh->slot) + 1;
	unsigned long n;
	int r = -1;

	for (n = 1;; n++) {
		free = 0;
		if (__atomic_compare_exchange_n(&sh->lock, &free, mine, 0,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
		if (n % 64 == 0)
			poll(NULL, 0, 1);
	}
	if (addr_count(key) < opt.per_addr) {
		memcpy(me->key, key, 9);
		STORE(me->counted, 1);
		r = 0;
	}
	STORE(sh->lock, 0);
	return r;
}

/* In a worker: the connection no longer counts against its address; done
 * before the last write, so that a client that reconnects as soon as it
 * has its answer is not counted twice. */
static void
uncount(void)
{
	if (me)
		STORE(me->counted, 0);
}

/* Idle workers, retired ones aside. */
static unsigned long
idle_count(void)
{
	unsigned long i, n = 0, slots = page_slots();

	for (i = 0; i < slots; i++)
		n += LOAD(sh->slot[i].state) == SLOT_IDLE && !LOAD(sh->slot[i].retired);
	return n;
}

/* In a worker: the connection in hand is over for the pool. What it came
 * to goes into the shared counters, and the worker is idle again (idle)
 * or leaving. */
static void
tell(uint32_t idle)
{
	struct timespec now;
	uint64_t us;

	note.idle = idle;
	told = 1;
	if (!me)
		return;
	us = note.written - note.accepted;
	note.c.usec = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	metrics_count(&sh->stats, &note.c);
	uncount();
	clock_gettime(CLOCK_MONOTONIC, &now);
	me->idle_since = now.tv_sec;
	STORE(me->state, idle ? SLOT_IDLE : SLOT_GONE);
}

/* Called as soon as an answer has been written: the worker is idle again
 * before it logs and closes, so that the client, which sees the end of
 * its answer by Content-Length, cannot reconnect before the parent knows
 * and fork a worker for a connection this one can take. From here the
 * deadline is off: a worker that said it is idle must not be cut. */
static void
tell_idle(void)
{
	if (!may_idle || timed_out)	/* the deadline came first: this */
		return;			/* worker leaves */
	idle_now = 1;		/* on_alarm returns from here on */
	if (timed_out) {	/* ... or just before: it leaves, its grace */
		idle_now = 0;	/* armed by on_alarm and still bounded */
		return;
	}
	tell(1);
}

/* In a worker: wake the parent, why: 'I' (no worker is idle now), 'L'
 * (a connection's wake-up may have been lost). A datagram it may already
 * have a few of: then it looks anyway. */
static void
wake_parent(char why)
{
	(void)send(done_fd[1], &why, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* At the per-address cap: a 503 the worker can send without blocking (it
 * fits any socket buffer), never parsing a byte. What the client sent so
 * far (with TCP_DEFER_ACCEPT, its request) is read and dropped first, a
 * few kilobytes at most and without waiting: a close with unread bytes
 * sends a reset, which could destroy the 503 on its way. Returns 1 when
 * the 503 went out. */
static int
refuse(int fd, int tls, const char *peer)
{
	static const char body[] = "{\"error\":\"too many connections\"}\n";
	struct pollfd p = { fd, POLLIN, 0 };
	char out[4096];
	size_t n = 0;
	ssize_t r;
	int sent = 0;

	metrics_bump(&sh->stats, METRICS_REFUSED);
	while (n < 4 * sizeof(out) && poll(&p, 1, 0) == 1 &&
	    (r = read(fd, out, sizeof(out))) > 0)
		n += (size_t)r;
	n = http_response_head(out, sizeof(out) - sizeof(body), HTTP_SERVICE_UNAVAILABLE,
	    "application/json", sizeof(body) - 1, "Retry-After: 1\r\n");
	memcpy(out + n, body, sizeof(body) - 1);
	if (!tls && n > 0 && send(fd, out, n + sizeof(body) - 1,
	    MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
		sent = 1;
	if (!opt.quiet)
		logline(LOG_INFO, "%s - - 503 0 0ms", peer);
	return sent;
}

/* In a worker: the counters for the scrape in hand, with the workers
 * busy (this one too) and idle now. */
static void
snapshot(void)
{
	const uint64_t *from = (const uint64_t *)(const void *)&sh->stats;
	uint64_t *to = (uint64_t *)(void *)&stats;
	unsigned long i, slots = page_slots();
	uint32_t st;

	for (i = 0; i < sizeof(stats) / sizeof(uint64_t); i++)
		to[i] = __atomic_load_n(from + i, __ATOMIC_RELAXED);
	stats.n[METRICS_BUSY] = stats.n[METRICS_IDLE] = 0;
	for (i = 0; i < slots; i++) {
		st = LOAD(sh->slot[i].state);
		if (st == SLOT_BUSY)
			stats.n[METRICS_BUSY]++;
		else if (st == SLOT_IDLE && !LOAD(sh->slot[i].retired))
			stats.n[METRICS_IDLE]++;
	}
}

/* In a worker: accept one connection on l and serve it. Returns 1 when
 * the worker leaves after it. */
static int
take(const struct listener *l, unsigned long served)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char peer[IP_TEXT_MAX];
	const uint8_t *a;
	uint8_t key[9];
	uint64_t t;
	int fd, af;

	/* all of it goes to handle(), beyond the sl bytes accept fills */
	memset(&ss, 0, sizeof(ss));
	/* the call itself, as the sandbox lists it: glibc (the test builds)
	 * declares accept4 only under _GNU_SOURCE */
	fd = (int)syscall(SYS_accept4, l->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0) {
		/* out of descriptors or memory: the listener stays readable,
		 * so pause rather than spin */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			poll(NULL, 0, 100);
		return 0;	/* or another worker took it */
	}
	t = now_us();
	a = sa_addr(&ss, &af, peer);
	addr_key(af, a, key);
	/* a balancer's connection counts for its client, once its PROXY
	 * header says who that is (from_balancer); until then, for no one */
	if (!is_trusted(af, a) && count_as(key) < 0) {
		struct metrics_conn rc = { 0, 0, HTTP_SERVICE_UNAVAILABLE, METRICS_OTHER, 0 };

		if (refuse(fd, l->tls, peer)) {
			rc.usec = (uint32_t)(now_us() - t);
			metrics_count(&sh->stats, &rc);
		}
		close(fd);
		return 0;
	}
	STORE(me->state, SLOT_BUSY);
	if (idle_count() == 0)
		wake_parent('I');
	/* The last connection says it is not idle, so it never takes one
	 * it would not serve. */
	may_idle = served + 1 < D20D_WORKER_CONNS;
	told = 0;
	memset(&note.idle, 0, sizeof(note) - offsetof(struct done, idle));
	note.accepted = t;
	scraping = l->metrics;
	if (scraping)
		snapshot();
	(void)handle(fd, fd, l->tls, &ss);
	close(fd);
	/* no answer went out, or a timeout (the process may have been cut
	 * anywhere), or the last connection: counted, and it leaves */
	if (!told)
		tell(0);
	return !note.idle;
}

/* A worker's life: its epoll set, then the privileges dropped before any
 * client byte, then one connection after another, each under its own
 * deadline and with its own DRBG (fresh_bytes), nothing kept from one to
 * the next but the code. */
static void
worker_run(int ctl, uint32_t slot)
{
	struct epoll_event ev[D20D_LISTEN_MAX + 1];
	unsigned long served = 0;
	int ep, i, n, k, leave = 0;

	me = &sh->slot[slot];
	note.pid = getpid();
	alarm_handler();
	/* for ps and perf: the parent stays d20d, the signer d20d-signer */
	(void)prctl(PR_SET_NAME, "d20d-worker", 0, 0, 0);

	ep = epoll_create1(EPOLL_CLOEXEC);
	memset(ev, 0, sizeof(ev));
	ev[0].events = EPOLLIN;
	ev[0].data.u32 = D20D_LISTEN_MAX;	/* the socketpair */
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &ev[0]) < 0)
		leave = 1;
	for (i = 0; !leave && i < nlisteners; i++) {
		ev[0].events = EPOLLIN | EPOLLEXCLUSIVE;
		ev[0].data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, listeners[i].fd, &ev[0]) < 0)
			leave = 1;
	}
	if (leave) {
		logline(LOG_ERR, "epoll: %s", err_str(errno));
		_exit(EXIT_CONN);
	}
	if (confine() < 0) {
		logline(LOG_ERR, "cannot drop privileges or enter the sandbox: %s",
		    err_str(errno));
		_exit(EXIT_CONN);
	}
	while (!leave && served < D20D_WORKER_CONNS) {
		n = epoll_wait(ep, ev, nlisteners + 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* retired: it leaves before any connection */
		for (k = 0; k < n && ev[k].data.u32 != D20D_LISTEN_MAX; k++)
			;
		if (k < n) {
			leave = n > 1;
			break;
		}
		for (k = 0; k < n && !leave; k++, served++)
			leave = take(&listeners[ev[k].data.u32 % D20D_LISTEN_MAX], served);
		leave |= served >= D20D_WORKER_CONNS;
	}
	/* A connection's wake-up that came to this worker alone would be
	 * lost with it: the parent looks at the listeners once more. */
	STORE(me->state, SLOT_GONE);
	if (leave)
		wake_parent('L');
	_exit(EXIT_OK);
}

/* Fork a worker into a free slot, idle. Returns the slot, or -1. */
static long
spawn(void)
{
	struct timespec now;
	unsigned long slot;
	struct slot *s;
	int sv[2];
	pid_t pid;
#if KEYSEP
	int ch[2] = { -1, -1 };
#endif

	for (slot = 0; slot < nslots && pool[slot].pid; slot++)
		;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		logline(LOG_ERR, "socketpair: %s", err_str(errno));
		return -1;
	}
#if KEYSEP
	/* its channel to the signer (without one, its handshakes fail) */
	if (opt.cert && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch) < 0)
		ch[0] = ch[1] = -1;
#endif
	clock_gettime(CLOCK_MONOTONIC, &now);
	s = &sh->slot[slot];
	memset(s, 0, sizeof(*s));
	s->idle_since = now.tv_sec;
	STORE(s->state, SLOT_IDLE);
	if (slot == nslots)
		STORE(sh->nslots, (uint32_t)slot + 1);
	pid = fork();
	if (pid == 0) {
		/* a stopping parent retires its workers: they finish the
		 * connection in hand by its own deadline */
		forked(1);
		close(sv[0]);
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		close(done_fd[0]);
#if KEYSEP
		/* the signer's control socket would let a worker hand it
		 * descriptors: only the parent keeps it */
		if (signer_ctl >= 0)
			close(signer_ctl);
		if (ch[1] >= 0)
			close(ch[1]);
		sign_fd = ch[0];
#endif
		worker_run(sv[1], (uint32_t)slot);
	}
	close(sv[1]);
#if KEYSEP
	if (ch[1] >= 0 && pid > 0 && (signer_ctl < 0 || signer_give(signer_ctl, ch[1]) < 0))
		logline(LOG_ERR, "worker %ld has no signer: its TLS handshakes fail",
		    (long)pid);
	if (ch[0] >= 0) {
		close(ch[0]);
		close(ch[1]);
	}
#endif
	if (pid < 0) {
		logline(LOG_ERR, "fork: %s", err_str(errno));
		STORE(s->state, SLOT_FREE);
		close(sv[0]);
		return -1;
	}
	pool[slot].pid = pid;
	pool[slot].ctl = sv[0];
	nslots += slot == nslots;
	nworkers++;
	return (long)slot;
}

/* Close the worker's socketpair: idle, it exits now; busy, after its
 * connection. */
static void
retire(unsigned long i)
{
	if (pool[i].ctl >= 0)
		close(pool[i].ctl);
	pool[i].ctl = -1;
	STORE(sh->slot[i].retired, 1);
}

static void
retire_all(void)
{
	unsigned long i;

	for (i = 0; i < nslots; i++)
		if (pool[i].pid)
			retire(i);
}

/* Workers idle for D20D_WORKER_IDLE seconds leave: the pool shrinks back
 * after a burst. Looked at once a second at most. */
static void
retire_idle(void)
{
	static time_t last;
	struct timespec now;
	unsigned long i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec == last)
		return;
	last = now.tv_sec;
	for (i = 0; i < nslots; i++)
		if (pool[i].pid && pool[i].ctl >= 0 &&
		    LOAD(sh->slot[i].state) == SLOT_IDLE &&
		    now.tv_sec - sh->slot[i].idle_since >= D20D_WORKER_IDLE)
			retire(i);
}

/* Set by reap: a worker is gone, and with it maybe a connection's wake-up
 * (see worker_run); the parent looks at the listeners once more. */
static int reaped;

static void
reap(void)
{
	unsigned long i;
	pid_t pid;
	int status;

	got_chld = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
#if KEYSEP
		if (pid == signer_pid) {
			/* the workers' channels died with it: new workers get
			 * channels to the next one, which run() starts */
			if (WIFSIGNALED(status))
				logline(LOG_ERR, "signer %ld killed by signal %d%s", (long)pid,
				    WTERMSIG(status), WTERMSIG(status) == SIGSYS ?
				    " (SIGSYS: a system call outside its sandbox)" : "");
			else
				logline(LOG_ERR, "signer %ld exited with status %d",
				    (long)pid, WEXITSTATUS(status));
			signer_pid = 0;
			close(signer_ctl);
			signer_ctl = -1;
			retire_all();
			continue;
		}
#endif
		/* a call outside the sandbox, or a crash: say so (SIGKILL and
		 * SIGTERM come from an operator) */
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL &&
		    WTERMSIG(status) != SIGTERM)
			logline(LOG_ERR, "worker %ld killed by signal %d%s", (long)pid,
			    WTERMSIG(status), WTERMSIG(status) == SIGSYS ?
			    " (SIGSYS: a system call outside its sandbox)" : "");
		for (i = 0; i < nslots; i++)
			if (pool[i].pid == pid) {
				/* gone in the middle of a connection without a
				 * word: killed, or cut by its deadline's grace */
				if (LOAD(sh->slot[i].state) == SLOT_BUSY)
					metrics_bump(&sh->stats, WIFSIGNALED(status) ?
					    METRICS_KILLED : METRICS_DEADLINES);
				retire(i);
				nworkers--;
				memset(&pool[i], 0, sizeof(pool[i]));
				pool[i].ctl = -1;
				STORE(sh->slot[i].counted, 0);
				STORE(sh->slot[i].state, SLOT_FREE);
				/* killed while it counted: the others wait */
				__atomic_compare_exchange_n(&sh->lock, &(uint32_t){ (uint32_t)i + 1 },
				    0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
				reaped = 1;
				break;
			}
	}
}

/* 1 when the parent should watch the listeners: room for another worker,
 * and no idle one to take a connection, or a worker's word that a
 * connection's wake-up may have been lost (lost). */
static int
watch(int lost)
{
	return nworkers < opt.children && (lost || idle_count() == 0);
}

/* ---- behind a balancer: the PROXY header ----
 *
 * A worker reads the header of a connection from a --proxy-from peer,
 * and counts the connection against the client it names from then on,
 * instead of against none (take), or answers 503 when that client is at
 * -C. */

/* A connection from a balancer: its PROXY header, read without a byte
 * past it, names the client, which is c's peer from here on. Returns 0
 * to serve, -1 when the connection was refused (logged) or left. */
static int
from_balancer(struct conn *c, int af, const uint8_t *a)
{
	uint8_t buf[PROXYHDR_MAX];
	char client[IP_TEXT_MAX], balancer[IP_TEXT_MAX];
	struct proxyhdr h;
	uint8_t key[9];
	size_t have = 0;
	ssize_t r = 1;
	long n;

	while ((n = proxyhdr_need(buf, have)) > 0) {
		r = read(c->rfd, buf + have, (size_t)n);
		if (r < 0 && errno == EINTR && !timed_out)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	if (n != 0 || proxyhdr_parse(&h, buf, have) <= 0) {
		if (have || r < 0)	/* one that connected and left says nothing */
			logline(LOG_ERR, "%s %s PROXY header: closed", c->peer,
			    timed_out ? "no whole" : "bad");
		return -1;
	}
	/* LOCAL, UNKNOWN: the balancer's own connection (a health check) */
	if (h.af != AF_UNSPEC) {
		af = h.af;
		a = h.src;
		memcpy(balancer, c->peer, sizeof(balancer));
		ip_format(client, af, a);
		fmt(c->peer, sizeof(c->peer), "%s via %s", client, balancer);
	}
	if (!me)
		return 0;	/* -i: no count to keep */
	addr_key(af, a, key);
	if (count_as(key) == 0)
		return 0;
	/* counted as a refusal at accept is: a 503 request when it went out */
	if (refuse(c->wfd, c->tls, c->peer)) {
		note.written = now_us();
		note.c.code = HTTP_SERVICE_UNAVAILABLE;
		note.c.proto = METRICS_OTHER;
	}
	tell_idle();
	if (!c->tls)
		linger_close(c->rfd);
	return -1;
}

/* Returns 0 when a new certificate (and a signer with its key) is in
 * place. why: "SIGHUP", or the signer's restart. */
static int
reload(const char *why)
{
#if D20_TLS
	char err[TLS_ERRLEN];

	if (!opt.cert)
		return -1;
#if KEYSEP
	if (tls_server_load_chain(opt.cert, err) < 0 || signer_replace(err) < 0) {
		logline(LOG_ERR, "%s: keeping the old certificate: %s", why, err);
		return -1;
	}
	tls_server_commit();
#else
	if (tls_server_load(opt.cert, opt.key, err) < 0) {
		logline(LOG_ERR, "%s: keeping the old certificate: %s", why, err);
		return -1;
	}
#endif
	if (!opt.quiet)
		logline(LOG_INFO, "%s: reloaded %s", why, opt.cert);
	return 0;
#else
	(void)why;
	return -1;
#endif
}

#if KEYSEP
/* A signer that died is replaced, from the files as they are now; one
 * that keeps failing, less and less often (1 s, doubled up to a minute). */
static void
signer_revive(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (signer_pid || !opt.cert || now.tv_sec < signer_next)
		return;
	if (reload("signer restart") == 0) {
		signer_backoff = 0;
		signer_next = now.tv_sec + D20D_SIGNER_RETRY;
		retire_all();
		return;
	}
	signer_backoff = signer_backoff ? signer_backoff * 2 : D20D_SIGNER_RETRY;
	if (signer_backoff > 60)
		signer_backoff = 60;
	signer_next = now.tv_sec + (time_t)signer_backoff;
}
#endif

/* The pool until SIGTERM or SIGINT, then stop listening, retire the
 * workers, let the busy ones finish by their deadline (plus the grace to
 * send a 408) and kill what is left. */
static void
run(void)
{
	struct pollfd pfd[D20D_LISTEN_MAX + 2];
	struct timespec stop = { 0, 0 }, now;
	char drain[64];
	unsigned long j;
	int i, n, ready, open = 1, lost = 0, was, waiting;

	while (open || nworkers > 0) {
		if (got_hup) {
			got_hup = 0;
			/* workers carry the certificate they were forked with */
			if (reload("SIGHUP") == 0)
				retire_all();
		}
#if KEYSEP
		if (open)
			signer_revive();
#endif
		if (got_term && open) {
			open = 0;
			retire_all();
			/* the workers hold the listeners too: shut down, they
			 * take no more connections (a systemd socket stays,
			 * its queue for the next start) */
			for (i = 0; i < nlisteners; i++) {
				if (!listeners[i].activated)
					shutdown(listeners[i].fd, SHUT_RDWR);
				close(listeners[i].fd);
			}
#if KEYSEP
			/* it serves the busy workers to their end, then leaves */
			if (signer_ctl >= 0)
				close(signer_ctl);
			signer_ctl = -1;
			signer_pid = 0;
#endif
			clock_gettime(CLOCK_MONOTONIC, &stop);
			stop.tv_sec += (time_t)opt.deadline + D20D_WRITE_GRACE + 1;
		}
		pfd[0].fd = sig_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = done_fd[0];
		pfd[1].events = POLLIN;
		n = 2;
		/* the listeners only while no worker could take a connection
		 * and another may be forked: the parent wakes for no other */
		for (i = 0; open && watch(lost) && i < nlisteners; i++, n++) {
			pfd[n].fd = listeners[i].fd;
			pfd[n].events = POLLIN;
		}
		was = lost;
		lost = 0;
		ready = poll(pfd, (nfds_t)n, 1000);
		if (ready < 0 && errno != EINTR)
			break;
		/* only what poll saw: these run once per wake-up */
		while (ready > 0 && pfd[0].revents && read(sig_pipe[0], drain,
		    sizeof(drain)) > 0)
			;
		while (ready > 0 && pfd[1].revents && read(done_fd[0], drain,
		    sizeof(drain)) > 0)
			lost |= drain[0] == 'L';
		if (got_chld)
			reap();
		lost |= reaped;
		reaped = 0;
		if (!open) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			for (j = 0; now.tv_sec >= stop.tv_sec && j < nslots; j++)
				if (pool[j].pid)
					kill(pool[j].pid, SIGKILL);
			if (now.tv_sec >= stop.tv_sec)
				stop.tv_sec = now.tv_sec + 5;
			continue;
		}
		retire_idle();
		if (ready <= 0 || got_term)
			continue;	/* revents are not set */
		/* a connection waits: a worker for it, unless one is idle
		 * again by now or took it (looked at once more, at once) */
		for (waiting = 0, i = 2; i < n; i++)
			waiting |= pfd[i].revents & POLLIN;
		if (waiting && watch(was) && poll(pfd + 2, (nfds_t)(n - 2), 0) > 0 &&
		    spawn() < 0)
			poll(NULL, 0, 100);	/* out of processes or memory */
	}
}

/* ---- start-up ---- */

static unsigned long
number(const char *s, const char *what, long min, long max)
{
	long v;

	if (parse_long(s, min, max, &v) < 0)
		die(EXIT_USAGE, "%s %s: expected a number from %ld to %ld",
		    what, s, min, max);
	return (unsigned long)v;
}

/* The address of socket fd as text and its port, or -1. */
static int
sock_name(int fd, char a[IP_TEXT_MAX])
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const struct sockaddr_in6 *s6 = (const void *)&ss;
	const struct sockaddr_in *s4 = (const void *)&ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	if (ss.ss_family == AF_INET6) {
		ip_format(a, AF_INET6, &s6->sin6_addr);
		return ntohs(s6->sin6_port);
	}
	if (ss.ss_family != AF_INET)
		return -1;
	ip_format(a, AF_INET, &s4->sin_addr);
	return ntohs(s4->sin_port);
}

/* Bind and listen: kind 0 for -l, 1 for -L, 2 for -M (never on a port
 * that serves entropy, so bound last). */
static int
listen_on(const char *spec, int kind)
{
	static const char flags[3][3] = { "-l", "-L", "-M" };
	char a[IP_TEXT_MAX];
	char host[INET6_ADDRSTRLEN];
	const char *colon = strrchr(spec, ':'), *h = spec;
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	struct sockaddr_in *s4 = (void *)&ss;
	socklen_t sl;
	size_t hl;
	int fd, one = 1, port, i;

	if (nlisteners >= D20D_LISTEN_MAX)
		die(EXIT_USAGE, "more than %d listeners", D20D_LISTEN_MAX);
	if (!colon || colon == spec)
		die(EXIT_USAGE, "%s: expected HOST:PORT or [IPV6]:PORT", spec);
	port = (int)number(colon + 1, flags[kind], 0, 65535);
	for (i = 0; kind == 2 && i < nlisteners; i++)
		if (sock_name(listeners[i].fd, a) == port)
			die(EXIT_USAGE, "-M %s: port %d serves entropy", spec, port);
	hl = (size_t)(colon - spec);
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']')
		h++, hl -= 2;
	if (hl >= sizeof(host))
		die(EXIT_USAGE, "%s: bad address", spec);
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&ss, 0, sizeof(ss));
	if (h == spec && ip_parse(AF_INET, host, &s4->sin_addr) == 0) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (h != spec && ip_parse(AF_INET6, host, &s6->sin6_addr) == 0) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		die(EXIT_USAGE, "%s: expected a numeric IPv4 address or [IPv6]", spec);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && ss.ss_family == AF_INET6 && errno == EAFNOSUPPORT)
		return -1;	/* a kernel without IPv6: the default [::] is skipped */
	if (fd < 0)
		die(EXIT_START, "socket: %s", err_str(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] must not take the IPv4 port from 0.0.0.0 */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* a worker wakes for a connection once its first bytes are in: it
	 * never waits in read for a request on its way (one sleep and wake-up
	 * less per connection, as nginx's "deferred"); one that sends
	 * nothing is accepted after about D20D_DEFER_ACCEPT seconds anyway */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &(int){ D20D_DEFER_ACCEPT },
	    sizeof(int));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, D20D_BACKLOG) < 0)
		die(EXIT_START, "%s %s: %s", flags[kind], spec, err_str(errno));
	listeners[nlisteners].fd = fd;
	listeners[nlisteners].tls = kind == 1;
	listeners[nlisteners].metrics = kind == 2;
	nlisteners++;
	return fd;
}

/* systemd socket activation: listening sockets from descriptor 3 on,
 * TLS with --tls or when named "tls" (FileDescriptorName=tls). */
static void
activated(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	long n, i, p;
	size_t k;

	if (!pid || !fds || parse_long(pid, 1, 99999999, &p) < 0 ||
	    p != (long)getpid())
		return;
	if (parse_long(fds, 1, D20D_LISTEN_MAX - nlisteners, &n) < 0)
		die(EXIT_START, "LISTEN_FDS=%s: expected 1 to %d", fds, D20D_LISTEN_MAX);
	for (i = 0; i < n; i++) {
		for (k = 0; names && names[k] && names[k] != ':'; k++)
			;
		listeners[nlisteners].fd = 3 + (int)i;
		listeners[nlisteners].tls = opt.tls ||
		    (names && k == 3 && strncmp(names, "tls", 3) == 0);
		listeners[nlisteners].activated = 1;
		fcntl(3 + (int)i, F_SETFL, fcntl(3 + (int)i, F_GETFL) | O_NONBLOCK);
		fcntl(3 + (int)i, F_SETFD, FD_CLOEXEC);
		nlisteners++;
		if (names)
			names = names[k] ? names + k + 1 : NULL;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

static void
show_listeners(void)
{
	char a[IP_TEXT_MAX];
	int i, port, v6;

	for (i = 0; i < nlisteners && !opt.quiet; i++) {
		if ((port = sock_name(listeners[i].fd, a)) < 0)
			continue;
		v6 = strchr(a, ':') != NULL;
		logline(LOG_INFO, "listening on %s%s%s:%d (%s)", v6 ? "[" : "", a,
		    v6 ? "]" : "", port, listeners[i].tls ? "https" :
		    listeners[i].metrics ? "metrics" : "http");
	}
}

/* One line of /etc/passwd, "name:password:uid:gid:...": 1 and the ids
 * when it is user's. */
static int
passwd_line(char *line, const char *user, uid_t *uid, gid_t *gid)
{
	char *field[4], *p = line;
	long u, g;
	int k;

	for (k = 0; k < 4; k++) {
		field[k] = p;
		p += strcspn(p, ":");
		if (*p == '\0' && k < 3)
			return 0;
		*p++ = '\0';
	}
	if (strcmp(field[0], user) != 0 ||
	    parse_long(field[2], 0, 99999999, &u) < 0 ||
	    parse_long(field[3], 0, 99999999, &g) < 0)
		return 0;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 1;
}

/* -u USER's ids from /etc/passwd: d20d is static, so there is no NSS;
 * a line longer than the buffer is skipped. Returns 0, or -1. */
static int
lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
	char buf[1024], *nl;
	size_t have = 0;
	ssize_t r = 1;
	int fd, skip = 0, found = 0;

	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (!found && (r > 0 || have > 0)) {
		if (r > 0) {
			r = read(fd, buf + have, sizeof(buf) - 1 - have);
			if (r < 0 && errno == EINTR) {
				r = 1;
				continue;
			}
			have += r > 0 ? (size_t)r : 0;
		}
		buf[have] = '\0';
		nl = memchr(buf, '\n', have);
		if (!nl && r > 0 && have < sizeof(buf) - 1)
			continue;	/* read the rest of the line */
		if (!nl && r > 0) {
			have = 0;	/* too long: drop it up to its end */
			skip = 1;
			continue;
		}
		if (nl)
			*nl = '\0';
		found = !skip && passwd_line(buf, user, uid, gid);
		skip = 0;
		if (!nl)
			break;
		have -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, have);
	}
	close(fd);
	return found ? 0 : -1;
}

/* 1 when directory fd holds nothing but "." and "..", 0 when it holds
 * more, -1 on an error (getdents64 directly: opendir would allocate). */
static int
dir_empty(int fd)
{
	union {
		char b[1024];
		uint64_t align;
	} u;
	unsigned short reclen;
	const char *name;
	long n, off;

	while ((n = syscall(SYS_getdents64, fd, u.b, sizeof(u.b))) > 0)
		for (off = 0; off < n; off += reclen) {
			/* d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name */
			memcpy(&reclen, u.b + off + 16, sizeof(reclen));
			name = u.b + off + 19;
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
				return 0;
		}
	return n < 0 ? -1 : 1;
}

/* Started as root: who to serve as, and an empty directory to chroot to. */
static void
setup_root(void)
{
	struct stat st;
	int fd, empty;

	if (lookup_user(opt.user, &run_uid, &run_gid) < 0)
		die(EXIT_START, "-u %s: no such user in /etc/passwd", opt.user);
	if (run_uid == 0 || run_gid == 0)
		die(EXIT_START, "-u %s: refusing to serve as root", opt.user);
	if (mkdir(opt.root, 0555) < 0 && errno != EEXIST)
		die(EXIT_START, "-r %s: %s", opt.root, err_str(errno));
	/* Checked and kept by descriptor: workers chroot to this very
	 * directory, whatever is renamed or linked at its path later. */
	fd = open(opt.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOTDIR)
		die(EXIT_START, "-r %s: not a directory", opt.root);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(EXIT_START, "-r %s: %s", opt.root, err_str(errno));
	if (st.st_uid != 0 || (st.st_mode & 022))
		die(EXIT_START, "-r %s: must be owned by root and not writable "
		    "by others", opt.root);
	if ((empty = dir_empty(fd)) < 0)
		die(EXIT_START, "-r %s: %s", opt.root, err_str(errno));
	if (!empty)
		die(EXIT_START, "-r %s: not empty", opt.root);
	root_fd = fd;
	as_root = 1;
}

static void
daemonize(void)
{
	int fd;

	switch (fork()) {
	case -1:
		die(EXIT_START, "fork: %s", err_str(errno));
	case 0:
		break;
	default:
		_exit(EXIT_OK);
	}
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		die(EXIT_START, "/dev/null: %s", err_str(errno));
	dup2(fd, 0);
	dup2(fd, 1);
	if (opt.syslog)
		dup2(fd, 2);	/* without -S, stderr stays where the log goes */
	if (fd > 2)
		close(fd);
}

static void
write_pidfile(void)
{
	char line[32];
	size_t n;
	int fd;

	fd = open(opt.pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	n = fmt(line, sizeof(line), "%ld\n", (long)getpid());
	if (fd < 0 || write_full(fd, line, n) < 0)
		die(EXIT_START, "-p %s: %s", opt.pidfile, err_str(errno));
	close(fd);
}

static const struct arg_opt options[] = {
	{ 'c', 1, NULL }, { 'C', 1, NULL }, { 'd', 0, NULL }, { 'i', 0, NULL },
	{ 'l', 1, NULL }, { 'L', 1, NULL }, { 'm', 0, "mix" }, { 'p', 1, NULL },
	{ 'q', 0, NULL }, { 'r', 1, NULL }, { 'S', 0, NULL }, { 't', 1, NULL },
	{ 'u', 1, NULL }, { 'M', 1, NULL }, { 'A', 1, "cert" }, { 'K', 1, "key" },
	{ 'T', 0, "tls" }, { 'h', 0, "help" }, { 'V', 0, "version" },
	{ 'P', 1, "proxy-from" },
};
#define SHORTS "cCdhilLmMpqrStuV"

static const char *plain[D20D_LISTEN_MAX], *secure[D20D_LISTEN_MAX];
static int nplain, nsecure;

static void
usage_error(const char *what, const char *arg)
{
	char line[128];
	size_t n;

	n = fmt(line, sizeof(line), "d20d: %s: %s\n", what, arg);
	(void)write_full(2, line, n);
	(void)write_full(2, usage, sizeof(usage) - 1);
	exit(EXIT_USAGE);
}

static void
set_option(int c, const char *val)
{
	switch (c) {
	case 0: usage_error("unexpected argument", val); break;
	case 'c': opt.children = number(val, "-c", 1, D20D_CHILDREN_MAX); break;
	case 'C': opt.per_addr = number(val, "-C", 1, D20D_CHILDREN_MAX); break;
	case 't': opt.deadline = number(val, "-t", 1, D20D_DEADLINE_MAX); break;
	case 'd': opt.daemon = 1; break;
	case 'i': opt.inetd = 1; break;
	case 'm': opt.mix = 1; break;
	case 'q': opt.quiet = 1; break;
	case 'S': opt.syslog = 1; break;
	case 'p': opt.pidfile = val; break;
	case 'r': opt.root = val; break;
	case 'u': opt.user = val; break;
	case 'M': opt.metrics = val; break;
	case 'A': opt.cert = val; break;
	case 'K': opt.key = val; break;
	case 'T': opt.tls = 1; break;
	case 'P':
		if (ntrusted >= D20D_PROXY_FROM_MAX ||
		    proxyhdr_net_parse(&trusted[ntrusted++], val) < 0)
			die(EXIT_USAGE, "--proxy-from %s: expected ADDR/PREFIX, at most %d",
			    val, D20D_PROXY_FROM_MAX);
		break;
	case 'l':
	case 'L':
		if (nplain + nsecure >= D20D_LISTEN_MAX)
			die(EXIT_USAGE, "more than %d listeners", D20D_LISTEN_MAX);
		if (c == 'l')
			plain[nplain++] = val;
		else
			secure[nsecure++] = val;
		break;
	case 'h':
		(void)write_full(1, usage, sizeof(usage) - 1);
		exit(EXIT_OK);
	case 'V':
		(void)write_full(1, "d20d " VERSION "\n", sizeof("d20d " VERSION "\n") - 1);
		exit(EXIT_OK);
	}
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct rlimit rl;
	int i;
#if D20_TLS
	char err[TLS_ERRLEN];
#endif

	args_parse(argc, argv, options, sizeof(options) / sizeof(options[0]),
	    SHORTS, set_option, usage_error);
#if !D20_TLS
	if (nsecure || opt.tls || opt.cert || opt.key)
		die(EXIT_USAGE, "built without TLS (TLS=0): -L, --tls, --cert and "
		    "--key are not available");
#else
	if ((nsecure || opt.tls) && (!opt.cert || !opt.key))
		die(EXIT_USAGE, "-L and --tls need --cert and --key");
	if ((opt.cert || opt.key) && !(opt.cert && opt.key))
		die(EXIT_USAGE, "--cert and --key go together");
#endif
	if (opt.inetd && (nplain || nsecure || opt.daemon || opt.metrics))
		die(EXIT_USAGE, "-i serves stdin: no -l, -L, -M or -d");

	signal(SIGPIPE, SIG_IGN);
	if (opt.syslog)
		log_open();
	if (geteuid() == 0)
		setup_root();
	if (opt.mix && (mix_fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC)) < 0)
		die(EXIT_START, "--mix: /dev/urandom: %s", err_str(errno));
#if KEYSEP
	/* the chain only: the key is read by the signer (see "the signer") */
	if (opt.cert && tls_server_load_chain(opt.cert, err) < 0)
		die(EXIT_START, "%s", err);
#elif D20_TLS
	if (opt.cert && tls_server_load(opt.cert, opt.key, err) < 0)
		die(EXIT_START, "%s", err);
#endif
	if (opt.inetd) {
		/* inetd and systemd's Accept=yes may hand the socket over as
		 * stderr too: log lines must not land in the answer */
		struct stat s0, s2;

		if (!opt.syslog && fstat(0, &s0) == 0 && fstat(2, &s2) == 0 &&
		    s0.st_dev == s2.st_dev && s0.st_ino == s2.st_ino)
			opt.quiet = 2;
#if KEYSEP
		/* one signer for this one connection: it leaves with us */
		if (opt.tls) {
			pid_t pid;

			sign_fd = signer_start(&pid, err);
			if (sign_fd < 0)
				die(EXIT_START, "%s", err);
			tls_server_commit();
		}
#endif
		alarm_handler();
		return handle(0, 1, opt.tls, NULL);
	}

	/* choose the AES implementation once, here, not in every worker */
	(void)aes_get_impl();
#if D20_TLS
	(void)sha256_class();	/* the CPU asked once, for every worker */
#endif
	/* the parent holds a socketpair per worker besides the listeners and
	 * the connection in hand. prlimit64 itself: musl's setrlimit() first
	 * stops every other thread, and there is none here. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < opt.children + 64) {
		rl.rlim_cur = rl.rlim_max < opt.children + 64 ? rl.rlim_max : opt.children + 64;
		(void)syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL);
	}
	activated();
	for (i = 0; i < nplain; i++)
		listen_on(plain[i], 0);
	for (i = 0; i < nsecure; i++)
		listen_on(secure[i], 1);
	if (nlisteners == 0) {
		listen_on("0.0.0.0:" D20D_PORT, 0);
		listen_on("[::]:" D20D_PORT, 0);
	}
	if (opt.metrics)
		listen_on(opt.metrics, 2);
#if D20_TLS
	/* the table of base-point multiples for each handshake's X25519 key
	 * pair, when a listener speaks TLS (-L, or a systemd socket with
	 * --tls or named "tls"): made once, shared by every worker (-i makes
	 * one key pair, for which the ladder is cheaper) */
	for (i = 0; i < nlisteners; i++)
		if (listeners[i].tls) {
			x25519_base_init();
			break;
		}
#endif
	/* the pool's page, shared by every worker forked from here on */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (sh == MAP_FAILED) {
		sh = NULL;
		die(EXIT_START, "mmap: %s", err_str(errno));
	}
	sh->stats.n[METRICS_START] = (uint64_t)time(NULL);

	if (pipe(sig_pipe) < 0)
		die(EXIT_START, "pipe: %s", err_str(errno));
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, done_fd) < 0)
		die(EXIT_START, "socketpair: %s", err_str(errno));
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	fcntl(done_fd[0], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

#if KEYSEP
	/* the signer is this process's child: with -d, the one started here
	 * only shows the caller a bad key (it leaves with the process that
	 * daemonize ends), and the daemon starts its own */
	if (opt.cert && signer_replace(err) < 0)
		die(EXIT_START, "%s", err);
	if (opt.daemon)
		daemonize();
	if (opt.cert && opt.daemon && signer_replace(err) < 0)
		die(EXIT_START, "%s", err);
	if (opt.cert)
		tls_server_commit();
#else
	if (opt.daemon)
		daemonize();
#endif
	if (opt.pidfile)
		write_pidfile();
	/* With nothing to reload on SIGHUP, the parent needs no file and no
	 * root either: it drops here, once, and its workers inherit that.
	 * With a certificate it stays root, unchrooted, to reread it; it
	 * never reads from a client, and each worker drops as it starts. */
	if (!opt.cert && drop_privileges() < 0)
		die(EXIT_START, "cannot drop privileges: %s", err_str(errno));
	show_listeners();
	run();
	if (opt.pidfile)
		(void)unlink(opt.pidfile);	/* fails once dropped and chrooted */
	if (!opt.quiet)
		logline(LOG_INFO, "stopped");
	return EXIT_OK;
}
