/* SPDX-License-Identifier: MIT */
/* fuzz_answer.c - libFuzzer harness for answer.c: any bytes, split as an
 * HTTP answer (final and still arriving), then verified as a body in both
 * forms, parsed as JSON and as a time. Results must be consistent and
 * every offset handed back must lie inside the input; verified entropy
 * must be lower-case hex of an honest length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../answer.h"

/* A verified answer's entropy: inside the body, in bounds, lower-case hex. */
static void
check_entropy(const uint8_t *body, size_t len, const answer_info *info)
{
	size_t i, min = info->proto == ANSWER_POLLEN ? 64 : ANSWER_ENTROPY_MIN;
	size_t max = info->proto == ANSWER_POLLEN ? 64 : ANSWER_ENTROPY_MAX;

	if (info->entropy_bytes < min || info->entropy_bytes > max ||
	    info->entropy > len || 2 * info->entropy_bytes > len - info->entropy)
		abort();
	for (i = 0; i < 2 * info->entropy_bytes; i++)
		if (!strchr("0123456789abcdef", body[info->entropy + i]) ||
		    !body[info->entropy + i])
			abort();
}

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
		if (answer_verify(data + body, blen, chal, 1795319400LL, 1, 600,
		    &info, &why) == 0)
			check_entropy(data + body, blen, &info);
	}
	if (answer_verify(data, size, chal, 1795319400LL, 1, 600, &info, &why) == 0) {
		if (info.proto != ANSWER_D20 && info.proto != ANSWER_POLLEN)
			abort();
		check_entropy(data, size, &info);
	}
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
