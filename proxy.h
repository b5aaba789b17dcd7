/* SPDX-License-Identifier: MIT */
/* proxy.h - HTTP proxies for d20, by curl's rules: which variable names
 * the proxy, which hosts no_proxy sends direct, the proxy URL, the
 * CONNECT request and the proxy's reply to it. Pure code over buffers:
 * no I/O, no heap, nothing printed. d20 then runs TLS (or plain HTTP)
 * through the tunnel exactly as over a direct connection. */
#ifndef D20_PROXY_H
#define D20_PROXY_H

#include <stddef.h>

#include "url.h"

#define PROXY_PORT "1080"	/* curl's, when the proxy URL names none */
#define PROXY_USER_MAX 255	/* "user:password" after percent-decoding */
#define PROXY_AUTH_MAX ((PROXY_USER_MAX + 2) / 3 * 4)	/* its base64 */
#define PROXY_REPLY_MAX 4096	/* the proxy's reply head to CONNECT */
/* CONNECT line, Host, User-Agent and Proxy-Authorization, with room. */
#define PROXY_REQUEST_MAX (3 * (URL_HOST_MAX + 8) + PROXY_AUTH_MAX + 128)

typedef struct {
	char host[URL_HOST_MAX + 1];	/* to resolve: no brackets */
	char port[6];			/* decimal */
	char name[URL_HOST_MAX + 9];	/* "host:port", "[v6]:port": for messages */
	char auth[PROXY_AUTH_MAX + 1];	/* base64 of "user:password", or "" */
} proxy;

/* The proxy for a server of this scheme (tls: https) from the
 * environment as curl reads it: "https_proxy", then "HTTPS_PROXY";
 * for http only "http_proxy" (a CGI program gets an HTTP_PROXY variable
 * from any client's "Proxy:" header). A lower-case variable that is set
 * wins even when empty. get is getenv, or a test's table; *name is set
 * to the variable found. Returns its value, or NULL when none is set. */
const char *proxy_env(int tls, const char *(*get)(const char *name),
    const char **name);

/* "no_proxy", else "NO_PROXY", else NULL. */
const char *proxy_noproxy_env(const char *(*get)(const char *name));

/* Parse a proxy URL in the len bytes at s: [http://][user[:password]@]
 * host[:port][/], host a name, IPv4 address or [IPv6] literal, port
 * PROXY_PORT when absent; user and password percent-decoded. Other
 * schemes (https://, socks5://...) and paths are refused. Returns 0, or
 * -1 with *why set to a static one-line reason that never quotes s
 * (which may hold a password). */
int proxy_parse(proxy *p, const char *s, size_t len, const char **why);

/* 1 when the no_proxy list (len bytes) sends host (as url_parse gives
 * it: no brackets) and port (decimal) direct, else 0. The list: entries
 * separated by commas or blanks; "*" matches every host; a name matches
 * itself and its subdomains, in any case, a leading "." or "*." and a
 * trailing "." ignored ("example.org" and ".example.org" both match
 * example.org and www.example.org, not badexample.org); an IPv4 or IPv6
 * address ([v6] or bare) matches that address, ADDR/BITS a prefix, and
 * only for a host given as an address (names are never resolved here);
 * an entry may end in ":PORT" ("[v6]:PORT") to match that port only. */
int proxy_bypass(const char *list, size_t len, const char *host,
    const char *port);

/* Write the CONNECT request for host and port (as url_parse gives them)
 * through p to buf[size]: request line, Host, User-Agent: d20 and, with
 * credentials, Proxy-Authorization: Basic. Returns its length, or 0 when
 * it does not fit. The buffer holds the credentials: wipe it after. */
size_t proxy_request(char *buf, size_t size, const proxy *p, const char *host,
    const char *port);

/* Read the proxy's reply head in buf[len] (the bytes so far): a status
 * line "HTTP/1.x NNN ..." and header lines up to an empty line (CRLF or
 * bare LF line ends). Returns 1 when the head is complete, with its
 * length in *head and the status in *status; 0 when more bytes are
 * needed (the caller bounds them at PROXY_REPLY_MAX); -1 with *why set
 * when it is no HTTP reply. Headers are not interpreted: a 2xx reply to
 * CONNECT has no body, and any other status fails the tunnel. */
int proxy_reply(const char *buf, size_t len, size_t *head, int *status,
    const char **why);

#endif
