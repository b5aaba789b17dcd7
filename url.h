/* SPDX-License-Identifier: MIT */
/* url.h - parse the http:// and https:// URLs d20 asks. Bounded, no heap:
 * the parsed parts are copied into the caller's url struct. */
#ifndef D20_URL_H
#define D20_URL_H

#include <stddef.h>

#define URL_MAX 512		/* whole URL, bytes */
#define URL_HOST_MAX 253	/* a DNS name's longest text form */
#define URL_PATH_MAX 256
#define URL_DEFAULT_PATH "/api/entropy"

typedef struct {
	int tls;			/* 1 for https:// */
	char host[URL_HOST_MAX + 1];	/* as the resolver wants it: no brackets */
	char port[6];			/* decimal, the scheme's default when absent */
	char path[URL_PATH_MAX + 1];	/* starts with '/', may hold a query */
	char hosthdr[URL_HOST_MAX + 9];	/* Host header value: [v6] and :port kept */
} url;

/* Parse the len bytes at s (no NUL needed). Accepts a scheme in any
 * case, a host name or IPv4 address or [IPv6] literal, an optional
 * port 1-65535 and a path of visible ASCII; no user info, no fragment.
 * An empty path or "/" becomes URL_DEFAULT_PATH. Returns 0, or -1 with
 * *why set to a static one-line reason. */
int url_parse(url *u, const char *s, size_t len, const char **why);

#endif
