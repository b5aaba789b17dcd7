/* SPDX-License-Identifier: MIT */
/* fuzz_answer.c - libFuzzer harness for answer.c: any bytes, split as an
 * HTTP answer (final and still arriving), then verified as a body in both
 * forms, parsed as JSON and as a time. Results must be consistent and
 * every offset handed back must lie inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../answer.h"

static const char chal[ANSWER_CHALLENGE_LEN + 1] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	answer_member m[ANSWER_JSON_MAX];
	answer_info info;
	const char *why;
	size_t body, blen;
	int st, n, i;

	st = answer_http(data, size, 1, &body, &blen, &why);
	if (st == 0 || st > 599)
		abort();
	if (st > 0) {
		if (body > size || blen > size - body || blen > ANSWER_BODY_MAX)
			abort();
		/* A complete answer is complete while it arrives, too. */
		if (answer_http(data, size, 0, &body, &blen, &why) == -1 &&
		    strcmp(why, "answer cut short before Content-Length"))
			abort();
		answer_verify(data + body, blen, chal, 1795319400LL, 1, 600, &info, &why);
	}
	if (answer_verify(data, size, chal, 1795319400LL, 1, 600, &info, &why) == 0 &&
	    info.proto != ANSWER_D20 && info.proto != ANSWER_POLLEN)
		abort();
	n = answer_json(data, size, m, ANSWER_JSON_MAX, &why);
	if (n > ANSWER_JSON_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (m[i].key + m[i].keylen > size || m[i].val + m[i].vallen > size)
			abort();
	if (answer_time((const char *)data, size) < -1)
		abort();
	return 0;
}
