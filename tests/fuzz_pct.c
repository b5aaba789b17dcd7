/* SPDX-License-Identifier: MIT */
/* fuzz_pct.c - libFuzzer harness for http.c's percent-decoding: any bytes
 * as a query string or form body must give http_form_get exactly the
 * answer of a small reference decoder written here from http.h's words,
 * and the request parser must accept the same bytes as a query, a form
 * body or a path exactly when the reference finds them well formed.
 *
 * Input: byte 0 sets the output room (0..1275, CHALLENGE_MAX's order);
 * when a '\n' comes within the next 32 bytes, the bytes before it are the
 * field name (else the name is "challenge"); the rest is the form. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http.h"

#define NAME_MAX_LEN 32

static int
ref_hex(int c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p;

	if (c >= 'A' && c <= 'F')
		c += 'a' - 'A';
	p = c ? strchr(digits, c) : NULL;
	return p ? (int)(p - digits) : -1;
}

/* Decode s[0..n) into out (room for n bytes), '+' as space when plus.
 * Returns how many bytes came out before the first bad escape (a '%'
 * without two hex digits after it, or %00); *bad says whether there
 * was one. */
static size_t
ref_decode(const uint8_t *s, size_t n, int plus, uint8_t *out, int *bad)
{
	size_t i = 0, o = 0;
	int v;

	*bad = 0;
	while (i < n) {
		if (s[i] != '%') {
			out[o++] = plus && s[i] == '+' ? ' ' : s[i];
			i++;
			continue;
		}
		if (n - i < 3 || ref_hex(s[i + 1]) < 0 || ref_hex(s[i + 2]) < 0) {
			*bad = 1;
			break;
		}
		v = ref_hex(s[i + 1]) * 16 + ref_hex(s[i + 2]);
		if (v == 0) {
			*bad = 1;
			break;
		}
		out[o++] = (uint8_t)v;
		i += 3;
	}
	return o;
}

/* http_form_get as http.h describes it: fields split at '&', the key up
 * to the first '='; the first bad escape in a key, or in the value of
 * the named field, or a second field with that name: 400; a value that
 * outgrows outmax before any bad escape: 413. scratch holds len bytes. */
static enum http_status
ref_form_get(const uint8_t *form, size_t len, const char *name, size_t outmax,
    uint8_t *out, size_t *outlen, uint8_t *scratch)
{
	size_t start = 0, end, eq, k, v, nlen = strlen(name);
	int bad, found = 0;

	while (start < len) {
		for (end = start; end < len && form[end] != '&'; end++)
			;
		for (eq = start; eq < end && form[eq] != '='; eq++)
			;
		k = ref_decode(form + start, eq - start, 1, scratch, &bad);
		if (bad)
			return HTTP_BAD_REQUEST;
		if (k == nlen && memcmp(scratch, name, nlen) == 0) {
			if (found)
				return HTTP_BAD_REQUEST;
			found = 1;
			v = eq < end ? ref_decode(form + eq + 1, end - eq - 1, 1,
			    scratch, &bad) : 0;
			if (v > outmax)
				return HTTP_PAYLOAD_TOO_LARGE;
			if (bad)
				return HTTP_BAD_REQUEST;
			memcpy(out, scratch, v);
			*outlen = v;
		}
		start = end + 1;
	}
	return found ? HTTP_OK : HTTP_NOT_FOUND;
}

/* Every byte printable, no space: what a query or form body may hold. */
static int
printable(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return 0;
	return 1;
}

static enum http_status
parse(char *req, size_t len, struct http_request *r)
{
	char *copy = malloc(len);	/* exact size: ASan sees any overread */
	enum http_status st;

	if (!copy)
		abort();
	memcpy(copy, req, len);
	st = http_parse_request(r, copy, len);
	free(copy);
	return st;
}

/* The request parser checks queries, form bodies and paths with the same
 * decoder: it must accept them exactly when the reference does. */
static void
check_parser(const uint8_t *s, size_t n, uint8_t *scratch)
{
	static char req[HTTP_REQ_MAX];
	struct http_request r;
	enum http_status st;
	size_t len, dlen;
	int ok, bad, line = 1;

	ref_decode(s, n, 1, scratch, &bad);
	ok = printable(s, n) && !bad;

	/* A space or a line end in s ends the request line early: what
	 * follows is then another request line or headers, not s. */
	if (memchr(s, ' ', n) || memchr(s, '\n', n))
		line = 0;
	if (line && n <= HTTP_LINE_MAX - 64) {
		len = (size_t)snprintf(req, sizeof(req), "GET /api/entropy?");
		memcpy(req + len, s, n);
		len += n;
		len += (size_t)snprintf(req + len, sizeof(req) - len, " HTTP/1.0\r\n\r\n");
		st = parse(req, len, &r);
		if (ok ? st != HTTP_OK : st != HTTP_BAD_REQUEST)
			abort();
	}
	if (n <= HTTP_BODY_MAX) {
		len = (size_t)snprintf(req, sizeof(req),
		    "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		    "Content-Length: %zu\r\n\r\n", n);
		memcpy(req + len, s, n);
		len += n;
		st = parse(req, len, &r);
		if (ok ? st != HTTP_OK : st != HTTP_BAD_REQUEST)
			abort();
		if (st == HTTP_OK && (r.bodylen != n || !r.form))
			abort();
	}
	/* As a path ("/" and s, no '?'): decoded with '+' kept. */
	if (line && n < HTTP_PATH_MAX && !memchr(s, '?', n)) {
		dlen = ref_decode(s, n, 0, scratch, &bad);
		ok = printable(s, n) && !bad;
		len = (size_t)snprintf(req, sizeof(req), "GET /");
		memcpy(req + len, s, n);
		len += n;
		len += (size_t)snprintf(req + len, sizeof(req) - len, " HTTP/1.1\r\n\r\n");
		st = parse(req, len, &r);
		if (ok ? st != HTTP_OK : st != HTTP_BAD_REQUEST)
			abort();
		if (st == HTTP_OK && (r.pathlen != dlen + 1 || r.path[0] != '/' ||
		    memcmp(r.path + 1, scratch, dlen) != 0 || r.path[r.pathlen] != '\0'))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[NAME_MAX_LEN + 1] = "challenge";
	const uint8_t *form, *nl;
	uint8_t *out, *want, *scratch;
	size_t len, outmax, outlen = (size_t)-1, wantlen = (size_t)-1;
	enum http_status st, ref;

	if (size < 1 || size > HTTP_REQ_MAX)
		return 0;
	outmax = (size_t)data[0] * 5;
	form = data + 1;
	len = size - 1;
	nl = memchr(form, '\n', len < NAME_MAX_LEN + 1 ? len : NAME_MAX_LEN + 1);
	if (nl && nl > form && !memchr(form, '\0', (size_t)(nl - form))) {
		memcpy(name, form, (size_t)(nl - form));
		name[nl - form] = '\0';
		len -= (size_t)(nl - form) + 1;
		form = nl + 1;
	}

	/* exact sizes, so ASan sees a read or write one byte out */
	out = malloc(outmax ? outmax : 1);
	want = malloc(outmax ? outmax : 1);
	scratch = malloc(len ? len : 1);
	if (!out || !want || !scratch)
		abort();
	st = http_form_get((const char *)form, len, name, out, outmax, &outlen);
	ref = ref_form_get(form, len, name, outmax, want, &wantlen, scratch);
	if (st != ref)
		abort();
	if (st == HTTP_OK && (outlen != wantlen || outlen > outmax || outlen > len ||
	    memcmp(out, want, outlen) != 0))
		abort();

	check_parser(form, len, scratch);
	free(out);
	free(want);
	free(scratch);
	return 0;
}
