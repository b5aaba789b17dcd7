/* SPDX-License-Identifier: MIT */
/* dns.h - a small, bounded name resolver for d20 (RFC 1035): IP
 * literals, /etc/hosts, then A and AAAA queries over UDP to the name
 * servers of /etc/resolv.conf. No heap, no stdio, no search domains: a
 * name is always taken as absolute. The parsers take buffers, so that
 * tests and fuzzers can feed them any bytes. Nothing here prints or exits. */
#ifndef D20_DNS_H
#define D20_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_ADDR_MAX 8		/* addresses returned for one name */
#define DNS_NS_MAX 3		/* name servers asked, as glibc and musl */
#define DNS_QUERY_MAX 288	/* header, a 255-byte name, type and class */
#define DNS_RANDOM_LEN 16	/* caller's random bytes: the query IDs */
#define DNS_HOSTS "/etc/hosts"
#define DNS_RESOLV_CONF "/etc/resolv.conf"

/* What dns_answer makes of a reply. */
enum dns_result {
	DNS_IGNORE = -1,	/* not a reply to this query, or malformed */
	DNS_NXDOMAIN = -2,	/* the name does not exist */
	DNS_SERVER = -3		/* the server failed (SERVFAIL, REFUSED...) */
};

/* An IPv4 or IPv6 literal (no brackets, no scope) as an address with
 * port (host order) in *out. Returns 1, or 0 when host is no literal. */
int dns_literal(const char *host, uint16_t port, struct sockaddr_storage *out);

/* The addresses /etc/hosts gives name (compared without case and
 * without a trailing dot), from the len bytes at buf: whole lines, the
 * last one may lack its newline. Appends to out[max] from index n and
 * returns the new count. */
int dns_hosts_parse(const char *buf, size_t len, const char *name,
    uint16_t port, struct sockaddr_storage *out, int max, int n);

/* The "nameserver ADDR" lines of resolv.conf in the len bytes at buf,
 * IPv4 or IPv6, port 53. Appends to ns[DNS_NS_MAX] from index n and
 * returns the new count. */
int dns_resolv_parse(const char *buf, size_t len,
    struct sockaddr_storage ns[DNS_NS_MAX], int n);

/* Write a query for name (type 1 for A, 28 for AAAA; class IN;
 * recursion desired) with this id to out. Returns its length, or 0 when
 * name is no valid DNS name (an empty label, a label over 63 bytes, over
 * 255 bytes in all). */
size_t dns_query(uint8_t out[DNS_QUERY_MAX], const char *name, uint16_t id,
    uint16_t type);

/* Read the reply msg[len] to the query q[qlen] made by dns_query: the
 * ID, QR, opcode and the question must match. Follows CNAMEs from the
 * question's name through the answer section and appends the A or AAAA
 * records of class IN for the name reached to out[max] from index *n,
 * with port (host order). Returns the number appended (0: the name
 * has no such record), or an enum dns_result. */
int dns_answer(const uint8_t *msg, size_t len, const uint8_t *q, size_t qlen,
    uint16_t port, struct sockaddr_storage *out, int max, int *n);

/* Open /etc/hosts and /etc/resolv.conf now, so that a process about to
 * give up its privileges can still read them in dns_resolve; a file that
 * cannot be opened is read by path later, as without this. Once only:
 * the descriptors stay open (close-on-exec) for the process's life. */
void dns_preopen(void);

/* Resolve host for port: a literal, then /etc/hosts, then DNS over UDP,
 * each server of resolv.conf in turn (127.0.0.1 when it names none) with
 * a share of the time left; returns by timeout_ms whatever the servers
 * do. rnd gives the query IDs: bytes the caller got without blocking.
 * Returns the number of addresses put in out (at least 1), or -1 with
 * *why set to a static one-line reason. */
int dns_resolve(const char *host, uint16_t port,
    const uint8_t rnd[DNS_RANDOM_LEN], long timeout_ms,
    struct sockaddr_storage out[DNS_ADDR_MAX], const char **why);

/* The length of the socket address in ss, by its family. */
unsigned dns_addrlen(const struct sockaddr_storage *ss);

#endif
