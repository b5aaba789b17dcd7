/* SPDX-License-Identifier: MIT */
/* fuzz_proxy.c - libFuzzer harness for proxy.c. The first byte picks
 * the parser: 0 the proxy's CONNECT reply, 1 a no_proxy list (the
 * bytes after the first NUL name the host), 2 a proxy URL and the
 * CONNECT request made with it. Each either refuses or gives results
 * of the promised forms. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proxy.h"

static void
reply(const char *d, size_t n)
{
	const char *why = NULL;
	size_t head = 0, head2 = 0;
	int status = 0, status2 = 0, r;

	r = proxy_reply(d, n, &head, &status, &why);
	if (r < -1 || r > 1 || !why || (r < 0 && !why[0]))
		abort();
	if (r != 1)
		return;
	/* A complete head: within the bytes, at least a status line and an
	 * empty line, a status of three digits; the same when cut there. */
	if (head < 14 || head > n || status < 100 || status > 599 || d[head - 1] != '\n')
		abort();
	if (proxy_reply(d, head, &head2, &status2, &why) != 1 || head2 != head ||
	    status2 != status || proxy_reply(d, head - 1, &head2, &status2, &why) != 0)
		abort();
}

static void
bypass(const char *d, size_t n)
{
	const char *nul = memchr(d, 0, n);
	char host[URL_HOST_MAX + 1];
	size_t hl;

	if (!nul)
		return;
	hl = n - (size_t)(nul - d) - 1;
	if (hl > URL_HOST_MAX)
		hl = URL_HOST_MAX;
	memcpy(host, nul + 1, hl);
	host[hl] = '\0';
	if (proxy_bypass(d, (size_t)(nul - d), host, "443") > 1)
		abort();
	/* "*" in front of any list matches everything. */
	if (proxy_bypass("*", 1, host, "80") != 1)
		abort();
}

static void
parse(const char *d, size_t n)
{
	char req[PROXY_REQUEST_MAX];
	const char *why = NULL;
	size_t a;
	proxy p;

	if (proxy_parse(&p, d, n, &why) != 0) {
		if (!why || !why[0])
			abort();
		return;
	}
	if (!memchr(p.host, 0, sizeof(p.host)) || !memchr(p.port, 0, sizeof(p.port)) ||
	    !memchr(p.name, 0, sizeof(p.name)) || !memchr(p.auth, 0, sizeof(p.auth)))
		abort();
	a = strlen(p.auth);
	if (!p.host[0] || atoi(p.port) < 1 || atoi(p.port) > 65535 || a % 4 ||
	    strspn(p.auth, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != a)
		abort();
	/* The request through it, to the proxy's own name, always fits and
	 * ends its head exactly once. */
	if (proxy_request(req, sizeof(req), &p, p.host, p.port) == 0)
		abort();
	if (strstr(req, "\r\n\r\n") != req + strlen(req) - 4)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data + 1;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0: reply(d, size - 1); break;
	case 1: bypass(d, size - 1); break;
	case 2: parse(d, size - 1); break;
	}
	return 0;
}
