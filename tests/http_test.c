/* SPDX-License-Identifier: MIT */
/* http_test.c - http.c against known requests and hostile ones: each
 * valid request parsed whole and cut at every offset (every proper prefix
 * must ask for more bytes), each bound hit exactly and by one byte. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "../http.h"

/* The request under test lives in a heap block of exactly its length,
 * so the sanitizer build catches any read past the end. It stays alive
 * until the next parse, because req points into it. */
static char *last;

static enum http_status
parse(struct http_request *req, const char *s, size_t len)
{
	free(last);
	last = malloc(len ? len : 1);
	if (!last)
		abort();
	memcpy(last, s, len);
	return http_parse_request(req, last, len);
}

static enum http_status
parse_str(struct http_request *req, const char *s)
{
	return parse(req, s, strlen(s));
}

/* Every proper prefix of a request that parses to want must be
 * HTTP_INCOMPLETE (or, for an error, already that same error). */
static int
prefixes_ok(const char *s, size_t len, enum http_status want)
{
	struct http_request req;
	enum http_status st;
	size_t i;

	for (i = 0; i < len; i++) {
		st = parse(&req, s, i);
		if (st != HTTP_INCOMPLETE && st != want)
			return 0;
	}
	return parse(&req, s, len) == want;
}

static void
expect(const char *s, enum http_status want, const char *what)
{
	struct http_request req;
	enum http_status st = parse_str(&req, s);

	if (!test_ok(st == want, "%s: %d", what, (int)want))
		test_note("got %d", (int)st);
}

/* A request with a line, header section or body of exactly n bytes. */
static size_t
build(char *out, size_t max, const char *pre, char fill, size_t n,
    const char *post)
{
	size_t a = strlen(pre), b = strlen(post);

	if (a + n + b > max)
		return 0;
	memcpy(out, pre, a);
	memset(out + a, fill, n);
	memcpy(out + a + n, post, b);
	return a + n + b;
}

static void
test_valid(void)
{
	static const char get[] =
	    "GET /api/entropy?challenge=0123456789abcdef HTTP/1.1\r\n"
	    "Host: 127.0.0.1:27184\r\n"
	    "User-Agent: x\r\n\r\n";
	static const char post[] =
	    "POST / HTTP/1.1\r\n"
	    "Host: localhost\r\n"
	    "Content-Length: 19\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "\r\n"
	    "challenge=abc%2B+de";
	static const char lf[] = "GET /api/status HTTP/1.0\nAccept: */*\n\n";
	struct http_request req;
	uint8_t v[64];
	size_t vlen = 0;

	test_ok(parse_str(&req, get) == HTTP_OK && req.method == HTTP_GET &&
	    strcmp(req.method_name, "GET") == 0 && req.minor == 1 &&
	    strcmp(req.path, "/api/entropy") == 0 && req.pathlen == 12 &&
	    req.querylen == 26 && memcmp(req.query, "challenge=0123456789abcdef", 26) == 0 &&
	    req.body == NULL, "GET with a query: method, path, query, version");
	test_ok(http_form_get(req.query, req.querylen, "challenge", v, sizeof(v),
	    &vlen) == HTTP_OK && vlen == 16 && memcmp(v, "0123456789abcdef", 16) == 0,
	    "challenge read from the query");
	test_ok(prefixes_ok(get, strlen(get), HTTP_OK),
	    "GET: every proper prefix asks for more");

	test_ok(parse_str(&req, post) == HTTP_OK && req.method == HTTP_POST &&
	    strcmp(req.path, "/") == 0 && req.query == NULL && req.form &&
	    req.bodylen == 19, "POST form: body and type");
	test_ok(http_form_get(req.body, req.bodylen, "challenge", v, sizeof(v),
	    &vlen) == HTTP_OK && vlen == 7 && memcmp(v, "abc+ de", 7) == 0,
	    "form value decoded: %%2B is '+', '+' is space");
	test_ok(prefixes_ok(post, strlen(post), HTTP_OK),
	    "POST: every proper prefix asks for more");

	test_ok(parse_str(&req, lf) == HTTP_OK && req.minor == 0 &&
	    strcmp(req.path, "/api/status") == 0, "HTTP/1.0 with bare LF line ends");
	test_ok(parse_str(&req, "GET /a%20b%2fc HTTP/1.0\r\n\r\n") == HTTP_OK &&
	    strcmp(req.path, "/a b/c") == 0, "path percent-decoded");
	test_ok(parse_str(&req, "GET /a?x=1 HTTP/1.0\r\n\r\nTRAILING") == HTTP_OK,
	    "bytes after a body-less request are ignored");
	test_ok(parse_str(&req, "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n") ==
	    HTTP_OK && req.bodylen == 0 && !req.form, "POST with an empty body");
	test_ok(parse_str(&req, "GET / HTTP/1.1\r\ncontent-type:  application/X-WWW-form-urlencoded; charset=utf-8 \r\n"
	    "CONTENT-LENGTH:\t3 \r\n\r\na=b") == HTTP_OK && req.form && req.bodylen == 3,
	    "header names and the form type compared without case; OWS trimmed");
	test_ok(parse_str(&req, "POST / HTTP/1.1\r\nExpect: 100-Continue\r\n"
	    "Content-Length: 5\r\n\r\n") == HTTP_INCOMPLETE && req.expect_continue,
	    "Expect: 100-continue seen once the header section is complete");
	test_ok(parse_str(&req, "POST / HTTP/1.1\r\nExpect: 100-continue\r\n"
	    "Content-Length: 5\r\n") == HTTP_INCOMPLETE && !req.expect_continue &&
	    parse_str(&req, "POST / HTTP/1.0\r\nExpect: 100-continue\r\n"
	    "Content-Length: 5\r\n\r\n") == HTTP_INCOMPLETE && !req.expect_continue,
	    "not before the header section ends, and never for HTTP/1.0");
	test_ok(parse_str(&req, "GET /?challenge HTTP/1.0\r\n\r\n") == HTTP_OK &&
	    http_form_get(req.query, req.querylen, "challenge", v, sizeof(v), &vlen) ==
	    HTTP_OK && vlen == 0, "a field without '=' has an empty value");
}

static void
test_form(void)
{
	uint8_t v[8];
	size_t vlen = 99;

#define FORM(s) s, sizeof(s) - 1
	test_ok(http_form_get(FORM("a=1&b=2"), "c", v, sizeof(v), &vlen) ==
	    HTTP_NOT_FOUND, "form: absent field is 404");
	test_ok(http_form_get(FORM("x=1&challenge=ab&y"), "challenge", v, sizeof(v),
	    &vlen) == HTTP_OK && vlen == 2 && memcmp(v, "ab", 2) == 0,
	    "form: field among others");
	test_ok(http_form_get(FORM("challengeX=1&challeng=2"), "challenge", v,
	    sizeof(v), &vlen) == HTTP_NOT_FOUND, "form: near names do not match");
	test_ok(http_form_get(FORM("ch%61llenge=zz"), "challenge", v, sizeof(v),
	    &vlen) == HTTP_OK && vlen == 2, "form: escaped key matches");
	test_ok(http_form_get(FORM("challenge=1&challenge=2"), "challenge", v,
	    sizeof(v), &vlen) == HTTP_BAD_REQUEST, "form: duplicate field is 400");
	test_ok(http_form_get(FORM("challenge=12345678"), "challenge", v, sizeof(v),
	    &vlen) == HTTP_OK && vlen == 8, "form: value of exactly outmax");
	test_ok(http_form_get(FORM("challenge=123456789"), "challenge", v, sizeof(v),
	    &vlen) == HTTP_PAYLOAD_TOO_LARGE, "form: value over outmax is 413");
	test_ok(http_form_get(FORM("challenge=%4"), "challenge", v, sizeof(v),
	    &vlen) == HTTP_BAD_REQUEST, "form: truncated escape is 400");
	test_ok(http_form_get(FORM("&&=&challenge=%41&"), "challenge", v, sizeof(v),
	    &vlen) == HTTP_OK && vlen == 1 && v[0] == 'A', "form: empty pairs skipped");
#undef FORM
}

static void
test_hostile(void)
{
	static char buf[HTTP_REQ_MAX + 64];
	static const char nul[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	static const char nulline[] = "GET /\0 HTTP/1.1\r\n\r\n";
	static const char nulbody[] = "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\na\0b";
	struct http_request req;
	size_t n, i, room;

	expect("", HTTP_INCOMPLETE, "empty input asks for more");
	expect("\r\n", HTTP_BAD_REQUEST, "empty request line");
	expect("GET\r\n\r\n", HTTP_BAD_REQUEST, "no target");
	expect("GET / \r\n\r\n", HTTP_BAD_REQUEST, "no version");
	expect("GET /\r\n\r\n", HTTP_BAD_REQUEST, "HTTP/0.9 form");
	expect("GET  / HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "two spaces");
	expect("GET / HTTP/1.1 \r\n\r\n", HTTP_BAD_REQUEST, "trailing space");
	expect("GET http://x/ HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "absolute-form target");
	expect("GET * HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "asterisk target");
	expect("GET / HTTP/2.0\r\n\r\n", HTTP_VERSION_NOT_SUPPORTED, "HTTP/2.0 is 505");
	expect("GET / HTTP/1.2\r\n\r\n", HTTP_VERSION_NOT_SUPPORTED, "HTTP/1.2 is 505");
	expect("GET / HTTX/1.1\r\n\r\n", HTTP_BAD_REQUEST, "bad protocol name");
	expect("GET / HTTP/1.10\r\n\r\n", HTTP_BAD_REQUEST, "version with 3 digits");
	expect("PUT / HTTP/1.1\r\n\r\n", HTTP_NOT_IMPLEMENTED, "PUT is 501");
	expect("get / HTTP/1.1\r\n\r\n", HTTP_NOT_IMPLEMENTED, "methods are case-sensitive");
	expect("G@T / HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "method with a non-token byte");
	expect("GET /%zz HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "bad escape in path");
	expect("GET /%4 HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "short escape in path");
	expect("GET /a%00b HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "%%00 in path");
	expect("GET /?challenge=%g1 HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "bad escape in query");
	expect("GET /?challenge=ab%00cd HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "%%00 in query");
	expect("GET /?a=\x80 HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "8-bit byte in query");
	expect("GET /\x7f HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, "DEL in path");
	expect("GET / HTTP/1.1\r\nHost:\x01x\r\n\r\n", HTTP_BAD_REQUEST, "control byte in header");
	expect("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", HTTP_BAD_REQUEST, "bare CR in header");
	expect("GET / HTTP/1.1\r\nHost : a\r\n\r\n", HTTP_BAD_REQUEST, "space before colon");
	expect("GET / HTTP/1.1\r\n: a\r\n\r\n", HTTP_BAD_REQUEST, "empty header name");
	expect("GET / HTTP/1.1\r\nNoColon\r\n\r\n", HTTP_BAD_REQUEST, "header without colon");
	expect("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", HTTP_BAD_REQUEST, "folded header line");
	expect("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
	    HTTP_BAD_REQUEST, "duplicate Content-Length");
	expect("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", HTTP_BAD_REQUEST, "negative length");
	expect("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", HTTP_BAD_REQUEST, "length with a space");
	expect("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", HTTP_BAD_REQUEST, "empty length");
	expect("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
	    HTTP_PAYLOAD_TOO_LARGE, "huge length is 413, no overflow");
	expect("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    HTTP_BAD_REQUEST, "Transfer-Encoding is 400");
	expect("POST / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_LENGTH_REQUIRED, "POST without length is 411");
	expect("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", HTTP_INCOMPLETE,
	    "short body asks for more");
	expect("POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 5\r\n\r\na=%zz", HTTP_BAD_REQUEST, "bad escape in form body");
	expect("POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 5\r\n\r\na=b\r\n", HTTP_BAD_REQUEST, "CRLF in form body");
	test_ok(parse(&req, nul, sizeof(nul) - 1) == HTTP_BAD_REQUEST, "NUL in a header");
	test_ok(parse(&req, nulline, sizeof(nulline) - 1) == HTTP_BAD_REQUEST,
	    "NUL in the request line");
	test_ok(parse(&req, nulbody, sizeof(nulbody) - 1) == HTTP_BAD_REQUEST,
	    "NUL in a body");

	/* request line: exactly HTTP_LINE_MAX with its CRLF, then one more */
	room = HTTP_LINE_MAX - strlen("GET /?a= HTTP/1.1\r\n");
	n = build(buf, sizeof(buf), "GET /?a=", 'x', room, " HTTP/1.1\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_OK, "request line of exactly HTTP_LINE_MAX");
	n = build(buf, sizeof(buf), "GET /?a=", 'x', room + 1, " HTTP/1.1\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_URI_TOO_LONG, "one byte more is 414");
	n = build(buf, sizeof(buf), "GET /", 'x', HTTP_LINE_MAX, "");
	test_ok(parse(&req, buf, n) == HTTP_URI_TOO_LONG,
	    "414 as soon as HTTP_LINE_MAX bytes hold no line end");
	n = build(buf, sizeof(buf), "GET /", 'p', HTTP_PATH_MAX - 1, " HTTP/1.0\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_OK && req.pathlen == HTTP_PATH_MAX,
	    "path of exactly HTTP_PATH_MAX");
	n = build(buf, sizeof(buf), "GET /", 'p', HTTP_PATH_MAX, " HTTP/1.0\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_URI_TOO_LONG, "longer path is 414");

	/* header section: exactly HTTP_HEAD_MAX, final CRLF included */
	room = HTTP_HEAD_MAX - strlen("X: \r\n\r\n");
	n = build(buf, sizeof(buf), "GET / HTTP/1.1\r\nX: ", 'h', room, "\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_OK, "header section of exactly HTTP_HEAD_MAX");
	n = build(buf, sizeof(buf), "GET / HTTP/1.1\r\nX: ", 'h', room + 1, "\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_HEADERS_TOO_LARGE, "one byte more is 431");
	n = build(buf, sizeof(buf), "GET / HTTP/1.1\r\nX: ", 'h', HTTP_HEAD_MAX, "");
	test_ok(parse(&req, buf, n) == HTTP_HEADERS_TOO_LARGE,
	    "431 as soon as HTTP_HEAD_MAX bytes hold no end");

	/* header count: HTTP_HEADERS_MAX fields pass, one more is 431 */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "A:\r\n");
	memcpy(buf + n, "\r\n", 2);
	test_ok(parse(&req, buf, n + 2) == HTTP_OK, "exactly HTTP_HEADERS_MAX fields");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "A:\r\n\r\n");
	test_ok(parse(&req, buf, n) == HTTP_HEADERS_TOO_LARGE, "one field more is 431");

	/* body: exactly HTTP_BODY_MAX, then one more */
	n = (size_t)snprintf(buf, sizeof(buf), "POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n",
	    HTTP_BODY_MAX);
	memset(buf + n, 'b', HTTP_BODY_MAX);
	test_ok(parse(&req, buf, n + HTTP_BODY_MAX) == HTTP_OK &&
	    req.bodylen == HTTP_BODY_MAX, "body of exactly HTTP_BODY_MAX");
	n = (size_t)snprintf(buf, sizeof(buf), "POST / HTTP/1.0\r\nContent-Length: %d\r\n\r\n",
	    HTTP_BODY_MAX + 1);
	test_ok(parse(&req, buf, n) == HTTP_PAYLOAD_TOO_LARGE,
	    "413 from the header alone, before any body byte");

	/* the largest valid request fills HTTP_REQ_MAX and no more */
	room = HTTP_LINE_MAX - strlen("POST /?a= HTTP/1.1\r\n");
	n = build(buf, sizeof(buf), "POST /?a=", 'x', room, " HTTP/1.1\r\n");
	i = n;
	room = HTTP_HEAD_MAX - strlen("Content-Length: 4096\r\nX: \r\n\r\n");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Content-Length: %d\r\nX: ",
	    HTTP_BODY_MAX);
	memset(buf + n, 'h', room);
	n += room;
	memcpy(buf + n, "\r\n\r\n", 4);
	n += 4;
	memset(buf + n, 'b', HTTP_BODY_MAX);
	n += HTTP_BODY_MAX;
	test_ok(n == HTTP_REQ_MAX && i == HTTP_LINE_MAX && parse(&req, buf, n) == HTTP_OK,
	    "a request at every bound is exactly HTTP_REQ_MAX bytes");
}

static void
test_response(void)
{
	char out[256];
	size_t n;

	n = http_response_head(out, sizeof(out), HTTP_OK, "text/plain", 130, NULL);
	test_ok(n > 0 && n == strlen(out) && strcmp(out,
	    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 130\r\n"
	    "Cache-Control: no-store\r\nConnection: close\r\n\r\n") == 0,
	    "response head, known answer");
	n = http_response_head(out, sizeof(out), HTTP_METHOD_NOT_ALLOWED,
	    "application/json", 9, "Allow: GET\r\n");
	test_ok(n > 0 && strncmp(out, "HTTP/1.0 405 Method Not Allowed\r\n", 33) == 0 &&
	    strstr(out, "\r\nAllow: GET\r\n\r\n") != NULL, "405 with an extra header");
	test_ok(http_response_head(out, 40, HTTP_OK, "text/plain", 1, NULL) == 0,
	    "a head that does not fit gives 0");
	test_ok(strcmp(http_reason(HTTP_HEADERS_TOO_LARGE),
	    "Request Header Fields Too Large") == 0 &&
	    strcmp(http_reason((enum http_status)299), "Error") == 0, "reason phrases");
}

int
main(void)
{
	test_valid();
	test_form();
	test_hostile();
	test_response();
	free(last);
	return test_done();
}
