/* SPDX-License-Identifier: MIT */
/* proxyhdr.c - see proxyhdr.h */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "proxyhdr.h"
#include "util.h"

/* Version 2 starts with these 12 bytes; version 1 with "PROXY ". The
 * first 6 bytes of each tell them apart, and no valid header is shorter
 * than 15 (v1 "PROXY UNKNOWN\r\n") or 16 (v2). */
static const uint8_t sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};
static const char v1[] = "PROXY ";

static size_t
min(size_t a, size_t b)
{
	return a < b ? a : b;
}

long
proxyhdr_need(const uint8_t *buf, size_t len)
{
	size_t total;

	if (len < 6)
		return (long)(6 - len);
	if (memcmp(buf, sig, min(len, 12)) == 0) {
		if (len < 16)
			return (long)(16 - len);
		total = 16 + ((size_t)buf[14] << 8 | buf[15]);
		if (total > PROXYHDR_MAX)
			return -1;
		return len < total ? (long)(total - len) : 0;
	}
	if (memcmp(buf, v1, 6) != 0)
		return -1;
	if (memchr(buf, '\n', len))
		return 0;
	/* byte by byte to the line's end: a lone LF ends it too, to be
	 * refused at once */
	return len < PROXYHDR_V1_MAX ? 1 : -1;
}

/* A decimal number at *p, before end, at most max, with no leading zero
 * (v1 writes them so, to rule out octal): moves *p past it. 0 or -1. */
static int
decimal(const char **p, const char *end, unsigned long max, unsigned long *v)
{
	const char *s = *p;

	*v = 0;
	while (s < end && *s >= '0' && *s <= '9' && *v <= max)
		*v = *v * 10 + (unsigned long)(*s++ - '0');
	if (s == *p || *v > max || (**p == '0' && s - *p > 1))
		return -1;
	*p = s;
	return 0;
}

/* An address of family af at *p, up to the next space or end: IPv4 as
 * exactly four decimals 0-255 without leading zeros, IPv6 as text of 128
 * bits; ip_parse reads both so. Moves *p past it. 0 or -1. */
static int
address(const char **p, const char *end, int af, uint8_t out[16])
{
	char text[46];
	size_t n;

	for (n = 0; *p + n < end && (*p)[n] != ' '; n++)
		;
	/* a NUL would end the text early for ip_parse */
	if (n >= sizeof(text) || memchr(*p, '\0', n))
		return -1;
	memcpy(text, *p, n);
	text[n] = '\0';
	*p += n;
	return ip_parse(af, text, out);
}

/* v1: the line after "PROXY ", from p to its CR at end. */
static int
parse_v1(struct proxyhdr *h, const char *p, const char *end)
{
	unsigned long sport, dport;
	int af;

	/* the receiver ignores whatever follows UNKNOWN */
	if (end - p >= 7 && memcmp(p, "UNKNOWN", 7) == 0 && (p + 7 == end || p[7] == ' '))
		return 0;
	if (end - p < 5 || memcmp(p, "TCP", 3) != 0 || (p[3] != '4' && p[3] != '6') ||
	    p[4] != ' ')
		return -1;
	af = p[3] == '4' ? AF_INET : AF_INET6;
	p += 5;
	if (address(&p, end, af, h->src) < 0 || p >= end || *p++ != ' ' ||
	    address(&p, end, af, h->dst) < 0 || p >= end || *p++ != ' ' ||
	    decimal(&p, end, 65535, &sport) < 0 || p >= end || *p++ != ' ' ||
	    decimal(&p, end, 65535, &dport) < 0 || p != end)
		return -1;
	h->af = af;
	h->sport = (uint16_t)sport;
	h->dport = (uint16_t)dport;
	return 0;
}

/* v2: the whole header buf[0..len). */
static int
parse_v2(struct proxyhdr *h, const uint8_t *buf, size_t len)
{
	size_t alen, n;
	int cmd = buf[12] & 15, fam = buf[13];

	if (buf[12] >> 4 != 2 || cmd > 1)
		return -1;
	if (cmd == 0)
		return 0;	/* LOCAL: family and addresses are ignored */
	/* PROXY: the known family and protocol pairs; UNSPEC, UDP and
	 * AF_UNIX fall back to the connection's own endpoints */
	alen = fam >> 4 == 1 ? 12 : fam >> 4 == 2 ? 36 : fam >> 4 == 3 ? 216 : 0;
	if ((fam != 0 && ((fam & 15) < 1 || (fam & 15) > 2 || alen == 0)) ||
	    len - 16 < alen)
		return -1;
	if (fam != 0x11 && fam != 0x21)
		return 0;
	n = fam == 0x11 ? 4 : 16;
	h->af = fam == 0x11 ? AF_INET : AF_INET6;
	memcpy(h->src, buf + 16, n);
	memcpy(h->dst, buf + 16 + n, n);
	h->sport = (uint16_t)(buf[16 + 2 * n] << 8 | buf[17 + 2 * n]);
	h->dport = (uint16_t)(buf[18 + 2 * n] << 8 | buf[19 + 2 * n]);
	return 0;	/* TLVs, if any, are skipped */
}

long
proxyhdr_parse(struct proxyhdr *h, const uint8_t *buf, size_t len)
{
	size_t have = 0;
	long n;

	/* where the header ends: as a reader finds it (proxyhdr_need) */
	while ((n = proxyhdr_need(buf, have)) > 0) {
		if ((size_t)n > len - have)
			return 0;
		have += (size_t)n;
	}
	if (n < 0)
		return -1;
	memset(h, 0, sizeof(*h));
	h->af = AF_UNSPEC;
	h->version = buf[0] == 'P' ? 1 : 2;
	if (h->version == 2)
		return parse_v2(h, buf, have) < 0 ? -1 : (long)have;
	/* v1: a CR before the LF, and no lone LF */
	if (buf[have - 2] != '\r' ||
	    parse_v1(h, (const char *)buf + 6, (const char *)buf + have - 2) < 0)
		return -1;
	return (long)have;
}

int
proxyhdr_net_parse(struct proxyhdr_net *n, const char *s)
{
	const char *slash = strchr(s, '/'), *end = slash ? slash : s + strlen(s), *p = s;
	unsigned long bits;

	memset(n, 0, sizeof(*n));
	n->af = memchr(s, ':', (size_t)(end - s)) ? AF_INET6 : AF_INET;
	if (address(&p, end, n->af, n->addr) < 0 || p != end)
		return -1;
	bits = n->af == AF_INET ? 32 : 128;
	if (slash) {
		p = slash + 1;
		if (decimal(&p, p + strlen(p), bits, &bits) < 0 || *p)
			return -1;
	}
	n->bits = (unsigned)bits;
	return 0;
}

int
proxyhdr_net_match(const struct proxyhdr_net *n, int af, const uint8_t *addr)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (af == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		af = AF_INET;
		addr += 12;
	}
	if (af != n->af || memcmp(addr, n->addr, full) != 0)
		return 0;
	return !rest || !((addr[full] ^ n->addr[full]) & (0xff00 >> rest));
}
