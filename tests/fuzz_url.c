/* SPDX-License-Identifier: MIT */
/* fuzz_url.c - libFuzzer harness for url.c: any bytes either fail with a
 * reason or give NUL-terminated parts of the promised forms. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	url u;

	if (url_parse(&u, (const char *)data, size, &why) != 0) {
		if (!why || !why[0])
			abort();
		return 0;
	}
	if (!memchr(u.host, 0, sizeof(u.host)) || !memchr(u.port, 0, sizeof(u.port)) ||
	    !memchr(u.path, 0, sizeof(u.path)) || !memchr(u.hosthdr, 0, sizeof(u.hosthdr)))
		abort();
	if (!u.host[0] || !u.port[0] || u.path[0] != '/' || !u.hosthdr[0] ||
	    atoi(u.port) < 1 || atoi(u.port) > 65535)
		abort();
	return 0;
}
