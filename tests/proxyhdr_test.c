/* SPDX-License-Identifier: MIT */
/* proxyhdr_test.c - proxyhdr.c against known PROXY protocol headers
 * (v1 and v2, IPv4 and IPv6, LOCAL, UNKNOWN, TLVs, the longest allowed)
 * and malformed, truncated and oversize ones; each valid header read the
 * way d20d reads it (proxyhdr_need, never a byte past its end), parsed
 * whole, with the connection's bytes after it, and cut at every offset;
 * and the --proxy-from networks. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "../proxyhdr.h"

/* Each parse sees a heap block of exactly its length, so the sanitizer
 * build catches a read past the end. */
static long
parse(struct proxyhdr *h, const void *s, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	long r;

	if (!b)
		abort();
	memcpy(b, s, len);
	r = proxyhdr_parse(h, b, len);
	free(b);
	return r;
}

static long
need(const void *s, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	long r;

	if (!b)
		abort();
	memcpy(b, s, len);
	r = proxyhdr_need(b, len);
	free(b);
	return r;
}

/* Read the header at s (len bytes, the connection's bytes after it) as
 * d20d does: exactly what proxyhdr_need asks for each time. Returns the
 * bytes read when the header was judged complete, -1 when need refused
 * it, -2 when it asked past the end of s. */
static long
read_as_d20d(const uint8_t *s, size_t len)
{
	size_t have = 0;
	long n;
	int rounds;

	for (rounds = 0; rounds < 1000; rounds++) {
		n = need(s, have);
		if (n < 0)
			return -1;
		if (n == 0)
			return (long)have;
		if (have + (size_t)n > len)
			return -2;
		have += (size_t)n;
	}
	return -3;
}

/* A valid header hdr[0..hlen) must be read to exactly hlen bytes with
 * the connection's first bytes behind it, parse to hlen whole and with
 * them, and every proper prefix must parse as incomplete. */
static int
valid(const uint8_t *hdr, size_t hlen, struct proxyhdr *h)
{
	static const char after[] = "GET /api/status HTTP/1.1\r\n\r\n";
	uint8_t buf[PROXYHDR_MAX + sizeof(after)];
	struct proxyhdr t;
	size_t i;

	memcpy(buf, hdr, hlen);
	memcpy(buf + hlen, after, sizeof(after) - 1);
	if (read_as_d20d(buf, hlen + sizeof(after) - 1) != (long)hlen)
		return 0;
	for (i = 0; i < hlen; i++)
		if (parse(&t, hdr, i) != 0)
			return 0;
	if (parse(&t, buf, hlen + sizeof(after) - 1) != (long)hlen)
		return 0;
	return parse(h, hdr, hlen) == (long)hlen && memcmp(&t, h, sizeof(t)) == 0;
}

static int
valid_str(const char *s, struct proxyhdr *h)
{
	return valid((const uint8_t *)s, strlen(s), h);
}

/* A malformed header is refused by parse, and d20d's reading of it ends
 * (refused, or judged whole for parse to refuse) within its bytes. */
static int
bad(const uint8_t *s, size_t len)
{
	struct proxyhdr h;
	long r = read_as_d20d(s, len);

	return parse(&h, s, len) == -1 && (r == -1 || (r > 0 && (size_t)r <= len &&
	    parse(&h, s, (size_t)r) == -1));
}

static int
bad_str(const char *s)
{
	return bad((const uint8_t *)s, strlen(s));
}

static int
ip_is(int af, const uint8_t *a, const char *text)
{
	uint8_t want[16];

	return inet_pton(af, text, want) == 1 && memcmp(a, want, af == AF_INET ? 4 : 16) == 0;
}

static void
test_v1(void)
{
	static const char max6[] = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	static const char max[] = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	static const char nul4[] = "PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n";
	static const char nul6[] = "PROXY TCP6 ::1\0\0 ::1 1 2\r\n";
	struct proxyhdr h;
	char over[PROXYHDR_V1_MAX + 2];

	test_ok(valid_str("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", &h) &&
	    h.version == 1 && h.af == AF_INET && ip_is(AF_INET, h.src, "192.168.0.1") &&
	    ip_is(AF_INET, h.dst, "192.168.0.11") && h.sport == 56324 && h.dport == 443,
	    "v1 TCP4: the spec's example, addresses and ports");
	test_ok(valid_str("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", &h) &&
	    h.af == AF_INET && ip_is(AF_INET, h.src, "0.0.0.0") &&
	    ip_is(AF_INET, h.dst, "255.255.255.255") && h.sport == 0 && h.dport == 65535,
	    "v1 TCP4: the smallest and largest addresses and ports");
	test_ok(valid_str("PROXY TCP6 2001:db8::1 ::1 40000 27184\r\n", &h) &&
	    h.version == 1 && h.af == AF_INET6 && ip_is(AF_INET6, h.src, "2001:db8::1") &&
	    ip_is(AF_INET6, h.dst, "::1") && h.sport == 40000 && h.dport == 27184,
	    "v1 TCP6: addresses and ports");
	test_ok(strlen(max6) == 104 && valid_str(max6, &h) && h.af == AF_INET6 &&
	    ip_is(AF_INET6, h.src, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	    "v1 TCP6: the longest TCP6 line (104 bytes)");
	test_ok(valid_str("PROXY TCP6 ::FFFF:127.0.0.2 ::1 1 2\r\n", &h) &&
	    h.af == AF_INET6 && ip_is(AF_INET6, h.src, "::ffff:127.0.0.2"),
	    "v1 TCP6: upper-case hex and a mapped IPv4 address");
	test_ok(valid_str("PROXY UNKNOWN\r\n", &h) && h.version == 1 && h.af == AF_UNSPEC,
	    "v1 UNKNOWN, short form (15 bytes): the connection's own addresses");
	test_ok(strlen(max) == PROXYHDR_V1_MAX && valid_str(max, &h) && h.af == AF_UNSPEC,
	    "v1 UNKNOWN with fields (107 bytes, the longest line) is ignored after UNKNOWN");
	test_ok(valid_str("PROXY UNKNOWN whatever comes \001 here\r\n", &h) &&
	    h.af == AF_UNSPEC, "v1 UNKNOWN: anything before the CRLF is ignored");

	/* one byte longer than the bound, CRLF and all */
	memcpy(over, "PROXY UNKNOWN ", 14);
	memset(over + 14, 'x', sizeof(over) - 16);
	memcpy(over + sizeof(over) - 2, "\r\n", 2);
	test_ok(bad((const uint8_t *)over, sizeof(over)) &&
	    need(over, PROXYHDR_V1_MAX) == -1,
	    "v1: a line of 108 bytes is refused, no CRLF in 107 bytes is refused");
	test_ok(need("PROXY TCP4 ", 11) == 1 && need("PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r", 31) == 1 &&
	    need("PROXY TCP4 1.1.1.1 2.2.2.2 1 2\n", 31) == 0,
	    "v1: read a byte at a time until an LF");

	test_ok(bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n\r"),
	    "v1: a lone LF or a CR that is not followed by the LF ends no line");
	test_ok(bad_str("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY UNKNOWNX\r\n") && bad_str("PROXY UNKNOW\r\n") &&
	    bad_str("PROXY \r\n") && bad_str("PROXY TCP4\r\n"),
	    "v1: unknown or misspelt protocols are refused");
	test_ok(bad_str("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str(" PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	    "v1: \"PROXY\" and exactly one space, in capitals, at the very start");
	test_ok(bad_str("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8. 1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.99999999999999999999 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 ::1 5.6.7.8 1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 ::1 1 2\r\n") &&
	    bad((const uint8_t *)nul4, sizeof(nul4) - 1) &&
	    bad((const uint8_t *)nul6, sizeof(nul6) - 1),
	    "v1: four decimals 0-255 without leading zeros, IPv4 only; no NUL in an address");
	test_ok(bad_str("PROXY TCP6 1.2.3.4 ::1 1 2\r\n") &&
	    bad_str("PROXY TCP6 ::1 1.2.3.4 1 2\r\n") &&
	    bad_str("PROXY TCP6 1::2::3 ::1 1 2\r\n") &&
	    bad_str("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n") &&
	    bad_str("PROXY TCP6 12345::1 ::1 1 2\r\n") &&
	    bad_str("PROXY TCP6 0000:0000:0000:0000:0000:0000:0000:0000:1 ::1 1 2\r\n"),
	    "v1 TCP6: IPv6 only, 128 bits exactly, no zone");
	test_ok(bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 080\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999999999999999999999\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1  2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2x\r\n") &&
	    bad_str("PROXY TCP4 1.2.3.4 1 2\r\n"),
	    "v1: ports 0-65535 without leading zeros, fields exactly as many as given");
	test_ok(bad_str("GET / HTTP/1.1\r\n\r\n") && bad_str("\026\003\001\002\003\001\001") &&
	    bad_str("PROXX TCP4") && need("", 0) == 6,
	    "neither version: HTTP and TLS bytes are refused after 6 bytes");
}

/* A v2 header: the signature, ver_cmd, fam, then body[0..blen) as its
 * address block and TLVs. Returns its length. */
static size_t
v2(uint8_t *out, int ver_cmd, int fam, const uint8_t *body, size_t blen)
{
	static const uint8_t sig[12] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
	};

	memcpy(out, sig, 12);
	out[12] = (uint8_t)ver_cmd;
	out[13] = (uint8_t)fam;
	out[14] = (uint8_t)(blen >> 8);
	out[15] = (uint8_t)blen;
	if (blen)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

static void
test_v2(void)
{
	static const uint8_t a4[12] = { 127, 0, 0, 2, 127, 0, 0, 1, 0xc3, 0x50, 0x6a, 0x30 };
	static const uint8_t a4tlv[12 + 11] = { 127, 0, 0, 2, 127, 0, 0, 1, 0xc3, 0x50, 0x6a, 0x30,
		0x04, 0x00, 0x02, 0xaa, 0xbb, 0xe2, 0x00, 0x03, 0x01, 0x02, 0x03 };
	uint8_t a6[36], body[PROXYHDR_MAX], hdr[PROXYHDR_MAX + 1];
	struct proxyhdr h;
	size_t n;

	memset(a6, 0, sizeof(a6));
	a6[0] = 0x20, a6[1] = 0x01, a6[2] = 0x0d, a6[3] = 0xb8, a6[15] = 0x01;
	a6[31] = 1;
	a6[32] = 0xff, a6[33] = 0xff, a6[34] = 0x00, a6[35] = 0x50;
	memset(body, 0xee, sizeof(body));

	n = v2(hdr, 0x21, 0x11, a4, sizeof(a4));
	test_ok(valid(hdr, n, &h) && h.version == 2 && h.af == AF_INET &&
	    ip_is(AF_INET, h.src, "127.0.0.2") && ip_is(AF_INET, h.dst, "127.0.0.1") &&
	    h.sport == 50000 && h.dport == 27184, "v2 PROXY TCP over IPv4");
	n = v2(hdr, 0x21, 0x21, a6, sizeof(a6));
	test_ok(valid(hdr, n, &h) && h.af == AF_INET6 &&
	    ip_is(AF_INET6, h.src, "2001:db8::1") && ip_is(AF_INET6, h.dst, "::1") &&
	    h.sport == 65535 && h.dport == 80, "v2 PROXY TCP over IPv6");
	n = v2(hdr, 0x21, 0x11, a4tlv, sizeof(a4tlv));
	test_ok(valid(hdr, n, &h) && n == 16 + 23 && h.af == AF_INET &&
	    ip_is(AF_INET, h.src, "127.0.0.2") && h.sport == 50000,
	    "v2 PROXY with TLVs after the addresses: skipped, the header ends after them");
	n = v2(hdr, 0x20, 0x00, NULL, 0);
	test_ok(valid(hdr, n, &h) && n == 16 && h.version == 2 && h.af == AF_UNSPEC,
	    "v2 LOCAL (a health check): 16 bytes, the connection's own addresses");
	n = v2(hdr, 0x20, 0x11, a4, sizeof(a4));
	test_ok(valid(hdr, n, &h) && n == 28 && h.af == AF_UNSPEC,
	    "v2 LOCAL with an address block: skipped and ignored");
	n = v2(hdr, 0x20, 0x77, body, 3);
	test_ok(valid(hdr, n, &h) && h.af == AF_UNSPEC,
	    "v2 LOCAL: the family byte is ignored");
	n = v2(hdr, 0x21, 0x00, body, 5);
	test_ok(valid(hdr, n, &h) && h.af == AF_UNSPEC, "v2 PROXY UNSPEC: the connection's own addresses");
	n = v2(hdr, 0x21, 0x12, a4, sizeof(a4));
	test_ok(valid(hdr, n, &h) && h.af == AF_UNSPEC, "v2 PROXY UDP over IPv4: falls back to UNSPEC");
	n = v2(hdr, 0x21, 0x22, a6, sizeof(a6));
	test_ok(valid(hdr, n, &h) && h.af == AF_UNSPEC, "v2 PROXY UDP over IPv6: falls back to UNSPEC");
	n = v2(hdr, 0x21, 0x31, body, 216);
	test_ok(valid(hdr, n, &h) && h.af == AF_UNSPEC, "v2 PROXY AF_UNIX stream: falls back to UNSPEC");
	n = v2(hdr, 0x21, 0x11, body, PROXYHDR_MAX - 16);
	test_ok(n == PROXYHDR_MAX && valid(hdr, n, &h) && h.af == AF_INET,
	    "v2: a header of exactly PROXYHDR_MAX (%d) bytes", PROXYHDR_MAX);

	n = v2(hdr, 0x21, 0x11, body, PROXYHDR_MAX - 15);
	test_ok(bad(hdr, n) && need(hdr, 16) == -1 && parse(&h, hdr, 16) == -1,
	    "v2: one byte over PROXYHDR_MAX is refused from its first 16 bytes");
	hdr[14] = hdr[15] = 0xff;
	test_ok(need(hdr, 16) == -1 && parse(&h, hdr, 16) == -1,
	    "v2: a length of 65535 is refused without reading on");
	n = v2(hdr, 0x11, 0x11, a4, sizeof(a4));
	test_ok(bad(hdr, n), "v2: version 1 in the version nibble is refused");
	n = v2(hdr, 0x31, 0x11, a4, sizeof(a4));
	test_ok(bad(hdr, n), "v2: version 3 is refused");
	n = v2(hdr, 0x22, 0x11, a4, sizeof(a4));
	test_ok(bad(hdr, n), "v2: command 2 is refused");
	n = v2(hdr, 0x2f, 0x00, NULL, 0);
	test_ok(bad(hdr, n), "v2: command 15 is refused");
	n = v2(hdr, 0x21, 0x41, body, 12);
	test_ok(bad(hdr, n) && bad(hdr, v2(hdr, 0x21, 0x13, a4, 12)) &&
	    bad(hdr, v2(hdr, 0x21, 0x10, a4, 12)) && bad(hdr, v2(hdr, 0x21, 0x01, a4, 12)) &&
	    bad(hdr, v2(hdr, 0x21, 0x20, a6, 36)), "v2 PROXY: unknown family or protocol is refused");
	test_ok(bad(hdr, v2(hdr, 0x21, 0x11, a4, 11)) && bad(hdr, v2(hdr, 0x21, 0x21, a6, 35)) &&
	    bad(hdr, v2(hdr, 0x21, 0x21, a4, 12)) && bad(hdr, v2(hdr, 0x21, 0x31, body, 215)) &&
	    bad(hdr, v2(hdr, 0x21, 0x11, NULL, 0)),
	    "v2 PROXY: a length shorter than its address block is refused");
	n = v2(hdr, 0x21, 0x11, a4, sizeof(a4));
	hdr[4] = 1;
	test_ok(bad(hdr, n) && need(hdr, 6) == -1, "v2: a signature off by one byte is refused");
	n = v2(hdr, 0x21, 0x11, a4, sizeof(a4));
	test_ok(need(hdr, 6) == 10 && need(hdr, 16) == 12 && need(hdr, 20) == 8 &&
	    need(hdr, 28) == 0, "v2: read 6, then the rest of the 16, then exactly the length");
}

static int
match(const char *net, const char *ip)
{
	struct proxyhdr_net n;
	uint8_t a[16];
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (proxyhdr_net_parse(&n, net) < 0 || inet_pton(af, ip, a) != 1)
		return -1;
	return proxyhdr_net_match(&n, af, a);
}

static void
test_net(void)
{
	static const char *const bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33",
		"10.0.0/8", "010.0.0.0/8", "10.0.0.0/08", "10.0.0.0 /8", "10.0.0.0/8 ",
		"10.0.0.0/-1", "::/129", "::1/", "fe80::1%eth0/64", "1::2::3/64",
		"10.0.0.0/8/8", "host.example/32", NULL };
	struct proxyhdr_net n;
	int i, all = 1;

	test_ok(match("127.0.0.1", "127.0.0.1") == 1 && match("127.0.0.1", "127.0.0.2") == 0 &&
	    match("127.0.0.1/32", "127.0.0.1") == 1, "--proxy-from 127.0.0.1 is that address alone");
	test_ok(match("10.0.0.0/8", "10.255.1.2") == 1 && match("10.0.0.0/8", "11.0.0.0") == 0 &&
	    match("10.16.0.0/12", "10.31.255.255") == 1 && match("10.16.0.0/12", "10.32.0.0") == 0 &&
	    match("10.16.0.0/12", "10.15.255.255") == 0, "IPv4 prefixes, on and off byte boundaries");
	test_ok(match("0.0.0.0/0", "203.0.113.9") == 1 && match("0.0.0.0/0", "::1") == 0 &&
	    match("::/0", "2001:db8::1") == 1 && match("::/0", "1.2.3.4") == 0,
	    "/0 takes every address of its family, none of the other");
	test_ok(match("2001:db8::/32", "2001:db8:ffff::1") == 1 &&
	    match("2001:db8::/32", "2001:db9::1") == 0 && match("::1", "::1") == 1 &&
	    match("::1", "::2") == 0 && match("2001:db8::/33", "2001:db8:8000::") == 0 &&
	    match("2001:db8::/33", "2001:db8:7fff::") == 1, "IPv6 prefixes");
	test_ok(match("127.0.0.0/8", "::ffff:127.0.0.9") == 1 &&
	    match("127.0.0.0/8", "::ffff:128.0.0.9") == 0 && match("::1", "::ffff:0.0.0.1") == 0,
	    "an IPv4-mapped IPv6 peer is matched as IPv4");
	test_ok(match("10.1.2.3/8", "10.9.9.9") == 1, "bits past the prefix are ignored");
	for (i = 0; bad[i]; i++)
		if (proxyhdr_net_parse(&n, bad[i]) == 0) {
			test_note("accepted: \"%s\"", bad[i]);
			all = 0;
		}
	test_ok(all, "malformed networks are refused (%d cases)", i);
}

int
main(void)
{
	test_v1();
	test_v2();
	test_net();
	return test_done();
}
