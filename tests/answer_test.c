/* SPDX-License-Identifier: MIT */
/* answer_test.c - known answers and hostile inputs for answer.c: HTTP
 * splitting (whole, byte by byte as it would arrive), the JSON parser,
 * D20 and Pollen verification, every honest D20 entropy length and the
 * real D20 server's answer as it comes over the wire, the time parsers. */
#include "../answer.h"
#include "../util.h"
#include "test.h"

/* Known answers computed with Python's hashlib, not with sha512.c. */
#define CHAL "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TIME "2026-11-22T03:50:00"
#define TIME_T 1795319400LL
#define CR "8db94b92c88c550c4822c84934340498089d271bceb1d8e132b68130d4fbc139" \
	"d77e32d58ad04e6979cc78900490d77eb0a0f2e46db7ef5eed4af8cb4de14724"
#define POLLEN1 "451e75996b8939bc540be780b33d2e5ab20d6e2a2b89442c9bfe6b4797f6440d" \
	"ac65c58b6aff10a2ca34c37735008d671037fa4081bf56b4ee243729fa5e768e"
#define ENT "bbf8fbc4dcd3e98dac8d7cd6650afdf662cf7320875c0f72ebce747b7c68507f" \
	"9352ec61110c0dbc629a3e088d485b2e52c1f52f7d81d973ce34ed84bbd07614"
#define D20BODY "{\"apiVersion\":\"1\",\"challengeResponse\":\"" CR \
	"\",\"entropy\":\"" ENT "\",\"time\":\"" TIME "\"}"

static const char *why;

static int
http(const char *s, int final, size_t *body, size_t *blen)
{
	return answer_http((const uint8_t *)s, strlen(s), final, body, blen, &why);
}

static int
verify(const char *body, long long now, int check, answer_info *info)
{
	return answer_verify((const uint8_t *)body, strlen(body), CHAL, now,
	    check, 600, info, &why);
}

static void
test_http(void)
{
	static const char good[] = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 5\r\n\r\nhello";
	static const struct { const char *in; int final; int want; const char *why; } bad[] = {
		{ "", 1, -1, "no complete status line" },
		{ "HTTP/1.0 200 OK", 1, -1, "no complete status line" },
		{ "HTTP/1.0 200 OK\r\n", 1, -1, "headers cut short" },
		{ "HTTP/2 200 OK\r\n\r\n", 1, -1, "not an HTTP/1.x status line" },
		{ "HTTP/1.0 20 OK\r\n\r\n", 1, -1, "not an HTTP/1.x status line" },
		{ "HTTP/1.0 2000 OK\r\n\r\n", 1, -1, "not an HTTP/1.x status line" },
		{ "HTTP/1.0 099 X\r\n\r\n", 1, -1, "bad HTTP status code" },
		{ "HTTP/1.0 200 O\001K\r\n\r\n", 1, -1, "control character in status line" },
		{ "HTTP/1.0 200 OK\r\nNoColon\r\n\r\n", 1, -1, "malformed header line" },
		{ "HTTP/1.0 200 OK\r\n: v\r\n\r\n", 1, -1, "malformed header line" },
		{ "HTTP/1.0 200 OK\r\nA b: v\r\n\r\n", 1, -1, "malformed header line" },
		{ "HTTP/1.0 200 OK\r\nX: a\001\r\n\r\n", 1, -1, "control character in header" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: x\r\n\r\n", 1, -1, "bad Content-Length" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 1 2\r\n\r\n", 1, -1, "bad Content-Length" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 9999999999\r\n\r\n", 1, -1, "bad Content-Length" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nab", 1, -1,
		  "conflicting Content-Length headers" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 20481\r\n\r\n", 0, -1,
		  "body over 20480 bytes (Content-Length)" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nab", 1, -1,
		  "answer cut short before Content-Length" },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabcd", 0, -1, "bytes after Content-Length" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, -1,
		  "Transfer-Encoding in an HTTP/1.0 answer" },
		/* Incomplete but not final: ask for more. */
		{ "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nab", 0, 0, "" },
		{ "HTTP/1.0 200 OK\r\n\r\nabc", 0, 0, "" },
		{ "HTTP/1.0 200", 0, 0, "" },
	};
	char big[ANSWER_MAX + 64];
	size_t body = 0, blen = 0, i, len, n;
	int all = 1, r;

	r = http(good, 1, &body, &blen);
	test_ok(r == 200 && blen == 5 && !memcmp(good + body, "hello", 5),
	    "HTTP: a whole 200 answer splits into status and body");
	r = http(good, 0, &body, &blen);
	test_ok(r == 200 && blen == 5, "HTTP: Content-Length reached: complete before the close");
	r = http("HTTP/1.1 404 Not Found\nX: y\n\n{}", 1, &body, &blen);
	test_ok(r == 404 && blen == 2, "HTTP: bare LF line ends and a 404");
	r = http("HTTP/1.0 200\r\n\r\n", 1, &body, &blen);
	test_ok(r == 200 && blen == 0, "HTTP: a status line without a reason");

	/* As it arrives: every prefix asks for more, or is already refused
	 * for a reason the rest could not mend; none is taken as complete. */
	len = strlen(good);
	for (i = 0; i < len; i++) {
		r = answer_http((const uint8_t *)good, i, 0, &body, &blen, &why);
		if (r != 0)
			all = 0;
	}
	test_ok(all, "HTTP: each of %zu prefixes of a good answer asks for more", len);

	for (i = 0, all = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = "";
		r = http(bad[i].in, bad[i].final, &body, &blen);
		if (r != bad[i].want || strcmp(why, bad[i].why)) {
			test_note("case %zu: got %d '%s', want %d '%s'", i, r, why,
			    bad[i].want, bad[i].why);
			all = 0;
		}
	}
	test_ok(all, "HTTP: %zu malformed or incomplete answers get their reasons",
	    sizeof(bad) / sizeof(bad[0]));

	/* Bounds: headers over 4 KiB, a body over 20 KiB, too many headers. */
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.0 200 OK\r\nX: ");
	memset(big + n, 'a', ANSWER_HEAD_MAX);
	r = answer_http((const uint8_t *)big, n + ANSWER_HEAD_MAX, 0, &body, &blen, &why);
	test_ok(r == -1 && !strcmp(why, "headers over 4096 bytes"), "HTTP: headers over 4096 bytes refused");
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.0 200 OK\r\n\r\n");
	memset(big + n, 'a', ANSWER_BODY_MAX + 1);
	r = answer_http((const uint8_t *)big, n + ANSWER_BODY_MAX + 1, 1, &body, &blen, &why);
	test_ok(r == -1 && !strcmp(why, "body over 20480 bytes"), "HTTP: a body of 20481 bytes refused");
	r = answer_http((const uint8_t *)big, n + ANSWER_BODY_MAX, 1, &body, &blen, &why);
	test_ok(r == 200 && blen == ANSWER_BODY_MAX, "HTTP: a body of 20480 bytes accepted");
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.0 200 OK\r\n");
	for (i = 0; i <= ANSWER_HEADERS_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X: y\r\n");
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
	r = answer_http((const uint8_t *)big, n, 1, &body, &blen, &why);
	test_ok(r == -1 && !strcmp(why, "too many headers"), "HTTP: 33 headers refused");
}

static void
test_json(void)
{
	static const struct { const char *in; int want; } cases[] = {
		{ "{}", 0 },
		{ " \r\n\t{ \"a\" : \"b\" , \"c\":\"\" }\n ", 2 },
		{ "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}", 1 },
		{ "{\"a\":\"\xc3\xa9\"}", 1 },
		{ "", -1 }, { "[]", -1 }, { "{", -1 }, { "{\"a\"}", -1 },
		{ "{\"a\":}", -1 }, { "{\"a\":1}", -1 }, { "{\"a\":null}", -1 },
		{ "{\"a\":{\"b\":\"c\"}}", -1 }, { "{\"a\":\"b\",}", -1 },
		{ "{\"a\":\"b\"}x", -1 }, { "{\"a\":\"b\"}{}", -1 },
		{ "{\"a\":\"b\",\"a\":\"c\"}", -1 }, { "{\"a\":\"b\\x\"}", -1 },
		{ "{\"a\":\"\\u12\"}", -1 }, { "{\"a\\u0062\":\"b\"}", -1 },
		{ "{\"a\":\"b\nc\"}", -1 }, { "{\"a\":\"b", -1 }, { "{\"a\":\"b\\", -1 },
		{ "{'a':'b'}", -1 },
	};
	answer_member m[ANSWER_JSON_MAX];
	char big[1024];
	size_t i, n;
	int all = 1, r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = answer_json((const uint8_t *)cases[i].in, strlen(cases[i].in), m,
		    ANSWER_JSON_MAX, &why);
		if (r != cases[i].want) {
			test_note("json case %zu: got %d (%s), want %d", i, r, why, cases[i].want);
			all = 0;
		}
	}
	test_ok(all, "JSON: %zu objects accepted or refused as they should be",
	    sizeof(cases) / sizeof(cases[0]));

	r = answer_json((const uint8_t *)cases[1].in, strlen(cases[1].in), m, 4, &why);
	test_ok(r == 2 && m[0].keylen == 1 && cases[1].in[m[0].key] == 'a' &&
	    m[1].vallen == 0 && cases[1].in[m[0].val] == 'b',
	    "JSON: member offsets point at the raw key and value");

	n = (size_t)snprintf(big, sizeof(big), "{");
	for (i = 0; i <= ANSWER_JSON_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"k%zu\":\"v\"",
		    i ? "," : "", i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "}");
	r = answer_json((const uint8_t *)big, n, m, ANSWER_JSON_MAX, &why);
	test_ok(r == -1 && !strcmp(why, "JSON: too many members"), "JSON: 17 members refused");
	/* Truncated at every offset: always refused, never read past. */
	for (i = 0, all = 1; i < strlen(D20BODY); i++)
		if (answer_json((const uint8_t *)D20BODY, i, m, ANSWER_JSON_MAX, &why) != -1)
			all = 0;
	test_ok(all, "JSON: every truncation of a D20 answer is refused");
}

static void
test_time(void)
{
	test_ok(answer_time(TIME, 19) == TIME_T, "time: " TIME " is %lld", TIME_T);
	test_ok(answer_time("2000-02-29T23:59:59", 19) == 951868799LL, "time: a leap day");
	test_ok(answer_time("1970-01-01T00:00:00", 19) == 0, "time: the epoch");
	test_ok(answer_time("2001-02-29T00:00:00", 19) == -1 &&
	    answer_time("2026-13-01T00:00:00", 19) == -1 &&
	    answer_time("2026-11-22T24:00:00", 19) == -1 &&
	    answer_time("2026-11-22 03:50:00", 19) == -1 &&
	    answer_time("2026-11-22T03:50:00Z", 20) == -1 &&
	    answer_time("2026-11-2xT03:50:00", 19) == -1 &&
	    answer_time("1969-12-31T23:59:59", 19) == -1,
	    "time: impossible dates and other forms refused");
	test_ok(answer_build_date("Nov 22 2026") == 1795305600LL &&
	    answer_build_date("Feb  1 2024") == 1706745600LL,
	    "build date: __DATE__ forms, day space-padded");
	test_ok(answer_build_date("Foo 22 2026") == -1 && answer_build_date("Nov 31 2026") == -1 &&
	    answer_build_date("Nov 22 26") == -1, "build date: bad forms refused");
}

static void
test_verify(void)
{
	static const char *const d20_bad[] = {
		"{\"apiVersion\":\"2\",\"challengeResponse\":\"" CR "\",\"entropy\":\"" ENT
		    "\",\"time\":\"" TIME "\"}",
		"{\"apiVersion\":\"1\",\"entropy\":\"" ENT "\",\"time\":\"" TIME "\"}",
		"{\"apiVersion\":\"1\",\"challengeResponse\":\"" CR "\",\"entropy\":\"" ENT
		    "\",\"time\":\"2026-11-22T03:50:01\"}",
		"{\"apiVersion\":\"1\",\"challengeResponse\":\"" CR "\",\"entropy\":\"" ENT
		    "0\",\"time\":\"" TIME "\"}",
		"{\"apiVersion\":\"1\",\"challengeResponse\":\"" CR "\",\"entropy\":\"xx" ENT
		    "\",\"time\":\"" TIME "\"}",
		"{\"error\":\"bad challenge\"}",
	};
	answer_info info;
	size_t i;
	int all = 1;

	test_ok(verify(D20BODY, TIME_T + 5, 1, &info) == 0 && info.proto == ANSWER_D20 &&
	    info.server_time == TIME_T && info.entropy_bytes == 64 &&
	    !memcmp(D20BODY + info.entropy, ENT, 128),
	    "D20: a known answer verifies and points at its entropy");
	test_ok(verify(D20BODY, TIME_T - 600, 1, &info) == 0 &&
	    verify(D20BODY, TIME_T + 600, 1, &info) == 0,
	    "D20: time exactly --max-skew off is accepted");
	test_ok(verify(D20BODY, TIME_T + 601, 1, &info) == -1 &&
	    !strcmp(why, "server time off by more than --max-skew") &&
	    verify(D20BODY, TIME_T - 601, 1, &info) == -1,
	    "D20: time 601 s off is refused");
	test_ok(verify(D20BODY, TIME_T + 99999, 0, &info) == 0,
	    "D20: time not checked when the local clock is not trusted");
	/* d20 never checks the time: the challenge proves the answer fresh. */
	test_ok(verify(D20BODY, TIME_T + 7200, 0, &info) == 0 &&
	    verify(D20BODY, TIME_T - 7200, 0, &info) == 0 &&
	    verify(D20BODY, TIME_T - 10 * 365 * 86400LL, 0, &info) == 0 &&
	    verify(D20BODY, 978307200LL, 0, &info) == 0 && info.server_time == TIME_T,
	    "D20: unchecked, local clocks 2 h off, 10 years off and in 2001 verify");
	test_ok(verify(d20_bad[2], 978307200LL, 0, &info) == -1 &&
	    !strcmp(why, "wrong challengeResponse"),
	    "D20: unchecked, a wrong challengeResponse still fails");
	for (i = 0; i < sizeof(d20_bad) / sizeof(d20_bad[0]); i++) {
		memset(&info, 0xaa, sizeof(info));
		if (verify(d20_bad[i], TIME_T, 1, &info) != -1) {
			test_note("d20 bad %zu accepted", i);
			all = 0;
		}
	}
	test_ok(all, "D20: wrong version, missing key, changed time, bad hex, error object refused");
	test_ok(verify(d20_bad[2], TIME_T, 1, &info) == -1 &&
	    !strcmp(why, "wrong challengeResponse"), "D20: a changed time breaks the challengeResponse");

	test_ok(verify(POLLEN1 "\n" ENT "\n", 0, 1, &info) == 0 &&
	    info.proto == ANSWER_POLLEN && info.entropy == 129 &&
	    info.entropy_bytes == 64,
	    "Pollen: a known answer verifies and points at its entropy");
	test_ok(verify(POLLEN1 "\r\n" ENT, 0, 1, &info) == 0,
	    "Pollen: CRLF and no final newline accepted");
	test_ok(verify(ENT "\n" ENT "\n", 0, 1, &info) == -1 &&
	    !strcmp(why, "Pollen: line 1 is not SHA-512 of the challenge"),
	    "Pollen: a wrong line 1 is refused");
	test_ok(verify(POLLEN1 "\n" ENT "\nx", 0, 1, &info) == -1 &&
	    verify(POLLEN1 "\n" ENT "0\n", 0, 1, &info) == -1 &&
	    verify(POLLEN1 "\n", 0, 1, &info) == -1 &&
	    verify(POLLEN1 ENT, 0, 1, &info) == -1 &&
	    verify(" " POLLEN1 "\n" ENT "\n", 0, 1, &info) == -1,
	    "Pollen: extra bytes, long or missing lines refused");
	test_ok(verify("", 0, 1, &info) == -1 && verify("<html>", 0, 1, &info) == -1 &&
	    !strcmp(why, "answer is neither D20 JSON nor Pollen lines"),
	    "neither form: refused");
}

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Entropy of bytes bytes as lower-case hex, the same every run. */
static void
make_hex(char *out, size_t bytes)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	unsigned v;

	for (i = 0; i < bytes; i++) {
		v = (unsigned)(i * 131 + 7) & 0xff;
		out[2 * i] = digits[v >> 4];
		out[2 * i + 1] = digits[v & 15];
	}
	out[2 * bytes] = '\0';
}

/* A D20 body as the real server writes it: the keys in this order, no
 * spaces, a final newline; entropy given as text. */
static size_t
d20_body(char *out, size_t max, const char *ent)
{
	return (size_t)snprintf(out, max, "{\"apiVersion\":\"1\",\"challengeResponse\":\""
	    CR "\",\"entropy\":\"%s\",\"time\":\"" TIME "\"}\n", ent);
}

static void
test_entropy_lengths(void)
{
	/* decoded bytes: 32 is the least, 512 the real D20's, 4096 its early
	 * releases', ANSWER_ENTROPY_MAX the most */
	static const size_t good[] = { 32, 64, 512, 4096, ANSWER_ENTROPY_MAX };
	static char hex[2 * ANSWER_ENTROPY_MAX + 3], body[ANSWER_BODY_MAX + 1];
	answer_info info;
	size_t i, n;
	int r;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		make_hex(hex, good[i]);
		n = d20_body(body, sizeof(body), hex);
		memset(&info, 0xaa, sizeof(info));
		r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
		test_ok(r == 0 && info.proto == ANSWER_D20 && info.entropy_bytes == good[i] &&
		    info.entropy + 2 * good[i] < n && !memcmp(body + info.entropy, hex, 2 * good[i]),
		    "D20: %zu bytes of entropy (%zu hex digits) verify, all of them in the body (%s)",
		    good[i], 2 * good[i], r ? why : "ok");
	}

	make_hex(hex, ANSWER_ENTROPY_MAX + 1);
	n = d20_body(body, sizeof(body), hex);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "entropy over 8192 bytes"),
	    "D20: %d bytes of entropy, one past the bound, refused: %s",
	    ANSWER_ENTROPY_MAX + 1, why);
	make_hex(hex, ANSWER_ENTROPY_MIN - 1);
	n = d20_body(body, sizeof(body), hex);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "entropy under 32 bytes"),
	    "D20: 31 bytes of entropy refused: %s", why);
	make_hex(hex, 512);
	hex[1023] = '\0';
	n = d20_body(body, sizeof(body), hex);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "entropy is an odd number of hex digits"),
	    "D20: 1023 hex digits refused: %s", why);
	make_hex(hex, 512);
	hex[600] = 'g';
	n = d20_body(body, sizeof(body), hex);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "entropy is not lower-case hex"),
	    "D20: a non-hex digit refused: %s", why);
	/* Upper case: D20 writes hex with hexlify and hexdigest, Pollen with
	 * Go's %x, d20d with hex_encode, all lower-case, and D20's own client
	 * compares challengeResponse as a lower-case string. */
	make_hex(hex, 512);
	hex[10] = 'A';
	n = d20_body(body, sizeof(body), hex);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "entropy is not lower-case hex"),
	    "D20: upper-case hex in the entropy refused: %s", why);
	make_hex(hex, 512);
	n = d20_body(body, sizeof(body), hex);
	for (i = 0; i < 128; i++)
		body[39 + i] = (char)upper(body[39 + i]);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "challengeResponse is not 128 lower-case hex digits"),
	    "D20: upper-case challengeResponse refused: %s", why);
	n = (size_t)snprintf(body, sizeof(body), "%s\n%s\n", POLLEN1, ENT);
	for (i = 0; i < 128; i++)
		body[129 + i] = (char)upper(body[129 + i]);
	r = answer_verify((const uint8_t *)body, n, CHAL, TIME_T, 1, 600, &info, &why);
	test_ok(r == -1 && !strcmp(why, "Pollen: line 2 is not 128 lower-case hex digits"),
	    "Pollen: upper-case hex refused: %s", why);
}

/* The real D20 server's answer, byte for byte as measured (Flask on
 * Werkzeug): HTTP/1.1, Server and Date first, then Content-Type,
 * Content-Length and Connection: close, a body that ends in a newline;
 * its entropy 512 bytes (1024 hex digits) now, 4096 in early releases;
 * and the same with the most d20 takes. */
static void
test_real_d20(void)
{
	static const size_t sizes[] = { 512, 4096, ANSWER_ENTROPY_MAX };
	static char hex[2 * ANSWER_ENTROPY_MAX + 1], body[ANSWER_BODY_MAX + 1];
	static char ans[ANSWER_MAX + 1];
	answer_info info;
	size_t i, k, n, blen = 0, off = 0, b2, l2;
	int r, all;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		make_hex(hex, sizes[i]);
		n = d20_body(body, sizeof(body), hex);
		n = (size_t)snprintf(ans, sizeof(ans), "HTTP/1.1 200 OK\r\n"
		    "Server: Werkzeug/2.2.2 Python/3.11.2\r\n"
		    "Date: Sun, 22 Nov 2026 03:50:00 GMT\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", n, body);
		r = answer_http((const uint8_t *)ans, n, 1, &off, &blen, &why);
		test_ok(r == 200 && blen == strlen(body) &&
		    answer_verify((const uint8_t *)ans + off, blen, CHAL, TIME_T, 1, 600,
		    &info, &why) == 0 && info.entropy_bytes == sizes[i],
		    "D20's HTTP/1.1 answer, %zu hex digits of entropy (%zu bytes): verified",
		    2 * sizes[i], n);
		/* As it arrives: complete exactly at its last byte. */
		for (k = 0, all = 1; k < n; k++)
			if (answer_http((const uint8_t *)ans, k, 0, &b2, &l2, &why) != 0)
				all = 0;
		test_ok(all && answer_http((const uint8_t *)ans, n, 0, &b2, &l2, &why) == 200,
		    "... every prefix of it asks for more, the whole is complete");
	}
}

int
main(void)
{
	test_http();
	test_json();
	test_time();
	test_verify();
	test_entropy_lengths();
	test_real_d20();
	return test_done();
}
