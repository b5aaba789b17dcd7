/* SPDX-License-Identifier: MIT */
/* fuzz_pin.c - libFuzzer harness for tls.c's --pin parser (pins_parse,
 * pin_decode, tls_pin_check), which tls.c keeps static: it is included
 * whole. Any bytes (up to the first NUL) as a pin list must be accepted
 * exactly when a reference check written here from tls.h's words accepts
 * them, and every accepted pin must be the canonical base64 of the bytes
 * it decodes to. Fresh pins made from the input must parse back. */
#include "../tls.c"

#include <stdlib.h>

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* "sha256//" and the 44 characters of canonical base64 for 32 bytes. */
static void
ref_encode(const unsigned char in[32], char out[52])
{
	uint32_t v;
	int i, o = 8;

	memcpy(out, "sha256//", 8);
	for (i = 0; i < 30; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	v = (uint32_t)in[30] << 16 | (uint32_t)in[31] << 8;
	out[o++] = b64[v >> 18 & 63];
	out[o++] = b64[v >> 12 & 63];
	out[o++] = b64[v >> 6 & 63];
	out[o++] = '=';
}

/* One pin as tls.h words it: "sha256//", 43 base64 characters and '=';
 * canonical, so the last character carries no stray low bits. */
static int
ref_one(const char *s, size_t n)
{
	const char *p;
	size_t i;

	if (n != 52 || memcmp(s, "sha256//", 8) != 0 || s[51] != '=')
		return 0;
	for (i = 8; i < 51; i++)
		if (!s[i] || !strchr(b64, s[i]))
			return 0;
	p = strchr(b64, s[50]);
	return ((p - b64) & 3) == 0;
}

/* The whole list: pins separated by ';', at most TLS_PIN_MAX. */
static int
ref_count(const char *s)
{
	size_t start = 0, end, len = strlen(s);
	int n = 0;

	for (;;) {
		for (end = start; end < len && s[end] != ';'; end++)
			;
		if (!ref_one(s + start, end - start) || n == TLS_PIN_MAX)
			return -1;
		n++;
		if (end == len)
			return n;
		start = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char pins[TLS_PIN_MAX][32], again[32];
	char *s, made[10 * 53];
	int n, i, k;

	/* an exact-size copy, NUL-terminated as a command line's would be */
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	n = pins_parse(s, pins, TLS_PIN_MAX);
	if (n != ref_count(s) || pins_parse(s, NULL, TLS_PIN_MAX) != n ||
	    tls_pin_check(s) != (n > 0 ? 0 : -1))
		abort();
	for (i = 0; i < n; i++) {
		ref_encode(pins[i], made);
		if (memcmp(made, s + 53 * i, 52) != 0)
			abort();
	}
	free(s);

	/* The other way: k pins from the input's bytes always parse back,
	 * up to TLS_PIN_MAX of them. */
	if (size < 32)
		return 0;
	k = 1 + data[0] % (TLS_PIN_MAX + 1);
	for (i = 0; i < k; i++) {
		ref_encode(data + (size_t)i * (size - 32) / (size_t)k, made + 53 * i);
		made[53 * i + 52] = i + 1 < k ? ';' : '\0';
	}
	n = pins_parse(made, pins, TLS_PIN_MAX);
	if (n != (k <= TLS_PIN_MAX ? k : -1))
		abort();
	for (i = 0; i < n; i++) {
		if (pin_decode(made + 53 * i + 8, again) != 0 ||
		    memcmp(again, data + (size_t)i * (size - 32) / (size_t)k, 32) != 0 ||
		    memcmp(pins[i], again, 32) != 0)
			abort();
	}
	return 0;
}
