/* SPDX-License-Identifier: MIT */
/* proxyhdr.h - the PROXY protocol header a load balancer puts in front of
 * a connection to tell the server who the client is (haproxy's
 * proxy-protocol.txt): version 1, one text line
 * "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n" of at most 107 bytes,
 * and version 2, a 12-byte signature, version and command, family and
 * protocol, a 16-bit length, the addresses and TLVs (skipped), in all at
 * most PROXYHDR_MAX bytes (config.h). Also the ADDR/PREFIX networks that
 * d20d trusts to send one (--proxy-from).
 *
 * Parsing walks a cursor over the caller's bytes; nothing allocates,
 * prints or keeps state. Not to be confused with proxy.h, the client's
 * HTTP CONNECT proxies. */
#ifndef D20_PROXYHDR_H
#define D20_PROXYHDR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PROXYHDR_V1_MAX 107	/* the longest line the spec allows, CRLF included */

/* What a whole, valid header says. af is AF_INET or AF_INET6 when it
 * names the client; AF_UNSPEC for a LOCAL command (v2: the balancer's own
 * connection, a health check), for UNKNOWN (v1) and for a family the
 * server does not take addresses from (v2 UDP, AF_UNIX): the connection's
 * own endpoints stand then. Addresses in network order (4 or 16 bytes). */
struct proxyhdr {
	int version;		/* 1 or 2 */
	int af;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

/* How many more bytes to read after the len bytes in buf before calling
 * proxyhdr_parse, such that a read of exactly that many never takes a
 * byte past the header's end (the HTTP or TLS bytes that follow stay
 * unread): > 0, read that many; 0, buf holds one whole header (perhaps
 * still invalid: parse it); -1, buf does not start a header, or its
 * length is past the bound. Start with len 0. */
long proxyhdr_need(const uint8_t *buf, size_t len);

/* Parse the header at the start of buf[0..len). Returns its length in
 * bytes (the bytes after it are the connection's own) and fills *h;
 * 0 when buf is a valid beginning that needs more bytes; -1 when it is
 * not a valid header or longer than allowed. */
long proxyhdr_parse(struct proxyhdr *h, const uint8_t *buf, size_t len);

/* A network: bits leading bits of addr (4 bytes for AF_INET, 16 for
 * AF_INET6). */
struct proxyhdr_net {
	int af;
	unsigned bits;
	uint8_t addr[16];
};

/* "ADDR/PREFIX" or "ADDR" (the address alone), IPv4 dotted decimal with
 * /0 to /32 or IPv6 with /0 to /128, into *n. Returns 0 or -1. Bits of
 * ADDR past the prefix are ignored. */
int proxyhdr_net_parse(struct proxyhdr_net *n, const char *s);

/* 1 when the address (af AF_INET: 4 bytes, AF_INET6: 16) is in n, else
 * 0. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address. */
int proxyhdr_net_match(const struct proxyhdr_net *n, int af, const uint8_t *addr);

#endif
