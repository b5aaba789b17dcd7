/* SPDX-License-Identifier: MIT */
/* fuzz_request.c - libFuzzer harness for http.c: any bytes, parsed whole
 * and as every kind of prefix the server would see, must give a known
 * status; fields read from what parsed must stay inside their buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../http.h"

static int
known(enum http_status st)
{
	switch (st) {
	case HTTP_INCOMPLETE: case HTTP_OK: case HTTP_BAD_REQUEST:
	case HTTP_LENGTH_REQUIRED: case HTTP_PAYLOAD_TOO_LARGE:
	case HTTP_URI_TOO_LONG: case HTTP_HEADERS_TOO_LARGE:
	case HTTP_NOT_IMPLEMENTED: case HTTP_VERSION_NOT_SUPPORTED:
		return 1;
	default:
		return 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	enum http_status st;
	uint8_t value[CHALLENGE_MAX];
	size_t vlen;
	char *buf;

	if (size > HTTP_REQ_MAX)
		return 0;
	/* an exact-size copy: ASan flags any read past the end */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	st = http_parse_request(&req, buf, size);
	if (!known(st))
		abort();
	if (req.pathlen > HTTP_PATH_MAX || req.path[req.pathlen] != '\0' ||
	    strlen(req.method_name) > HTTP_METHOD_MAX)
		abort();
	if (st == HTTP_OK) {
		if (req.query && (req.query < buf || req.query + req.querylen > buf + size))
			abort();
		if (req.body && (req.body < buf || req.body + req.bodylen > buf + size))
			abort();
		if (req.query)
			(void)http_form_get(req.query, req.querylen, "challenge",
			    value, sizeof(value), &vlen);
		if (req.body)
			(void)http_form_get(req.body, req.bodylen, "challenge",
			    value, sizeof(value), &vlen);
	}
	/* the server re-parses after every read: no prefix of a valid
	 * request may already be refused */
	if (st == HTTP_OK && size > 0) {
		st = http_parse_request(&req, buf, size - 1);
		if (st != HTTP_OK && st != HTTP_INCOMPLETE)
			abort();
	}
	/* the form reader on raw bytes, as if they were a query */
	(void)http_form_get(buf, size, "challenge", value, sizeof(value), &vlen);
	free(buf);
	return 0;
}
