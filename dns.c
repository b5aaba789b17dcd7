/* SPDX-License-Identifier: MIT */
/* dns.c - a small, bounded resolver: see dns.h. Written from RFC 1035
 * (message format, section 4.1; name compression, 4.1.4) and RFC 3596
 * (AAAA). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "util.h"

#define REPLY_MAX 1024		/* without EDNS a UDP reply holds 512 */
#define NAME_MAX_WIRE 255	/* RFC 1035 2.3.4, length bytes included */
#define HOPS_MAX 128		/* compression pointers followed in one name */
#define RESEND_MS 1000		/* UDP: ask again when nothing came back */
#define GRACE_MS 250		/* wait for the other family once one answered */
#define DRAIN_MAX 16		/* datagrams read per wake-up */
#define LINE_BUF 4096		/* file chunks; a longer line is skipped */
#define TYPE_A 1
#define TYPE_CNAME 5
#define TYPE_AAAA 28
#define CLASS_IN 1

static unsigned
get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* dns.h */
unsigned
dns_addrlen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
}

/* Fill *out with an address of family af from the 4 or 16 bytes at a. */
static void
set_addr(struct sockaddr_storage *out, int af, const void *a, uint16_t port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (af == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a, 4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a, 16);
	}
}

/* dns.h */
int
dns_literal(const char *host, uint16_t port, struct sockaddr_storage *out)
{
	uint8_t a[16];

	if (ip_parse(AF_INET, host, a) == 0)
		set_addr(out, AF_INET, a, port);
	else if (ip_parse(AF_INET6, host, a) == 0)
		set_addr(out, AF_INET6, a, port);
	else
		return 0;
	return 1;
}

/* A literal given as len bytes without a NUL. */
static int
literal_n(const char *s, size_t len, uint16_t port, struct sockaddr_storage *out)
{
	char tmp[64];

	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return dns_literal(tmp, port, out);
}

/* Whether a[0..n) and b[0..n) are the same name, ASCII case aside. */
static int
same_name(const char *a, const char *b, size_t n)
{
	while (n--)
		if (ascii_lower(*a++) != ascii_lower(*b++))
			return 0;
	return 1;
}

/* The next blank-separated word in buf[*pos..end): returns its start,
 * sets *wl to its length (0 when none is left) and moves *pos past it. */
static size_t
word(const char *buf, size_t end, size_t *pos, size_t *wl)
{
	size_t i = *pos, s;

	while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
		i++;
	s = i;
	while (i < end && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r')
		i++;
	*pos = i;
	*wl = i - s;
	return s;
}

/* The end of the line starting at ls, and in *cut where its text ends
 * (before a comment starting with one of the bytes of com). */
static size_t
line_end(const char *buf, size_t len, size_t ls, const char *com, size_t *cut)
{
	size_t i;

	*cut = len;
	for (i = ls; i < len && buf[i] != '\n'; i++)
		if (*cut == len && buf[i] && strchr(com, buf[i]))
			*cut = i;
	if (*cut > i)
		*cut = i;
	return i;
}

/* dns.h */
int
dns_hosts_parse(const char *buf, size_t len, const char *name,
    uint16_t port, struct sockaddr_storage *out, int max, int n)
{
	struct sockaddr_storage a;
	size_t nl = strlen(name), ls, le, cut, pos, ws, wl;

	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	if (nl == 0)
		return n;
	for (ls = 0; ls < len && n < max; ls = le + 1) {
		le = line_end(buf, len, ls, "#", &cut);
		pos = ls;
		ws = word(buf, cut, &pos, &wl);
		if (wl == 0 || !literal_n(buf + ws, wl, port, &a))
			continue;
		for (;;) {
			ws = word(buf, cut, &pos, &wl);
			if (wl == 0)
				break;
			if (wl > 1 && buf[ws + wl - 1] == '.')
				wl--;
			if (wl == nl && same_name(buf + ws, name, nl)) {
				out[n++] = a;
				break;
			}
		}
	}
	return n;
}

/* dns.h */
int
dns_resolv_parse(const char *buf, size_t len,
    struct sockaddr_storage ns[DNS_NS_MAX], int n)
{
	size_t ls, le, cut, pos, ws, wl;

	for (ls = 0; ls < len && n < DNS_NS_MAX; ls = le + 1) {
		le = line_end(buf, len, ls, "#;", &cut);
		pos = ls;
		ws = word(buf, cut, &pos, &wl);
		if (wl != 10 || memcmp(buf + ws, "nameserver", 10))
			continue;
		ws = word(buf, cut, &pos, &wl);
		/* A scoped IPv6 address (fe80::1%eth0) is no literal here: skipped. */
		if (wl > 0 && literal_n(buf + ws, wl, 53, &ns[n]))
			n++;
	}
	return n;
}

/* dns.h */
size_t
dns_query(uint8_t out[DNS_QUERY_MAX], const char *name, uint16_t id,
    uint16_t type)
{
	size_t n = 12, lab;
	const char *p = name;

	memset(out, 0, 12);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] = 0x01;			/* RD: recursion desired */
	out[5] = 1;			/* QDCOUNT */
	while (*p) {
		lab = strcspn(p, ".");
		/* The name so far, this label and the root's zero byte. */
		if (lab == 0 || lab > 63 || n - 12 + 1 + lab + 1 > NAME_MAX_WIRE)
			return 0;
		out[n++] = (uint8_t)lab;
		memcpy(out + n, p, lab);
		n += lab;
		p += lab;
		if (*p == '.')
			p++;
	}
	if (n == 12)
		return 0;
	out[n++] = 0;
	out[n++] = (uint8_t)(type >> 8);
	out[n++] = (uint8_t)type;
	out[n++] = 0;
	out[n++] = CLASS_IN;
	return n;
}

/* Read the name at msg[*pos], following compression pointers, into
 * out in wire form and lower case, and move *pos past it as it lies in
 * place. Every read is checked against len; a pointer loop ends at
 * HOPS_MAX and a long name at NAME_MAX_WIRE. Returns the length in out,
 * or -1. */
static int
name_read(const uint8_t *msg, size_t len, size_t *pos,
    uint8_t out[NAME_MAX_WIRE])
{
	size_t p = *pos, after = 0;
	unsigned l, i, n = 0, hops = 0;

	for (;;) {
		if (p >= len)
			return -1;
		l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++hops > HOPS_MAX)
				return -1;
			if (hops == 1)
				after = p + 2;
			p = (l & 0x3f) << 8 | msg[p + 1];
			continue;
		}
		/* 0x40 and 0x80 are reserved label types. */
		if (l & 0xc0 || l > len - p - 1 || n + 1 + l > NAME_MAX_WIRE)
			return -1;
		out[n++] = (uint8_t)l;
		for (i = 0; i < l; i++)
			out[n++] = (uint8_t)ascii_lower(msg[p + 1 + i]);
		p += 1 + l;
		if (l == 0)
			break;
	}
	*pos = hops ? after : p;
	return (int)n;
}

/* dns.h */
int
dns_answer(const uint8_t *msg, size_t len, const uint8_t *q, size_t qlen,
    uint16_t port, struct sockaddr_storage *out, int max, int *n)
{
	uint8_t want[NAME_MAX_WIRE], got[NAME_MAX_WIRE];
	size_t p = 12, qp = 12, rd, cp;
	unsigned an, type, class, rdlen, qtype;
	int wl, gl, n0 = *n, rcode, tc;

	if (len < 12 || qlen < 12 || msg[0] != q[0] || msg[1] != q[1])
		return DNS_IGNORE;
	if (!(msg[2] & 0x80) || (msg[2] & 0x78))	/* QR set, opcode QUERY */
		return DNS_IGNORE;
	tc = msg[2] & 0x02;
	rcode = msg[3] & 0x0f;
	/* Some servers leave the question out of an error. */
	if (rcode != 0 && rcode != 3 && get16(msg + 4) == 0)
		return DNS_SERVER;
	if (get16(msg + 4) != 1)
		return DNS_IGNORE;
	wl = name_read(q, qlen, &qp, want);
	gl = name_read(msg, len, &p, got);
	if (wl < 0 || gl != wl || memcmp(want, got, (size_t)wl) ||
	    qlen - qp < 4 || len - p < 4 || memcmp(q + qp, msg + p, 4))
		return DNS_IGNORE;
	qtype = get16(q + qp);
	p += 4;
	if (rcode == 3)
		return DNS_NXDOMAIN;
	if (rcode != 0)
		return DNS_SERVER;

	/* The records for the name asked, or for the name its CNAMEs lead
	 * to: a resolver lists a chain in order (RFC 1034 4.3.2). */
	for (an = get16(msg + 6); an > 0; an--) {
		if ((gl = name_read(msg, len, &p, got)) < 0 || len - p < 10)
			goto bad;
		type = get16(msg + p);
		class = get16(msg + p + 2);
		rdlen = get16(msg + p + 8);
		p += 10;
		if (rdlen > len - p)
			goto bad;
		rd = p;
		p += rdlen;
		if (class != CLASS_IN || gl != wl || memcmp(got, want, (size_t)wl))
			continue;
		if (type == TYPE_CNAME) {
			cp = rd;
			if ((wl = name_read(msg, rd + rdlen, &cp, want)) < 0 ||
			    cp != rd + rdlen)
				goto bad;
		} else if (type == qtype && *n < max && rdlen ==
		    (qtype == TYPE_A ? 4u : 16u)) {
			set_addr(&out[(*n)++], qtype == TYPE_A ? AF_INET : AF_INET6,
			    msg + rd, port);
		}
	}
	/* A truncated reply with nothing usable: this server cannot help
	 * (d20 has no TCP fallback). */
	return tc && *n == n0 ? DNS_SERVER : *n - n0;
bad:
	if (tc)				/* cut short, as TC says: keep what came */
		return *n > n0 ? *n - n0 : DNS_SERVER;
	*n = n0;
	return DNS_IGNORE;
}

/* What a file scan collects. */
typedef struct {
	const char *name;
	uint16_t port;
	struct sockaddr_storage *out;
	int max, n;
} scan;

static void
hosts_chunk(const char *buf, size_t len, scan *s)
{
	s->n = dns_hosts_parse(buf, len, s->name, s->port, s->out, s->max, s->n);
}

static void
resolv_chunk(const char *buf, size_t len, scan *s)
{
	s->n = dns_resolv_parse(buf, len, s->out, s->n);
}

/* dns_preopen's descriptors: DNS_HOSTS, DNS_RESOLV_CONF. */
static int pre_fd[2] = { -1, -1 };
static int preopened;

/* dns.h */
void
dns_preopen(void)
{
	if (pre_fd[0] < 0)
		pre_fd[0] = open(DNS_HOSTS, O_RDONLY | O_CLOEXEC);
	if (pre_fd[1] < 0)
		pre_fd[1] = open(DNS_RESOLV_CONF, O_RDONLY | O_CLOEXEC);
	preopened = 1;
}

/* Hand the whole lines of the file (pre, opened by dns_preopen, or path)
 * to fn, a fixed buffer at a time, until s->max entries are found. A line
 * longer than the buffer is skipped. */
static void
read_lines(int pre, const char *path, void (*fn)(const char *, size_t, scan *),
    scan *s)
{
	char buf[LINE_BUF];
	size_t have = 0, cut;
	ssize_t r;
	int fd, skip = 0;
	char *nl;

	/* after dns_preopen, what it could not open is not there: a
	 * sandboxed child may not open files */
	if (pre >= 0 && lseek(pre, 0, SEEK_SET) == 0)
		fd = pre;
	else if (preopened || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while (s->n < s->max) {
		r = read(fd, buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0 && !skip && have > 0)
				fn(buf, have, s);
			break;
		}
		have += (size_t)r;
		if (skip) {
			if ((nl = memchr(buf, '\n', have)) == NULL) {
				have = 0;
				continue;
			}
			cut = (size_t)(nl + 1 - buf);
			memmove(buf, buf + cut, have - cut);
			have -= cut;
			skip = 0;
		}
		for (cut = have; cut > 0 && buf[cut - 1] != '\n'; cut--)
			;
		if (cut > 0) {
			fn(buf, cut, s);
			memmove(buf, buf + cut, have - cut);
			have -= cut;
		} else if (have == sizeof(buf)) {
			skip = 1;
			have = 0;
		}
	}
	if (fd != pre)
		close(fd);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dns.h */
int
dns_resolve(const char *host, uint16_t port,
    const uint8_t rnd[DNS_RANDOM_LEN], long timeout_ms,
    struct sockaddr_storage out[DNS_ADDR_MAX], const char **why)
{
	static const uint16_t types[2] = { TYPE_A, TYPE_AAAA };
	struct sockaddr_storage ns[DNS_NS_MAX], found[2][DNS_ADDR_MAX];
	uint8_t q[2][DNS_QUERY_MAX], msg[REPLY_MAX];
	size_t ql[2];
	long long end = now_ms() + timeout_ms, now, until, resend;
	struct pollfd pfd;
	scan sc;
	ssize_t r;
	int nns, i, k, m, fd, res, n, c[2], done[2], failed, unreachable, nx;

	if (dns_literal(host, port, &out[0]))
		return 1;
	sc.name = host;
	sc.port = port;
	sc.out = out;
	sc.max = DNS_ADDR_MAX;
	sc.n = 0;
	read_lines(pre_fd[0], DNS_HOSTS, hosts_chunk, &sc);
	if (sc.n > 0)
		return sc.n;

	sc.out = ns;
	sc.max = DNS_NS_MAX;
	sc.n = 0;
	read_lines(pre_fd[1], DNS_RESOLV_CONF, resolv_chunk, &sc);
	if ((nns = sc.n) == 0)
		nns = dns_literal("127.0.0.1", 53, &ns[0]);

	*why = "no answer from the name servers";
	for (i = 0; i < nns; i++) {
		for (k = 0; k < 2; k++) {
			/* Fresh IDs for each server: two bytes each from rnd. */
			ql[k] = dns_query(q[k], host, (uint16_t)get16(rnd + 4 * i + 2 * k),
			    types[k]);
			if (ql[k] == 0) {
				*why = "not a valid DNS name";
				return -1;
			}
			done[k] = c[k] = 0;
		}
		now = now_ms();
		if (now >= end)
			break;
		/* A share of the time left, so that a silent server leaves
		 * time for the next. */
		until = now + (end - now) / (nns - i);
		failed = unreachable = nx = 0;
		fd = socket(ns[i].ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		/* Connected: the kernel drops datagrams from anyone else. */
		if (fd < 0 || connect(fd, (struct sockaddr *)&ns[i], dns_addrlen(&ns[i])) < 0) {
			*why = "cannot reach the name server";
			if (fd >= 0)
				close(fd);
			continue;
		}
		resend = now;
		while (!(done[0] && done[1]) && !unreachable && (now = now_ms()) < until) {
			if (now >= resend) {
				for (k = 0; k < 2; k++)
					if (!done[k] && send(fd, q[k], ql[k], 0) < 0 &&
					    errno != EINTR && errno != EAGAIN)
						unreachable = 1;
				resend = now + RESEND_MS;
			}
			pfd.fd = fd;
			pfd.events = POLLIN;
			if (unreachable || poll(&pfd, 1, (int)((resend < until ?
			    resend : until) - now)) <= 0)
				continue;
			/* A bounded drain: a flooding server cannot hold us
			 * past until. */
			for (m = 0; m < DRAIN_MAX; m++) {
				if ((r = recv(fd, msg, sizeof(msg), 0)) < 0) {
					/* ICMP port unreachable comes back as
					 * ECONNREFUSED. */
					if (errno != EINTR && errno != EAGAIN &&
					    errno != EWOULDBLOCK)
						unreachable = 1;
					if (errno != EINTR)
						break;
				}
				for (k = 0; r > 0 && k < 2; k++) {
					if (done[k])
						continue;
					res = dns_answer(msg, (size_t)r, q[k], ql[k], port,
					    found[k], DNS_ADDR_MAX, &c[k]);
					if (res == DNS_IGNORE)
						continue;
					/* The name does not exist, says this
					 * answer; but an address the other query
					 * brought (before or after it) is kept. */
					nx |= res == DNS_NXDOMAIN;
					failed |= res == DNS_SERVER;
					done[k] = 1;
					break;
				}
			}
			if ((c[0] + c[1] > 0 || nx) && until > now_ms() + GRACE_MS)
				until = now_ms() + GRACE_MS;
		}
		close(fd);
		if (c[0] + c[1] > 0) {
			for (n = k = 0; k < 2; k++)
				for (res = 0; res < c[k] && n < DNS_ADDR_MAX; res++)
					out[n++] = found[k][res];
			return n;
		}
		if (nx) {
			*why = "no such name";
			return -1;
		}
		if (done[0] && done[1] && !failed) {
			*why = "the name has no address";
			return -1;
		}
		*why = unreachable ? "name server unreachable" :
		    failed ? "the name server failed" :
		    "no answer from the name servers";
	}
	return -1;
}
