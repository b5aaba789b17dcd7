/* SPDX-License-Identifier: MIT */
/* http.c - see http.h */
#include <string.h>

#include "http.h"
#include "util.h"

/* A read position in the caller's buffer; every access checks pos < len. */
struct cursor {
	const char *buf;
	size_t len;
	size_t pos;
};

static int
is_tchar(int c)
{
	/* RFC 9110 token characters */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Decode one possibly escaped character of s[0..len) at *i and advance
 * *i. Returns the byte, or -1 for a bad escape or an escaped NUL (a NUL
 * inside a challenge or path would be cut by every C string it meets). */
static int
decode_at(const char *s, size_t len, size_t *i, int plus_is_space)
{
	int c = (unsigned char)s[*i], hi, lo;

	if (c == '+' && plus_is_space) {
		*i += 1;
		return ' ';
	}
	if (c != '%') {
		*i += 1;
		return c;
	}
	if (len - *i < 3)
		return -1;
	hi = hex_digit((unsigned char)s[*i + 1]);
	lo = hex_digit((unsigned char)s[*i + 2]);
	if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
		return -1;
	*i += 3;
	return hi << 4 | lo;
}

/* A query or form body: only printable ASCII and valid escapes. */
static enum http_status
form_check(const char *s, size_t len)
{
	size_t i = 0;
	int c;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f)
			return HTTP_BAD_REQUEST;
		if (decode_at(s, len, &i, 1) < 0)
			return HTTP_BAD_REQUEST;
	}
	return HTTP_OK;
}

/* Request line: METHOD SP /target SP HTTP/1.x, line end excluded. */
static enum http_status
parse_request_line(struct http_request *req, const char *s, size_t len)
{
	size_t i = 0, m, start, end, n;
	int c;

	for (m = 0; i < len && is_tchar((unsigned char)s[i]); i++)
		if (m < HTTP_METHOD_MAX)
			req->method_name[m++] = s[i];
	req->method_name[m] = '\0';
	if (i == 0 || i >= len || s[i] != ' ')
		return HTTP_BAD_REQUEST;
	if (i > HTTP_METHOD_MAX)
		req->method = HTTP_METHOD_OTHER;
	else if (i == 3 && memcmp(s, "GET", 3) == 0)
		req->method = HTTP_GET;
	else if (i == 4 && memcmp(s, "POST", 4) == 0)
		req->method = HTTP_POST;
	else
		req->method = HTTP_METHOD_OTHER;
	i++;

	/* Only origin-form targets: "/path" with an optional "?query". */
	start = i;
	while (i < len && s[i] != ' ')
		i++;
	end = i;
	if (end == start || s[start] != '/' || i >= len)
		return HTTP_BAD_REQUEST;
	i++;
	if (len - i != 8 || memcmp(s + i, "HTTP/", 5) != 0 ||
	    s[i + 5] < '0' || s[i + 5] > '9' || s[i + 6] != '.' ||
	    s[i + 7] < '0' || s[i + 7] > '9')
		return HTTP_BAD_REQUEST;
	if (s[i + 5] != '1' || (s[i + 7] != '0' && s[i + 7] != '1'))
		return HTTP_VERSION_NOT_SUPPORTED;
	req->minor = s[i + 7] - '0';

	for (n = start; n < end && s[n] != '?'; n++)
		;
	if (n < end) {
		req->query = s + n + 1;
		req->querylen = end - n - 1;
	}
	for (i = start; i < n; ) {
		c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f)
			return HTTP_BAD_REQUEST;
		c = decode_at(s, n, &i, 0);
		if (c < 0)
			return HTTP_BAD_REQUEST;
		if (req->pathlen >= HTTP_PATH_MAX)
			return HTTP_URI_TOO_LONG;
		req->path[req->pathlen++] = (char)c;
	}
	req->path[req->pathlen] = '\0';
	if (req->query && form_check(req->query, req->querylen) != HTTP_OK)
		return HTTP_BAD_REQUEST;
	if (req->method == HTTP_METHOD_OTHER)
		return HTTP_NOT_IMPLEMENTED;
	return HTTP_OK;
}

/* Find the end of the line that starts at cur->pos, looking no further
 * than max bytes. Sets *content to the line's length without its CRLF or
 * LF and moves the cursor past the line end. Returns HTTP_OK,
 * HTTP_INCOMPLETE when no line end is in sight yet, too_long when max
 * bytes hold no line end, or 400 for a NUL, a bare CR or another control
 * byte (horizontal tab aside). */
static enum http_status
next_line(struct cursor *cur, size_t max, size_t *content,
    enum http_status too_long)
{
	size_t i, avail = cur->len - cur->pos;
	const char *s = cur->buf + cur->pos;
	int c;

	if (avail > max)
		avail = max;
	for (i = 0; i < avail; i++) {
		c = (unsigned char)s[i];
		if (c == '\n') {
			*content = i > 0 && s[i - 1] == '\r' ? i - 1 : i;
			cur->pos += i + 1;
			return HTTP_OK;
		}
		if (c == '\r' && i + 1 < avail && s[i + 1] != '\n')
			return HTTP_BAD_REQUEST;
		if ((c < ' ' && c != '\t' && c != '\r') || c == 0x7f)
			return HTTP_BAD_REQUEST;
	}
	return cur->len - cur->pos >= max ? too_long : HTTP_INCOMPLETE;
}

/* Content-Length: digits only, one occurrence, at most HTTP_BODY_MAX. */
static enum http_status
parse_length(const char *v, size_t n, size_t *length)
{
	size_t i, x = 0;

	if (n == 0)
		return HTTP_BAD_REQUEST;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return HTTP_BAD_REQUEST;
		/* stop growing once past the bound: no overflow, still 413 */
		if (x <= HTTP_BODY_MAX)
			x = x * 10 + (size_t)(v[i] - '0');
	}
	if (x > HTTP_BODY_MAX)
		return HTTP_PAYLOAD_TOO_LARGE;
	*length = x;
	return HTTP_OK;
}

/* A form body is "application/x-www-form-urlencoded", maybe with
 * parameters after ';'. */
static int
is_form_type(const char *v, size_t n)
{
	static const char type[] = "application/x-www-form-urlencoded";
	size_t t = sizeof(type) - 1;

	if (n < t || !eq_nocase(v, t, type))
		return 0;
	return n == t || v[t] == ';' || v[t] == ' ' || v[t] == '\t';
}

enum http_status
http_parse_request(struct http_request *req, const char *buf, size_t len)
{
	struct cursor cur = { buf, len, 0 };
	size_t n, name, vstart, vend, head, line, length = 0, fields = 0;
	int has_length = 0, form = 0, expect = 0;
	enum http_status st;
	const char *s;

	memset(req, 0, sizeof(*req));
	st = next_line(&cur, HTTP_LINE_MAX, &n, HTTP_URI_TOO_LONG);
	if (st != HTTP_OK)
		return st;
	st = parse_request_line(req, buf, n);
	if (st != HTTP_OK)
		return st;

	head = cur.pos;
	for (;;) {
		line = cur.pos;
		st = next_line(&cur, HTTP_HEAD_MAX - (cur.pos - head), &n,
		    HTTP_HEADERS_TOO_LARGE);
		if (st != HTTP_OK)
			return st;
		s = buf + line;
		if (n == 0)
			break;
		if (++fields > HTTP_HEADERS_MAX)
			return HTTP_HEADERS_TOO_LARGE;
		/* no obsolete line folding, no space before the colon */
		for (name = 0; name < n && is_tchar((unsigned char)s[name]); name++)
			;
		if (name == 0 || name == n || s[name] != ':')
			return HTTP_BAD_REQUEST;
		for (vstart = name + 1; vstart < n &&
		    (s[vstart] == ' ' || s[vstart] == '\t'); vstart++)
			;
		for (vend = n; vend > vstart &&
		    (s[vend - 1] == ' ' || s[vend - 1] == '\t'); vend--)
			;
		if (eq_nocase(s, name, "content-length")) {
			if (has_length)
				return HTTP_BAD_REQUEST;
			has_length = 1;
			st = parse_length(s + vstart, vend - vstart, &length);
			if (st != HTTP_OK)
				return st;
		} else if (eq_nocase(s, name, "transfer-encoding")) {
			/* only Content-Length framing: nothing to smuggle */
			return HTTP_BAD_REQUEST;
		} else if (eq_nocase(s, name, "content-type")) {
			form = is_form_type(s + vstart, vend - vstart);
		} else if (eq_nocase(s, name, "expect")) {
			expect = eq_nocase(s + vstart, vend - vstart, "100-continue");
		}
	}
	req->expect_continue = expect && req->minor == 1;

	if (req->method == HTTP_POST && !has_length)
		return HTTP_LENGTH_REQUIRED;
	if (len - cur.pos < length)
		return HTTP_INCOMPLETE;
	if (has_length) {
		req->body = buf + cur.pos;
		req->bodylen = length;
		req->form = form;
		if (form && form_check(req->body, length) != HTTP_OK)
			return HTTP_BAD_REQUEST;
		if (!form && memchr(req->body, '\0', length) != NULL)
			return HTTP_BAD_REQUEST;
	}
	return HTTP_OK;
}

enum http_status
http_form_get(const char *form, size_t len, const char *name,
    uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t i = 0, k, end, nlen = strlen(name), got;
	int c, found = 0, match;

	while (i < len) {
		for (end = i; end < len && form[end] != '&'; end++)
			;
		/* compare the decoded key with name, one byte at a time */
		match = 1;
		for (k = 0; i < end && form[i] != '='; k++) {
			c = decode_at(form, end, &i, 1);
			if (c < 0)
				return HTTP_BAD_REQUEST;
			if (k >= nlen || c != (unsigned char)name[k])
				match = 0;
		}
		if (match && k == nlen) {
			if (found)
				return HTTP_BAD_REQUEST;
			found = 1;
			got = 0;
			if (i < end)
				i++;	/* the '=' */
			while (i < end) {
				c = decode_at(form, end, &i, 1);
				if (c < 0)
					return HTTP_BAD_REQUEST;
				if (got >= outmax)
					return HTTP_PAYLOAD_TOO_LARGE;
				out[got++] = (uint8_t)c;
			}
			*outlen = got;
		}
		i = end + 1;
	}
	return found ? HTTP_OK : HTTP_NOT_FOUND;
}

const char *
http_reason(enum http_status status)
{
	switch (status) {
	case HTTP_OK: return "OK";
	case HTTP_BAD_REQUEST: return "Bad Request";
	case HTTP_NOT_FOUND: return "Not Found";
	case HTTP_METHOD_NOT_ALLOWED: return "Method Not Allowed";
	case HTTP_REQUEST_TIMEOUT: return "Request Timeout";
	case HTTP_LENGTH_REQUIRED: return "Length Required";
	case HTTP_PAYLOAD_TOO_LARGE: return "Content Too Large";
	case HTTP_URI_TOO_LONG: return "URI Too Long";
	case HTTP_HEADERS_TOO_LARGE: return "Request Header Fields Too Large";
	case HTTP_INTERNAL_ERROR: return "Internal Server Error";
	case HTTP_NOT_IMPLEMENTED: return "Not Implemented";
	case HTTP_SERVICE_UNAVAILABLE: return "Service Unavailable";
	case HTTP_VERSION_NOT_SUPPORTED: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

size_t
http_response_head(char *out, size_t outmax, enum http_status status,
    const char *type, size_t bodylen, const char *extra)
{
	size_t n;

	n = fmt(out, outmax, "HTTP/1.0 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "Connection: close\r\n"
	    "%s\r\n",
	    (int)status, http_reason(status), type, bodylen, extra ? extra : "");
	/* a head that fills the buffer may have been cut */
	return n + 1 < outmax ? n : 0;
}
