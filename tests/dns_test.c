/* SPDX-License-Identifier: MIT */
/* dns_test.c - dns.c from known bytes: the exact query, replies built
 * here by hand (compression, several records, CNAME chains, truncation,
 * hostile pointers, wrong IDs and questions), /etc/hosts and
 * resolv.conf from buffers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>

#include "../dns.h"
#include "test.h"

typedef struct {
	uint8_t b[2048];
	size_t n;
} msg;

static void
put(msg *m, const void *p, size_t len)
{
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

static void
put8(msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void
put16(msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

/* A dotted name, uncompressed, with its root label. */
static void
put_name(msg *m, const char *s)
{
	size_t l;

	while (*s) {
		l = strcspn(s, ".");
		put8(m, (unsigned)l);
		put(m, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	put8(m, 0);
}

static void
put_ptr(msg *m, unsigned off)
{
	put16(m, 0xc000 | off);
}

/* Header and question, as a server echoes them. */
static void
reply_start(msg *m, unsigned id, unsigned flags, unsigned an, const char *name,
    unsigned type)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

/* A record's type, class, TTL and rdata, after its owner name. */
static void
rr_tail(msg *m, unsigned type, unsigned class, const void *rd, size_t rdlen)
{
	put16(m, type);
	put16(m, class);
	put16(m, 0);
	put16(m, 300);
	put16(m, (unsigned)rdlen);
	put(m, rd, rdlen);
}

static const uint8_t ip1[4] = { 192, 0, 2, 1 }, ip2[4] = { 192, 0, 2, 2 };
static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

static uint8_t q[DNS_QUERY_MAX];
static size_t ql;
static struct sockaddr_storage out[DNS_ADDR_MAX];

static int
answer(const msg *m, int *n)
{
	*n = 0;
	memset(out, 0, sizeof(out));
	return dns_answer(m->b, m->n, q, ql, 443, out, DNS_ADDR_MAX, n);
}

static int
is4(int i, const uint8_t a[4])
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)&out[i];

	return s->sin_family == AF_INET && ntohs(s->sin_port) == 443 &&
	    !memcmp(&s->sin_addr, a, 4);
}

static int
is6(int i, const uint8_t a[16])
{
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&out[i];

	return s->sin6_family == AF_INET6 && ntohs(s->sin6_port) == 443 &&
	    !memcmp(&s->sin6_addr, a, 16);
}

static void
test_query(void)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'd', '2', '0', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		0, 1, 0, 1
	};
	char name[300];
	uint8_t b[DNS_QUERY_MAX];
	size_t n;
	int i, ok;

	n = dns_query(b, "d20.example", 0x1234, 1);
	test_ok(n == sizeof(want) && !memcmp(b, want, n), "query bytes for A d20.example");
	n = dns_query(b, "d20.example.", 0x1234, 1);
	test_ok(n == sizeof(want) && !memcmp(b, want, n), "a trailing dot gives the same query");
	n = dns_query(b, "d20.example", 0xbeef, 28);
	test_ok(n == sizeof(want) && b[0] == 0xbe && b[1] == 0xef && b[n - 3] == 28 &&
	    !memcmp(b + 2, want + 2, n - 5), "query bytes for AAAA, other ID");
	ok = dns_query(b, "", 1, 1) == 0 && dns_query(b, ".", 1, 1) == 0 &&
	    dns_query(b, "a..b", 1, 1) == 0 && dns_query(b, ".a", 1, 1) == 0 &&
	    dns_query(b, "a..", 1, 1) == 0;
	test_ok(ok, "empty names and empty labels refused");
	memset(name, 'a', 64);
	name[64] = '\0';
	ok = dns_query(b, name, 1, 1) == 0;
	name[63] = '\0';
	ok &= dns_query(b, name, 1, 1) == 12 + 1 + 63 + 1 + 4;
	test_ok(ok, "a 63-byte label fits, 64 does not");
	/* 127 labels "a." make 254 bytes on the wire with the root; one more
	 * byte in the last label makes 255, one more label 256. */
	for (i = 0; i < 127; i++)
		memcpy(name + 2 * i, "a.", 2);
	name[253] = '\0';
	ok = dns_query(b, name, 1, 1) == 12 + 255 + 4;
	name[253] = 'a';
	name[254] = '\0';
	ok &= dns_query(b, name, 1, 1) == 0;
	memcpy(name + 254, ".a", 3);
	ok &= dns_query(b, name, 1, 1) == 0;
	test_ok(ok, "a 255-byte wire name fits, 256 does not");
}

static void
test_answers(void)
{
	msg m, t;
	uint8_t rd[64];
	size_t cut, i;
	int n, r, ok;

	ql = dns_query(q, "d20.example", 0x1234, 1);

	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip1, 4);
	r = answer(&m, &n);
	test_ok(r == 1 && n == 1 && is4(0, ip1), "one A record, owner compressed");

	reply_start(&m, 0x1234, 0x8180, 3, "D20.Example", 1);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip1, 4);
	put_name(&m, "d20.EXAMPLE");
	rr_tail(&m, 1, 1, ip2, 4);
	put_ptr(&m, 16);		/* "example": not the name asked */
	rr_tail(&m, 1, 1, ip2, 4);
	r = answer(&m, &n);
	test_ok(r == 2 && is4(0, ip1) && is4(1, ip2),
	    "two A records in mixed case, one for another owner left out");

	/* d20.example CNAME www.example (compressed rdata), www.example A. */
	reply_start(&m, 0x1234, 0x8180, 2, "d20.example", 1);
	put_ptr(&m, 12);
	memcpy(rd, "\3www\xc0\x10", 6);
	rr_tail(&m, 5, 1, rd, 6);
	put8(&m, 3);
	put(&m, "www", 3);
	put_ptr(&m, 16);
	rr_tail(&m, 1, 1, ip2, 4);
	r = answer(&m, &n);
	test_ok(r == 1 && is4(0, ip2), "CNAME followed by the target's A record");

	/* The A record of the old name after a CNAME no longer counts. */
	reply_start(&m, 0x1234, 0x8180, 2, "d20.example", 1);
	put_ptr(&m, 12);
	rr_tail(&m, 5, 1, "\3www\xc0\x10", 6);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip1, 4);
	r = answer(&m, &n);
	test_ok(r == 0 && n == 0, "a CNAME with no record for its target: no address");

	/* A CNAME whose rdata name runs past its rdlength. */
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put_ptr(&m, 12);
	rr_tail(&m, 5, 1, "\3www\xc0", 5);
	put8(&m, 0x10);
	r = answer(&m, &n);
	test_ok(r == DNS_IGNORE, "a CNAME name longer than its rdata: refused");

	reply_start(&m, 0x1234, 0x8180, 3, "d20.example", 1);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 3, ip1, 4);	/* class CH */
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip1, 3);	/* short rdata */
	put_ptr(&m, 12);
	rr_tail(&m, 16, 1, "\4text", 5);	/* TXT */
	r = answer(&m, &n);
	test_ok(r == 0 && n == 0, "class CH, a 3-byte A and a TXT: no address");

	reply_start(&m, 0x1234, 0x8180, 12, "d20.example", 1);
	for (i = 0; i < 12; i++) {
		put_ptr(&m, 12);
		rr_tail(&m, 1, 1, ip1, 4);
	}
	r = answer(&m, &n);
	test_ok(r == DNS_ADDR_MAX && n == DNS_ADDR_MAX, "12 records: the first %d kept",
	    DNS_ADDR_MAX);

	/* Every proper prefix of a good reply is refused, with no address. */
	reply_start(&m, 0x1234, 0x8180, 2, "d20.example", 1);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip1, 4);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip2, 4);
	for (ok = 1, cut = 0; cut < m.n; cut++) {
		t = m;
		t.n = cut;
		ok &= answer(&t, &n) == DNS_IGNORE && n == 0;
	}
	test_ok(ok, "a reply cut at any of its %zu offsets is refused", m.n);
	/* With TC set, the whole records before the cut are kept. */
	m.b[2] |= 0x02;
	t = m;
	t.n = m.n - 3;
	r = answer(&t, &n);
	test_ok(r == 1 && is4(0, ip1), "TC and a cut record: the whole one kept");
	t.n = m.n - 20;
	test_ok(answer(&t, &n) == DNS_SERVER, "TC and no whole record: server fails");

	t = m;
	t.b[2] &= (uint8_t)~0x02;
	t.b[1] ^= 1;
	test_ok(answer(&t, &n) == DNS_IGNORE, "a wrong ID: ignored");
	t = m;
	t.b[2] &= 0x7f;
	test_ok(answer(&t, &n) == DNS_IGNORE, "QR clear (a query, not a reply): ignored");
	t = m;
	t.b[2] |= 0x10;
	test_ok(answer(&t, &n) == DNS_IGNORE, "opcode other than QUERY: ignored");
	t = m;
	t.b[5] = 2;
	test_ok(answer(&t, &n) == DNS_IGNORE, "two questions: ignored");
	t = m;
	t.b[14] = 'x';
	test_ok(answer(&t, &n) == DNS_IGNORE, "another name in the question: ignored");
	t = m;
	t.b[12 + 13 + 1] = 28;
	test_ok(answer(&t, &n) == DNS_IGNORE, "another type in the question: ignored");

	reply_start(&m, 0x1234, 0x8183, 0, "d20.example", 1);
	test_ok(answer(&m, &n) == DNS_NXDOMAIN, "NXDOMAIN");
	reply_start(&m, 0x1234, 0x8182, 0, "d20.example", 1);
	test_ok(answer(&m, &n) == DNS_SERVER, "SERVFAIL");
	m.n = 12;
	m.b[3] = 0x85;
	m.b[5] = 0;
	test_ok(answer(&m, &n) == DNS_SERVER, "REFUSED without the question");
	m.b[3] = 0x83;
	test_ok(answer(&m, &n) == DNS_IGNORE, "NXDOMAIN without the question: ignored");
	reply_start(&m, 0x4321, 0x8183, 0, "d20.example", 1);
	test_ok(answer(&m, &n) == DNS_IGNORE, "NXDOMAIN with a wrong ID: ignored");

	/* Hostile names: a pointer to itself, two pointing at each other, a
	 * pointer past the end, a reserved label type, a name that grows
	 * past 255 bytes through pointers. */
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put_ptr(&m, (unsigned)m.n);
	rr_tail(&m, 1, 1, ip1, 4);
	test_ok(answer(&m, &n) == DNS_IGNORE, "a pointer to itself: refused");
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put_ptr(&m, (unsigned)m.n + 2);
	put_ptr(&m, (unsigned)m.n - 2);
	rr_tail(&m, 1, 1, ip1, 4);
	test_ok(answer(&m, &n) == DNS_IGNORE, "two pointers in a loop: refused");
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put8(&m, 1);
	put8(&m, 'a');
	put_ptr(&m, (unsigned)m.n - 2);	/* "a" then back to itself */
	rr_tail(&m, 1, 1, ip1, 4);
	test_ok(answer(&m, &n) == DNS_IGNORE, "a label loop growing the name: refused");
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put_ptr(&m, 0x3fff);
	rr_tail(&m, 1, 1, ip1, 4);
	test_ok(answer(&m, &n) == DNS_IGNORE, "a pointer past the end: refused");
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	put8(&m, 0x41);
	put8(&m, 0);
	rr_tail(&m, 1, 1, ip1, 4);
	test_ok(answer(&m, &n) == DNS_IGNORE, "a reserved label type: refused");
	m.n = 0;
	reply_start(&m, 0x1234, 0x8180, 1, "d20.example", 1);
	m.b[2] = 0x81;
	m.b[4] = 0xff;		/* qdcount 0xff01 */
	test_ok(answer(&m, &n) == DNS_IGNORE, "a huge QDCOUNT: ignored");

	ql = dns_query(q, "d20.example", 0x1234, 28);
	reply_start(&m, 0x1234, 0x8180, 2, "d20.example", 28);
	put_ptr(&m, 12);
	rr_tail(&m, 1, 1, ip1, 4);	/* an A in an AAAA answer */
	put_ptr(&m, 12);
	rr_tail(&m, 28, 1, ip6, 16);
	r = answer(&m, &n);
	test_ok(r == 1 && is6(0, ip6), "AAAA: the IPv6 record only");
}

static void
test_hosts(void)
{
	static const char hosts[] =
	    "# localhost d20.test in a comment\n"
	    "127.0.0.1\tlocalhost\r\n"
	    "::1 localhost ip6-localhost # and a comment\n"
	    "not-an-address d20.test\n"
	    "fe80::1%eth0 d20.test\n"
	    "192.0.2.1   other  D20.Test.  alias\n"
	    "\n"
	    "   \n"
	    "192.0.2.2 d20.testx xd20.test\n"
	    "192.0.2.3 d20.test";
	struct sockaddr_storage a[DNS_ADDR_MAX];
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a[0];
	int n;

	n = dns_hosts_parse(hosts, sizeof(hosts) - 1, "localhost", 80, a, DNS_ADDR_MAX, 0);
	test_ok(n == 2 && a[0].ss_family == AF_INET && a[1].ss_family == AF_INET6 &&
	    ntohs(s4->sin_port) == 80 && s4->sin_addr.s_addr == htonl(0x7f000001),
	    "hosts: localhost gives 127.0.0.1 and ::1, port set");
	n = dns_hosts_parse(hosts, sizeof(hosts) - 1, "d20.test.", 80, a, DNS_ADDR_MAX, 0);
	test_ok(n == 2 && s4->sin_addr.s_addr == htonl(0xc0000201) &&
	    ((const struct sockaddr_in *)&a[1])->sin_addr.s_addr == htonl(0xc0000203),
	    "hosts: alias without case or dot; bad addresses, comments and "
	    "longer names skipped; a last line without newline");
	n = dns_hosts_parse(hosts, sizeof(hosts) - 1, "d20.test", 80, a, 1, 0);
	test_ok(n == 1, "hosts: stops at max");
	n = dns_hosts_parse(hosts, sizeof(hosts) - 1, "nowhere", 80, a, DNS_ADDR_MAX, 0);
	n += dns_hosts_parse(hosts, sizeof(hosts) - 1, "", 80, a, DNS_ADDR_MAX, 0);
	n += dns_hosts_parse(hosts, sizeof(hosts) - 1, ".", 80, a, DNS_ADDR_MAX, 0);
	n += dns_hosts_parse("127.0.0.1", 9, "localhost", 80, a, DNS_ADDR_MAX, 0);
	test_ok(n == 0, "hosts: unknown or empty names, a line with no name");
}

static void
test_resolv(void)
{
	static const char conf[] =
	    "# nameserver 10.0.0.1\n"
	    "; nameserver 10.0.0.2\n"
	    "search example.com\n"
	    "options edns0 ndots:2\n"
	    "nameservers 10.0.0.3\n"
	    "nameserver\n"
	    "nameserver fe80::1%eth0\n"
	    "nameserver\t127.0.0.53  # systemd-resolved\r\n"
	    "nameserver ::1\n"
	    "nameserver 10.0.0.4;x\n"
	    "nameserver 10.0.0.5\n"
	    "nameserver 10.0.0.6\n";
	struct sockaddr_storage ns[DNS_NS_MAX];
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ns[0];
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ns[1];
	const struct sockaddr_in *t4 = (const struct sockaddr_in *)&ns[2];
	int n;

	n = dns_resolv_parse(conf, sizeof(conf) - 1, ns, 0);
	test_ok(n == 3 && s4->sin_family == AF_INET && ntohs(s4->sin_port) == 53 &&
	    s4->sin_addr.s_addr == htonl(0x7f000035) && s6->sin6_family == AF_INET6 &&
	    ntohs(s6->sin6_port) == 53 && IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) &&
	    t4->sin_addr.s_addr == htonl(0x0a000004),
	    "resolv.conf: comments, other keywords, scoped IPv6 skipped; three kept");
	n = dns_resolv_parse("nameserver 10.0.0.9", 19, ns, 2);
	test_ok(n == 3 && ((const struct sockaddr_in *)&ns[2])->sin_addr.s_addr ==
	    htonl(0x0a000009), "resolv.conf: appends; a last line without newline");
	test_ok(dns_resolv_parse("", 0, ns, 0) == 0 &&
	    dns_resolv_parse("domain x\n", 9, ns, 0) == 0, "resolv.conf: none");
}

static void
test_literals(void)
{
	struct sockaddr_storage a;
	int ok;

	ok = dns_literal("192.0.2.1", 443, &a) == 1 && a.ss_family == AF_INET &&
	    dns_addrlen(&a) == sizeof(struct sockaddr_in);
	ok &= dns_literal("2001:db8::1", 443, &a) == 1 && a.ss_family == AF_INET6 &&
	    dns_addrlen(&a) == sizeof(struct sockaddr_in6);
	ok &= dns_literal("localhost", 443, &a) == 0 &&
	    dns_literal("192.0.2.1.example", 443, &a) == 0 && dns_literal("", 443, &a) == 0;
	test_ok(ok, "IP literals and names told apart");
}

int
main(void)
{
	test_query();
	test_answers();
	test_hosts();
	test_resolv();
	test_literals();
	return test_done();
}
