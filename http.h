/* SPDX-License-Identifier: MIT */
/* http.h - the HTTP/1.x request parser and response writer d20d uses.
 *
 * The caller reads a request into one fixed buffer and calls
 * http_parse_request after every read; the parser walks the bytes with a
 * cursor, checks each bound in config.h before it reads, allocates
 * nothing and keeps no state between calls. Every result is an
 * enum http_status whose value is the HTTP status code to answer with,
 * so a failure maps straight to a response. */
#ifndef D20_HTTP_H
#define D20_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum http_status {
	HTTP_INCOMPLETE = 0,		/* not an answer: read more bytes */
	HTTP_OK = 200,
	HTTP_BAD_REQUEST = 400,
	HTTP_NOT_FOUND = 404,
	HTTP_METHOD_NOT_ALLOWED = 405,
	HTTP_REQUEST_TIMEOUT = 408,
	HTTP_LENGTH_REQUIRED = 411,
	HTTP_PAYLOAD_TOO_LARGE = 413,
	HTTP_URI_TOO_LONG = 414,
	HTTP_HEADERS_TOO_LARGE = 431,
	HTTP_INTERNAL_ERROR = 500,
	HTTP_NOT_IMPLEMENTED = 501,
	HTTP_SERVICE_UNAVAILABLE = 503,
	HTTP_VERSION_NOT_SUPPORTED = 505
};

enum http_method {
	HTTP_METHOD_NONE = 0,		/* the request line was not read yet */
	HTTP_GET,
	HTTP_POST,
	HTTP_METHOD_OTHER		/* a valid token we do not implement */
};

/* What http_parse_request found. query and body point into the caller's
 * buffer and stay raw (still percent-encoded): read fields from them with
 * http_form_get. method_name and path are filled as soon as the request
 * line is read, even when a later part fails, so the failure can be
 * logged. */
struct http_request {
	enum http_method method;
	char method_name[HTTP_METHOD_MAX + 1];	/* NUL-terminated */
	char path[HTTP_PATH_MAX + 1];		/* percent-decoded, NUL-terminated */
	size_t pathlen;
	int minor;			/* HTTP/1.minor: 0 or 1 */
	const char *query;		/* after '?', or NULL when there is none */
	size_t querylen;
	const char *body;		/* Content-Length bytes, or NULL */
	size_t bodylen;
	int form;			/* body is application/x-www-form-urlencoded */
	int expect_continue;		/* "Expect: 100-continue" and the header
					 * section is complete */
};

/* Parse the request held in buf[0..len). Returns HTTP_INCOMPLETE while
 * the bytes so far are a valid prefix within every bound, HTTP_OK when
 * the request line, headers and body (Content-Length bytes; anything
 * after them is ignored) are complete and valid, else the error status:
 * 400 malformed (bad syntax, a NUL or other control byte, a bad or %00
 * escape, a duplicate Content-Length, any Transfer-Encoding, a folded
 * header line), 411 POST without Content-Length, 413 body over
 * HTTP_BODY_MAX, 414 request line over HTTP_LINE_MAX or path over
 * HTTP_PATH_MAX, 431 header section over HTTP_HEAD_MAX or more than
 * HTTP_HEADERS_MAX fields, 501 a method other than GET and POST, 505 an
 * HTTP version other than 1.0 and 1.1. Both CRLF and LF end lines.
 * HTTP_INCOMPLETE with expect_continue set means the client waits for
 * "100 Continue" before it sends the body. Never reads past buf[len - 1]. */
enum http_status http_parse_request(struct http_request *req,
    const char *buf, size_t len);

/* Find field name in the application/x-www-form-urlencoded bytes
 * form[0..len) (a query string or a form body) and write its value,
 * percent-decoded with '+' as space, to out[outmax]. Returns HTTP_OK with
 * *outlen set, HTTP_NOT_FOUND when the field is absent, 400 when it
 * appears twice or an escape is bad, 413 when the value exceeds outmax. */
enum http_status http_form_get(const char *form, size_t len, const char *name,
    uint8_t *out, size_t outmax, size_t *outlen);

/* The reason phrase for status ("Not Found"); "Error" for unknown codes. */
const char *http_reason(enum http_status status);

/* Write an HTTP/1.0 response head to out[outmax]: the status line,
 * Content-Type: type, Content-Length: bodylen, Cache-Control: no-store,
 * Connection: close, then extra (NULL, or whole "Name: value\r\n" lines),
 * then the empty line. Returns its length, or 0 when outmax is too small. */
size_t http_response_head(char *out, size_t outmax, enum http_status status,
    const char *type, size_t bodylen, const char *extra);

#endif
