/* SPDX-License-Identifier: MIT */
/* url_test.c - url_parse on good and bad URLs. */
#include "../url.h"
#include "test.h"

int
main(void)
{
	static const struct {
		const char *in;
		int tls;
		const char *host, *port, *path, *hosthdr;
	} good[] = {
		{ "http://example.org", 0, "example.org", "80", "/api/entropy", "example.org" },
		{ "http://example.org/", 0, "example.org", "80", "/api/entropy", "example.org" },
		{ "HTTPS://Example.ORG", 1, "Example.ORG", "443", "/api/entropy", "Example.ORG" },
		{ "https://a.b:8443/x", 1, "a.b", "8443", "/x", "a.b:8443" },
		{ "http://127.0.0.1:0080/", 0, "127.0.0.1", "80", "/api/entropy", "127.0.0.1" },
		{ "http://127.0.0.1:65535", 0, "127.0.0.1", "65535", "/api/entropy", "127.0.0.1:65535" },
		{ "https://127.0.0.1:80/", 1, "127.0.0.1", "80", "/api/entropy", "127.0.0.1:80" },
		{ "http://[::1]:8080/api/entropy", 0, "::1", "8080", "/api/entropy", "[::1]:8080" },
		{ "http://[fe80::1:2]", 0, "fe80::1:2", "80", "/api/entropy", "[fe80::1:2]" },
		{ "http://[::ffff:127.0.0.1]/", 0, "::ffff:127.0.0.1", "80", "/api/entropy",
		  "[::ffff:127.0.0.1]" },
		{ "http://h?x=1", 0, "h", "80", "/?x=1", "h" },
		{ "http://h/p?q=1&r=%20", 0, "h", "80", "/p?q=1&r=%20", "h" },
		{ "http://h//", 0, "h", "80", "//", "h" },
		{ "http://my_host-1.local/a@b", 0, "my_host-1.local", "80", "/a@b", "my_host-1.local" },
	};
	static const char *const bad[] = {
		"", "http:/", "http://", "ftp://h/", "http:h", "http:///x", "http://:80/",
		"http://h:/", "http://h:0", "http://h:65536", "http://h:123456", "http://h:8x",
		"http://[::1", "http://[]/", "http://[x::1]/", "http://[1.2.3.4]/",
		"http://u@h/", "http://u:p@h/", "http://h/#frag", "http://h/a b",
		"http://h/\x7f", "http://h/\xc3\xa9", "http://h\\x", "http://h%41/",
		"https://[::1]x/",
	};
	char longname[URL_MAX + 16], longpath[URL_MAX];
	const char *why;
	size_t i;
	url u;
	int all = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (url_parse(&u, good[i].in, strlen(good[i].in), &why) != 0 ||
		    u.tls != good[i].tls || strcmp(u.host, good[i].host) ||
		    strcmp(u.port, good[i].port) || strcmp(u.path, good[i].path) ||
		    strcmp(u.hosthdr, good[i].hosthdr)) {
			test_note("good %zu (%s): %s host=%s port=%s path=%s hdr=%s",
			    i, good[i].in, why, u.host, u.port, u.path, u.hosthdr);
			all = 0;
		}
	}
	test_ok(all, "url: %zu good URLs split into host, port, path, Host header",
	    sizeof(good) / sizeof(good[0]));

	for (i = 0, all = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = "";
		if (url_parse(&u, bad[i], strlen(bad[i]), &why) != -1 || !why[0]) {
			test_note("bad %zu (%s) accepted", i, bad[i]);
			all = 0;
		}
	}
	test_ok(all, "url: %zu bad URLs refused with a reason", sizeof(bad) / sizeof(bad[0]));

	/* The length is the caller's: bytes past it are never looked at. */
	test_ok(url_parse(&u, "http://h/abcdef", 9, &why) == 0 && !strcmp(u.path, "/api/entropy"),
	    "url: only len bytes are read");

	/* Bounds: the longest host and path fit, one more does not. */
	memcpy(longname, "http://", 7);
	memset(longname + 7, 'a', URL_HOST_MAX);
	test_ok(url_parse(&u, longname, 7 + URL_HOST_MAX, &why) == 0 &&
	    strlen(u.host) == URL_HOST_MAX, "url: a %d-byte host fits", URL_HOST_MAX);
	memset(longname + 7, 'a', URL_HOST_MAX + 1);
	test_ok(url_parse(&u, longname, 8 + URL_HOST_MAX, &why) == -1, "url: a longer host is refused");
	memcpy(longname, "https://h:65535/", 16);
	memset(longname + 16, 'p', URL_PATH_MAX - 1);
	test_ok(url_parse(&u, longname, 15 + URL_PATH_MAX, &why) == 0 &&
	    strlen(u.path) == URL_PATH_MAX && strlen(u.hosthdr) == 7,
	    "url: a %d-byte path fits", URL_PATH_MAX);
	test_ok(url_parse(&u, longname, 16 + URL_PATH_MAX, &why) == -1, "url: a longer path is refused");
	memset(longpath, 'x', sizeof(longpath));
	memcpy(longpath, "http://h/", 9);
	test_ok(url_parse(&u, longpath, URL_MAX + 1, &why) == -1 &&
	    !strcmp(why, "URL too long"), "url: over %d bytes refused", URL_MAX);
	return test_done();
}
