/* SPDX-License-Identifier: MIT */
/* proxy.c - see proxy.h */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy.h"
#include "util.h"

const char *
proxy_env(int tls, const char *(*get)(const char *name), const char **name)
{
	const char *v;

	*name = tls ? "https_proxy" : "http_proxy";
	if ((v = get(*name)) != NULL || !tls)
		return v;
	*name = "HTTPS_PROXY";
	return get(*name);
}

const char *
proxy_noproxy_env(const char *(*get)(const char *name))
{
	const char *v;

	if ((v = get("no_proxy")) != NULL)
		return v;
	return get("NO_PROXY");
}

/* 1 when the n bytes at a and b are equal, ASCII letters in any case. */
static int
same_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Percent-decode s[len] onto out at *n (out holds max bytes). Returns 0,
 * or -1 on a bad escape or when it does not fit. */
static int
pct_decode(char *out, size_t max, size_t *n, const char *s, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (*n == max)
			return -1;
		if (s[i] != '%') {
			out[(*n)++] = s[i];
			continue;
		}
		if (len - i < 3 || (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 2])) < 0)
			return -1;
		out[(*n)++] = (char)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

/* Standard base64 with padding; out holds 4 * ((len + 2) / 3) + 1. */
static void
base64(char *out, const uint8_t *in, size_t len)
{
	static const char d[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v;
	size_t i;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*out++ = d[v >> 18];
		*out++ = d[v >> 12 & 63];
		*out++ = i + 1 < len ? d[v >> 6 & 63] : '=';
		*out++ = i + 2 < len ? d[v & 63] : '=';
	}
	*out = '\0';
}

int
proxy_parse(proxy *p, const char *s, size_t len, const char **why)
{
	char tmp[URL_MAX + 8], user[PROXY_USER_MAX];
	size_t pos = 0, end, at, colon, i, n = 0;
	int has_port = 0, v6;
	url u;

	memset(p, 0, sizeof(*p));
	*why = "proxy URL too long";
	if (len > URL_MAX)
		return -1;
	*why = "empty proxy URL";
	if (len == 0)
		return -1;

	/* A scheme, when there is one, must be http: d20 speaks neither TLS
	 * to the proxy (https://) nor SOCKS. */
	for (i = 0; i + 2 < len && s[i] != '/' && s[i] != '@'; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
			break;
	if (i + 2 < len && s[i] == ':') {
		*why = "only http:// proxies are supported";
		if (i != 4 || !eq_nocase(s, 4, "http"))
			return -1;
		pos = 7;
	}

	/* The authority ends at the first '/'; only "/" may follow it. */
	for (end = pos; end < len && s[end] != '/'; end++)
		;
	*why = "a proxy URL has no path";
	if ((end < len && end + 1 != len) || memchr(s + pos, '?', end - pos))
		return -1;

	/* User info: up to the last '@', the user up to the first ':'. */
	for (at = end; at > pos && s[at - 1] != '@'; at--)
		;
	if (at > pos) {
		at--;
		for (colon = pos; colon < at && s[colon] != ':'; colon++)
			;
		*why = "bad or too long user name or password in the proxy URL";
		if (pct_decode(user, sizeof(user), &n, s + pos, colon - pos) < 0)
			return -1;
		*why = "empty user name in the proxy URL";
		if (n == 0)
			return -1;
		*why = "':' in the proxy's user name";
		if (memchr(user, ':', n))
			return -1;
		*why = "bad or too long user name or password in the proxy URL";
		if (n == sizeof(user))
			return -1;
		user[n++] = ':';
		if (colon < at && pct_decode(user, sizeof(user), &n, s + colon + 1,
		    at - colon - 1) < 0)
			return -1;
		base64(p->auth, (const uint8_t *)user, n);
		memzero(user, sizeof(user));
		pos = at + 1;
	}

	/* Host and port: url.c's rules, through an http URL of their own. */
	v6 = pos < end && s[pos] == '[';
	for (i = pos; i < end; i++)
		if (s[i] == ':' && (!v6 || s[i - 1] == ']'))
			has_port = 1;
	memcpy(tmp, "http://", 7);
	memcpy(tmp + 7, s + pos, end - pos);
	if (url_parse(&u, tmp, 7 + end - pos, why) < 0)
		return -1;
	memcpy(p->host, u.host, sizeof(p->host));
	memcpy(p->port, has_port ? u.port : PROXY_PORT,
	    has_port ? sizeof(p->port) : sizeof(PROXY_PORT));
	fmt(p->name, sizeof(p->name), v6 ? "[%s]:%s" : "%s:%s", p->host, p->port);
	*why = "";
	return 0;
}

/* The decimal number p[len] when lo <= it <= hi (hi < 100000), or -1. */
static long
decimal(const char *p, size_t len, long lo, long hi)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

/* An IPv4 or IPv6 address in s[len] (no brackets) into a[16]; returns
 * its family, or 0 when it is none. */
static int
address(const char *s, size_t len, uint8_t a[16])
{
	char tmp[64];

	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (ip_parse(AF_INET, tmp, a) == 0)
		return AF_INET;
	if (ip_parse(AF_INET6, tmp, a) == 0)
		return AF_INET6;
	return 0;
}

/* 1 when one no_proxy entry t[tl] matches. */
static int
entry_match(const char *t, size_t tl, const char *host, size_t hl, int hfam,
    const uint8_t ha[16], long port)
{
	const char *slash;
	uint8_t ta[16];
	size_t i, colons = 0, last = 0;
	long bits, want = -1, nbytes;

	if (tl == 1 && t[0] == '*')
		return 1;

	/* The port: after "]" for [v6], after the only ':' otherwise. */
	if (t[0] == '[') {
		for (i = 1; i < tl && t[i] != ']'; i++)
			;
		if (i == tl)
			return 0;
		if (i + 1 < tl) {
			if (t[i + 1] != ':' || (want = decimal(t + i + 2, tl - i - 2, 1, 65535)) < 0)
				return 0;
		}
		t++;
		tl = i - 1;
	} else {
		for (i = 0; i < tl; i++)
			if (t[i] == ':')
				colons++, last = i;
		if (colons == 1) {
			if ((want = decimal(t + last + 1, tl - last - 1, 1, 65535)) < 0)
				return 0;
			tl = last;
		}
	}
	if (want >= 0 && want != port)
		return 0;

	if (hfam) {
		/* An address, or a prefix ADDR/BITS, of the host's family. */
		bits = hfam == AF_INET ? 32 : 128;
		if ((slash = memchr(t, '/', tl)) != NULL) {
			i = (size_t)(slash - t);
			if ((bits = decimal(slash + 1, tl - i - 1, 0, bits)) < 0)
				return 0;
			tl = i;
		}
		if (address(t, tl, ta) != hfam)
			return 0;
		nbytes = bits / 8;
		if (memcmp(ta, ha, (size_t)nbytes))
			return 0;
		return bits % 8 == 0 ||
		    ((ta[nbytes] ^ ha[nbytes]) & (0xff00 >> (bits % 8) & 0xff)) == 0;
	}

	/* A name: itself or a subdomain of it. */
	if (tl >= 2 && t[0] == '*' && t[1] == '.')
		t += 2, tl -= 2;
	else if (tl >= 1 && t[0] == '.')
		t++, tl--;
	if (tl >= 1 && t[tl - 1] == '.')
		tl--;
	if (tl == 0 || tl > hl)
		return 0;
	if (tl < hl && host[hl - tl - 1] != '.')
		return 0;
	return same_nocase(t, host + hl - tl, tl);
}

int
proxy_bypass(const char *list, size_t len, const char *host, const char *port)
{
	uint8_t ha[16];
	size_t i = 0, s, hl = strlen(host);
	long pn = decimal(port, strlen(port), 1, 65535);
	int hfam;

	hfam = address(host, hl, ha);
	if (!hfam && hl > 0 && host[hl - 1] == '.')
		hl--;
	while (i < len) {
		while (i < len && (list[i] == ',' || list[i] == ' ' || list[i] == '\t'))
			i++;
		for (s = i; i < len && list[i] != ',' && list[i] != ' ' && list[i] != '\t'; i++)
			;
		if (i > s && entry_match(list + s, i - s, host, hl, hfam, ha, pn))
			return 1;
	}
	return 0;
}

size_t
proxy_request(char *buf, size_t size, const proxy *p, const char *host,
    const char *port)
{
	const char *l = strchr(host, ':') ? "[" : "", *r = l[0] ? "]" : "";
	size_t n;

	n = fmt(buf, size, "CONNECT %s%s%s:%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
	    "User-Agent: d20\r\n%s%s%s\r\n", l, host, r, port, l, host, r, port,
	    p->auth[0] ? "Proxy-Authorization: Basic " : "", p->auth,
	    p->auth[0] ? "\r\n" : "");
	return n < size - 1 ? n : 0;
}

int
proxy_reply(const char *buf, size_t len, size_t *head, int *status,
    const char **why)
{
	static const char pre[] = "HTTP/1.";
	size_t i, ls;
	int c;

	/* The status line: "HTTP/1.x NNN", then a space or the line end.
	 * Judged as soon as its bytes are there, so that garbage fails at
	 * once rather than at the deadline. */
	*why = "the proxy's reply is not HTTP";
	for (i = 0; i < len && i < sizeof(pre) - 1; i++)
		if (buf[i] != pre[i])
			return -1;
	if (len > 7 && (buf[7] < '0' || buf[7] > '9'))
		return -1;
	if (len > 8 && buf[8] != ' ')
		return -1;
	for (i = 9; i < len && i < 12; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
	if (len > 12 && buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n')
		return -1;
	if (len < 13)
		return 0;
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	*why = "bad status in the proxy's reply";
	if (*status < 100 || *status > 599)
		return -1;

	/* Lines up to an empty one; a CR only right before its LF, no other
	 * control byte but tab. */
	*why = "bad byte in the proxy's reply head";
	for (ls = 0, i = 0; i < len; i++) {
		c = (unsigned char)buf[i];
		if (c == '\r') {
			if (i + 1 < len && buf[i + 1] != '\n')
				return -1;
			continue;
		}
		if (c == '\n') {
			if (i == ls || (i == ls + 1 && buf[ls] == '\r')) {
				*head = i + 1;
				*why = "";
				return 1;
			}
			ls = i + 1;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -1;
	}
	return 0;
}
