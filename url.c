/* SPDX-License-Identifier: MIT */
/* url.c - see url.h */
#include <string.h>

#include "url.h"
#include "util.h"

/* 1 when s[0..len) starts with the lower-case word w, in any case. */
static int
prefix_nocase(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && eq_nocase(s, n, w);
}

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static int
v6_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

int
url_parse(url *u, const char *s, size_t len, const char **why)
{
	size_t pos, start, hlen, plen, i;
	unsigned long port = 0;
	int v6 = 0, have_port = 0;

	memset(u, 0, sizeof(*u));
	*why = "URL too long";
	if (len > URL_MAX)
		return -1;

	*why = "URL must start with http:// or https://";
	if (prefix_nocase(s, len, "http://"))
		pos = 7;
	else if (prefix_nocase(s, len, "https://"))
		pos = 8, u->tls = 1;
	else
		return -1;

	/* Host: a bracketed IPv6 literal, or a name or IPv4 address. */
	start = pos;
	if (pos < len && s[pos] == '[') {
		v6 = 1;
		for (pos++; pos < len && s[pos] != ']'; pos++) {
			*why = "bad character in IPv6 address";
			if (!v6_char((unsigned char)s[pos]))
				return -1;
		}
		*why = "IPv6 address without ']'";
		if (pos == len)
			return -1;
		hlen = pos - start - 1;
		pos++;
		*why = "bad IPv6 address";
		if (hlen < 2 || !memchr(s + start + 1, ':', hlen))
			return -1;
	} else {
		while (pos < len && name_char((unsigned char)s[pos]))
			pos++;
		hlen = pos - start;
	}
	*why = "empty host";
	if (hlen == 0)
		return -1;
	*why = "host name too long";
	if (hlen > URL_HOST_MAX)
		return -1;
	memcpy(u->host, s + start + v6, hlen);
	memcpy(u->hosthdr, s + start, pos - start);

	/* Port: 1 to 65535, leading zeros allowed, at most 5 digits. */
	if (pos < len && s[pos] == ':') {
		have_port = 1;
		for (i = 0, pos++; pos < len && s[pos] >= '0' && s[pos] <= '9'; pos++, i++) {
			*why = "bad port";
			if (i == 5)
				return -1;
			port = port * 10 + (unsigned long)(s[pos] - '0');
		}
		*why = "bad port";
		if (i == 0 || port == 0 || port > 65535)
			return -1;
	} else {
		port = u->tls ? 443 : 80;
	}
	/* port <= 65535: five digits and a NUL fit port[6]. */
	for (i = 0, hlen = port; hlen > 0; hlen /= 10)
		i++;
	u->port[i] = '\0';
	for (hlen = port; i > 0; hlen /= 10)
		u->port[--i] = (char)('0' + hlen % 10);
	if (have_port && port != (u->tls ? 443UL : 80UL)) {
		i = strlen(u->hosthdr);
		u->hosthdr[i] = ':';
		memcpy(u->hosthdr + i + 1, u->port, strlen(u->port) + 1);
	}

	/* Path (and query): what is left, visible ASCII only. */
	*why = pos < len && s[pos] == '@' ? "URL holds user info ('@')" :
	    "host must be followed by ':', '/', '?' or the end";
	if (pos < len && s[pos] != '/' && s[pos] != '?')
		return -1;
	for (i = pos; i < len; i++) {
		*why = "URL holds a fragment ('#')";
		if (s[i] == '#')
			return -1;
		*why = "bad character in URL path";
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return -1;
	}
	plen = len - pos;
	if (plen == 0 || (plen == 1 && s[pos] == '/')) {
		memcpy(u->path, URL_DEFAULT_PATH, sizeof(URL_DEFAULT_PATH));
	} else {
		*why = "URL path too long";
		if (plen + (s[pos] == '?') > URL_PATH_MAX)
			return -1;
		i = 0;
		if (s[pos] == '?')
			u->path[i++] = '/';
		memcpy(u->path + i, s + pos, plen);
	}
	*why = "";
	return 0;
}
