/* SPDX-License-Identifier: MIT */
/* proxy_test.c - proxy.c: curl's environment rules, proxy URLs,
 * no_proxy matching, the CONNECT request's exact bytes and the proxy's
 * reply, good and hostile, whole and cut at every offset. */
#include "../proxy.h"
#include "test.h"

/* The environment of one case: NAME=VALUE pairs; NULL ends it. */
static const char *const *env_now;

static const char *
env_get(const char *name)
{
	const char *const *e;

	for (e = env_now; e && *e; e += 2)
		if (!strcmp(e[0], name))
			return e[1];
	return NULL;
}

static void
test_env(void)
{
	static const char *const none[] = { NULL };
	static const char *const lower[] = { "http_proxy", "a", "https_proxy", "b",
	    "HTTP_PROXY", "c", "HTTPS_PROXY", "d", "no_proxy", "e", "NO_PROXY", "f", NULL };
	static const char *const upper[] = { "HTTP_PROXY", "c", "HTTPS_PROXY", "d",
	    "NO_PROXY", "f", NULL };
	static const char *const empty[] = { "https_proxy", "", "HTTPS_PROXY", "d",
	    "no_proxy", "", "NO_PROXY", "f", NULL };
	const char *name = "";
	int all = 1;

	env_now = none;
	all &= proxy_env(0, env_get, &name) == NULL && proxy_env(1, env_get, &name) == NULL &&
	    proxy_noproxy_env(env_get) == NULL;
	env_now = lower;
	all &= !strcmp(proxy_env(0, env_get, &name), "a") && !strcmp(name, "http_proxy");
	all &= !strcmp(proxy_env(1, env_get, &name), "b") && !strcmp(name, "https_proxy");
	all &= !strcmp(proxy_noproxy_env(env_get), "e");
	test_ok(all, "proxy env: lower-case variables first, none when none is set");

	env_now = upper;
	all = proxy_env(0, env_get, &name) == NULL;
	all &= !strcmp(proxy_env(1, env_get, &name), "d") && !strcmp(name, "HTTPS_PROXY");
	all &= !strcmp(proxy_noproxy_env(env_get), "f");
	test_ok(all, "proxy env: HTTPS_PROXY and NO_PROXY are read, HTTP_PROXY never (CGI)");

	env_now = empty;
	all = !strcmp(proxy_env(1, env_get, &name), "") && !strcmp(name, "https_proxy");
	all &= !strcmp(proxy_noproxy_env(env_get), "");
	test_ok(all, "proxy env: a lower-case variable set empty wins over upper case");
}

static void
test_parse(void)
{
	static const struct {
		const char *in, *host, *port, *name, *auth;
	} good[] = {
		{ "http://proxy.example:3128/", "proxy.example", "3128", "proxy.example:3128", "" },
		{ "http://proxy.example:3128", "proxy.example", "3128", "proxy.example:3128", "" },
		{ "HTTP://P:8080", "P", "8080", "P:8080", "" },
		{ "proxy:3128", "proxy", "3128", "proxy:3128", "" },
		{ "proxy", "proxy", "1080", "proxy:1080", "" },
		{ "http://10.0.0.1", "10.0.0.1", "1080", "10.0.0.1:1080", "" },
		{ "http://10.0.0.1:80/", "10.0.0.1", "80", "10.0.0.1:80", "" },
		{ "http://[::1]:8888/", "::1", "8888", "[::1]:8888", "" },
		{ "[fe80::2]", "fe80::2", "1080", "[fe80::2]:1080", "" },
		/* RFC 7617's example: Aladdin / open sesame */
		{ "http://Aladdin:open%20sesame@p:3128", "p", "3128", "p:3128",
		  "QWxhZGRpbjpvcGVuIHNlc2FtZQ==" },
		{ "http://u@p:1", "p", "1", "p:1", "dTo=" },
		{ "http://u:@p:1", "p", "1", "p:1", "dTo=" },
		{ "http://a%40b:p@ss:w@h:2/", "h", "2", "h:2", "YUBiOnBAc3M6dw==" },
		{ "http://ab:c@[::1]:3", "::1", "3", "[::1]:3", "YWI6Yw==" },
	};
	static const char *const bad[] = {
		"", "http://", "https://p:3128", "socks5://p:1080", "socks5h://p",
		"ftp://p", "http://p:3128/x", "http://p:3128//", "http://p?x", "http://p:0",
		"http://p:65536", "http://p:x", "http://[::1", "http://:3128", "http://@p",
		"http://:pw@p", "http://u%3Ax:pw@p", "http://u%zz@p", "http://u:%4@p",
		"http://p#f", "http://p q", "http://p/ ",
	};
	char big[600];
	const char *why;
	size_t i;
	proxy p;
	int all = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = "";
		if (proxy_parse(&p, good[i].in, strlen(good[i].in), &why) != 0 ||
		    strcmp(p.host, good[i].host) || strcmp(p.port, good[i].port) ||
		    strcmp(p.name, good[i].name) || strcmp(p.auth, good[i].auth)) {
			test_note("good %zu (%s): %s host=%s port=%s name=%s auth=%s", i,
			    good[i].in, why, p.host, p.port, p.name, p.auth);
			all = 0;
		}
	}
	test_ok(all, "proxy URL: %zu good ones give host, port, name and Basic credentials",
	    sizeof(good) / sizeof(good[0]));

	for (i = 0, all = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = "";
		if (proxy_parse(&p, bad[i], strlen(bad[i]), &why) != -1 || !why[0]) {
			test_note("bad %zu (%s) accepted", i, bad[i]);
			all = 0;
		}
		/* The reason never quotes the URL: it may hold a password. */
		if (strstr(why, "pw") || strstr(why, "%"))
			all = 0;
	}
	test_ok(all, "proxy URL: %zu bad ones refused with a reason", sizeof(bad) / sizeof(bad[0]));

	proxy_parse(&p, "https://p", 9, &why);
	test_ok(!strcmp(why, "only http:// proxies are supported"),
	    "proxy URL: https:// and socks are refused by name (%s)", why);

	/* Credentials: 255 bytes decoded fit, 256 do not. */
	memcpy(big, "http://", 7);
	memset(big + 7, 'u', 254);
	memcpy(big + 261, "@p", 2);
	test_ok(proxy_parse(&p, big, 263, &why) == 0 && strlen(p.auth) == PROXY_AUTH_MAX,
	    "proxy URL: %d bytes of user:password fit", PROXY_USER_MAX);
	memset(big + 7, 'u', 255);
	memcpy(big + 262, "@p", 2);
	test_ok(proxy_parse(&p, big, 264, &why) == -1, "proxy URL: one more is refused");
	memset(big, 'a', sizeof(big));
	test_ok(proxy_parse(&p, big, URL_MAX + 1, &why) == -1, "proxy URL: over %d bytes refused",
	    URL_MAX);
	test_ok(proxy_parse(&p, "proxy:3128/junk", 10, &why) == 0 && !strcmp(p.name, "proxy:3128"),
	    "proxy URL: only len bytes are read");
}

static void
test_bypass(void)
{
	static const struct {
		const char *list, *host, *port;
		int want;
	} c[] = {
		{ "", "example.org", "443", 0 },
		{ "*", "example.org", "443", 1 },
		{ " * ", "10.1.2.3", "80", 1 },
		{ "a.b,*", "x.y", "80", 1 },
		{ "example.org", "example.org", "443", 1 },
		{ "example.org", "EXAMPLE.org", "443", 1 },
		{ "Example.Org", "www.example.org", "443", 1 },
		{ "example.org", "a.b.example.org", "443", 1 },
		{ "example.org", "badexample.org", "443", 0 },
		{ "example.org", "example.org.evil", "443", 0 },
		{ "example.org", "org", "443", 0 },
		{ ".example.org", "example.org", "443", 1 },
		{ ".example.org", "www.example.org", "443", 1 },
		{ "*.example.org", "www.example.org", "443", 1 },
		{ "example.org.", "www.example.org", "443", 1 },
		{ "example.org", "www.example.org.", "443", 1 },
		{ "www.example.org", "example.org", "443", 0 },
		{ "a.com, example.org ,b.com", "example.org", "443", 1 },
		{ "a.com example.org", "example.org", "443", 1 },
		{ ",,,", "example.org", "443", 0 },
		{ ".", "example.org", "443", 0 },
		{ "example.org:443", "example.org", "443", 1 },
		{ "example.org:443", "example.org", "27184", 0 },
		{ "example.org:0443", "example.org", "443", 1 },
		{ "example.org:x", "example.org", "443", 0 },
		{ "localhost", "127.0.0.1", "80", 0 },
		{ "127.0.0.1", "127.0.0.1", "80", 1 },
		{ "127.0.0.1", "localhost", "80", 0 },
		{ "127.0.0.1", "127.0.0.10", "80", 0 },
		{ "127.0.0.1:80", "127.0.0.1", "80", 1 },
		{ "127.0.0.1:81", "127.0.0.1", "80", 0 },
		{ "127.0.0.0/8", "127.9.9.9", "80", 1 },
		{ "127.0.0.0/8", "128.0.0.1", "80", 0 },
		{ "10.0.0.0/9", "10.127.0.1", "80", 1 },
		{ "10.0.0.0/9", "10.128.0.1", "80", 0 },
		{ "0.0.0.0/0", "192.0.2.1", "80", 1 },
		{ "10.0.0.0/33", "10.0.0.0", "80", 0 },
		{ "10.0.0.0/", "10.0.0.0", "80", 0 },
		{ "::1", "::1", "443", 1 },
		{ "[::1]", "::1", "443", 1 },
		{ "[::1]:443", "::1", "443", 1 },
		{ "[::1]:443", "::1", "80", 0 },
		{ "0:0::1", "::1", "443", 1 },
		{ "::1", "127.0.0.1", "443", 0 },
		{ "127.0.0.1", "::1", "443", 0 },
		{ "fd00::/8", "fd12:3456::1", "443", 1 },
		{ "fd00::/8", "fe80::1", "443", 0 },
		{ "2001:db8::/127", "2001:db8::1", "443", 1 },
		{ "2001:db8::/128", "2001:db8::1", "443", 0 },
		{ "[::1", "::1", "443", 0 },
		{ "[::1]x", "::1", "443", 0 },
	};
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (proxy_bypass(c[i].list, strlen(c[i].list), c[i].host, c[i].port) != c[i].want) {
			test_note("no_proxy=\"%s\" host %s port %s: want %d", c[i].list,
			    c[i].host, c[i].port, c[i].want);
			all = 0;
		}
	test_ok(all, "no_proxy: %zu known answers (names, suffixes, addresses, prefixes, ports, *)",
	    sizeof(c) / sizeof(c[0]));
	test_ok(proxy_bypass("example.org,*", 11, "other.net", "80") == 0,
	    "no_proxy: only len bytes are read");
}

static void
test_request(void)
{
	char buf[PROXY_REQUEST_MAX], host[URL_HOST_MAX + 1];
	const char *why;
	proxy p;
	size_t n;

	proxy_parse(&p, "http://p:3128", 13, &why);
	n = proxy_request(buf, sizeof(buf), &p, "example.org", "443");
	test_ok(n == strlen(buf) && !strcmp(buf, "CONNECT example.org:443 HTTP/1.1\r\n"
	    "Host: example.org:443\r\nUser-Agent: d20\r\n\r\n"),
	    "CONNECT: exact bytes for a name");
	n = proxy_request(buf, sizeof(buf), &p, "::1", "27184");
	test_ok(n && !strcmp(buf, "CONNECT [::1]:27184 HTTP/1.1\r\n"
	    "Host: [::1]:27184\r\nUser-Agent: d20\r\n\r\n"), "CONNECT: IPv6 in brackets");
	proxy_parse(&p, "http://Aladdin:open%20sesame@p:3128", 35, &why);
	n = proxy_request(buf, sizeof(buf), &p, "10.0.0.1", "80");
	test_ok(n && !strcmp(buf, "CONNECT 10.0.0.1:80 HTTP/1.1\r\nHost: 10.0.0.1:80\r\n"
	    "User-Agent: d20\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"),
	    "CONNECT: Basic credentials");
	test_ok(proxy_request(buf, 40, &p, "10.0.0.1", "80") == 0,
	    "CONNECT: a request that does not fit gives 0");
	memset(host, 'h', URL_HOST_MAX);
	host[URL_HOST_MAX] = '\0';
	memset(p.auth, 'A', PROXY_AUTH_MAX);
	p.auth[PROXY_AUTH_MAX] = '\0';
	test_ok(proxy_request(buf, sizeof(buf), &p, host, "65535") != 0,
	    "CONNECT: the longest host and credentials fit PROXY_REQUEST_MAX");
}

static void
test_reply(void)
{
	static const struct {
		const char *in;
		int ret, status;
		size_t head;		/* 0: the whole string */
	} c[] = {
		{ "HTTP/1.1 200 Connection established\r\n\r\n", 1, 200, 0 },
		{ "HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n",
		  1, 200, 0 },
		{ "HTTP/1.1 200\r\n\r\n", 1, 200, 0 },
		{ "HTTP/1.1 200 OK\n\n", 1, 200, 0 },
		{ "HTTP/1.1 200 OK\r\nA: b\n\r\n", 1, 200, 0 },
		{ "HTTP/1.1 200 OK\r\n\r\nTLS bytes", 1, 200, 19 },
		{ "HTTP/1.1 407 Proxy Authentication Required\r\n"
		  "Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n", 1, 407, 0 },
		{ "HTTP/1.0 403 Access violation\r\n\r\n", 1, 403, 0 },
		{ "HTTP/1.1 502 Bad Gateway\r\n\tfolded\r\n\r\n", 1, 502, 0 },
		{ "HTTP/1.1 200 OK\r\n", 0, 0, 0 },
		{ "HTTP/1.1 200 OK\r\nVia: x\r\n", 0, 0, 0 },
		{ "HTTP/1.1 2", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "SSH-2.0-OpenSSH\r\n", -1, 0, 0 },
		{ "http/1.1 200 OK\r\n\r\n", -1, 0, 0 },
		{ "HTTP/2 200\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.x 200\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1  200\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 20\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 2000\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 099 x\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 600 x\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 200 O\rK\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 200 OK\r\nA: \001\r\n\r\n", -1, 0, 0 },
		{ "HTTP/1.1 200 OK\r\nA: \177\r\n\r\n", -1, 0, 0 },
		{ "\026\003\001\000", -1, 0, 0 },
	};
	const char *why;
	size_t i, k, len, head, want;
	int all = 1, status, r;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		len = strlen(c[i].in);
		want = c[i].head ? c[i].head : len;
		head = 0;
		status = 0;
		why = NULL;
		r = proxy_reply(c[i].in, len, &head, &status, &why);
		if (r != c[i].ret || (r == 1 && (status != c[i].status || head != want)) ||
		    !why || (r < 0 && !why[0])) {
			test_note("reply %zu: got %d status %d head %zu", i, r, status, head);
			all = 0;
		}
	}
	test_ok(all, "CONNECT reply: %zu known answers (2xx, 407, 403, 502, incomplete, not HTTP)",
	    sizeof(c) / sizeof(c[0]));

	/* Cut at every offset: a prefix of a good head is "more", never an
	 * error nor complete before its end; the verdict on a bad one never
	 * changes from -1 once given. */
	for (i = 0, all = 1; i < sizeof(c) / sizeof(c[0]); i++) {
		len = strlen(c[i].in);
		want = c[i].head ? c[i].head : len;
		for (k = 0; k <= len; k++) {
			r = proxy_reply(c[i].in, k, &head, &status, &why);
			if (c[i].ret == 1 && r != (k >= want ? 1 : 0))
				all = 0;
			if (c[i].ret == 0 && r != 0)
				all = 0;
			if (c[i].ret == -1 && r == 1)
				all = 0;
		}
	}
	test_ok(all, "CONNECT reply: every prefix of each case judged consistently");

	/* A head of 4096 bytes that never ends is only ever "more": the
	 * caller's bound refuses it. */
	{
		static char big[PROXY_REPLY_MAX];

		memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
		for (k = 17; k + 6 < sizeof(big); k += 6)
			memcpy(big + k, "X: y\r\n", 6);
		memset(big + k, 'z', sizeof(big) - k);
		test_ok(proxy_reply(big, sizeof(big), &head, &status, &why) == 0,
		    "CONNECT reply: an endless head stays incomplete (the caller bounds it)");
	}
	test_ok(proxy_reply("HTTP/1.1 200 OK\r\n\r\n", 18, &head, &status, &why) == 0,
	    "CONNECT reply: only len bytes are read");
}

int
main(void)
{
	test_env();
	test_parse();
	test_bypass();
	test_request();
	test_reply();
	return test_done();
}
