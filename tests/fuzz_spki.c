/* SPDX-License-Identifier: MIT */
/* fuzz_spki.c - libFuzzer harness for the DER walk behind tls.c's key
 * pinning (der_header, spki_find) and for the pinning X.509 engine
 * around it (pin_start_chain ... pin_end_chain), static in tls.c: it is
 * included whole. Any bytes as the server's end-entity certificate, fed
 * in pieces as BearSSL would feed them, pinned to the key spki_find sees
 * (or to another key when byte 0 is odd).
 *
 * What must hold: every DER header read lies inside the input; the
 * element spki_find returns is one whole SEQUENCE inside the input; the
 * engine accepts only a pinned key, and then the key BearSSL will use
 * lies inside the element that was hashed for the pin (else a pin could
 * be met by one key while another is used); and a certificate BearSSL's
 * own decoder accepts has an element spki_find finds. */
#include "../tls.c"

#include <stdlib.h>

static int
within(const unsigned char *hay, size_t hlen, const unsigned char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0 || nlen > hlen)
		return nlen == 0;
	for (i = 0; i + nlen <= hlen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return 1;
	return 0;
}

/* Walk top-level and first-level DER headers: each must stay in bounds. */
static void
walk(const unsigned char *d, size_t len)
{
	size_t pos = 0, clen, end, inner;
	int tag, n;

	for (n = 0; n < 64 && pos < len; n++) {
		tag = der_header(d, len, &pos, &clen);
		if (tag < 0)
			return;
		if (tag > 0xff || pos > len || clen > len - pos)
			abort();
		end = pos + clen;
		for (inner = pos; inner < end; inner += clen) {
			if (der_header(d, end, &inner, &clen) < 0)
				break;
			if (inner > end || clen > end - inner)
				abort();
		}
		pos = end;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const br_x509_class **vt = &pinc.vtable;
	const br_x509_pkey *pk;
	br_x509_decoder_context dc;
	br_sha256_context h;
	unsigned char *d;
	size_t off = 0, slen = 0, pos, clen, step, i;
	unsigned usages = 0, r;
	int found, decoded;

	/* an exact-size copy: ASan flags any read past the end */
	d = malloc(size ? size : 1);
	if (!d)
		abort();
	memcpy(d, data, size);
	walk(d, size);

	found = spki_find(d, size, &off, &slen) == 0;
	if (found) {
		if (off >= size || slen > size - off || d[off] != 0x30)
			abort();
		pos = off;
		if (der_header(d, off + slen, &pos, &clen) != 0x30 || pos + clen != off + slen)
			abort();
	}

	/* BearSSL's decoder on the same bytes: what it accepts, we find. */
	br_x509_decoder_init(&dc, 0, 0);
	br_x509_decoder_push(&dc, d, size);
	decoded = br_x509_decoder_last_error(&dc) == 0 && br_x509_decoder_get_pkey(&dc);
	if (decoded && !found)
		abort();

	/* The pinning engine, as the handshake drives it. */
	memzero(&pinc, sizeof(pinc));
	pinc.vtable = &pin_vtable;
	pinc.npins = 1;
	if (found) {
		br_sha256_init(&h);
		br_sha256_update(&h, d + off, slen);
		br_sha256_out(&h, pinc.pins[0]);
	}
	if (size > 0 && (data[0] & 1))
		pinc.pins[0][0] ^= 1;
	(*vt)->start_chain(vt, "d20.example");
	(*vt)->start_cert(vt, (uint32_t)size);
	step = size > 1 ? 1 + data[1] % 64 : 1;
	for (i = 0; i < size; i += step)
		(*vt)->append(vt, d + i, size - i < step ? size - i : step);
	(*vt)->end_cert(vt);
	/* a second certificate in the chain is not looked at */
	(*vt)->start_cert(vt, 3);
	(*vt)->append(vt, (const unsigned char *)"\x30\x01\x00", 3);
	(*vt)->end_cert(vt);
	r = (*vt)->end_chain(vt);
	pk = (*vt)->get_pkey(vt, &usages);

	if (size > TLS_DER_MAX) {
		if (r != BR_ERR_X509_LIMIT_EXCEEDED)
			abort();
	} else if (!found) {
		if (r != BR_ERR_X509_INVALID_VALUE)
			abort();
	} else if (size > 0 && (data[0] & 1)) {
		if (r != BR_ERR_X509_NOT_TRUSTED || !pinc.mismatch)
			abort();
	}
	if (r == 0) {
		if (!pk || !usages || !found || (data[0] & 1))
			abort();
		if (pk->key_type == BR_KEYTYPE_RSA ?
		    !within(d + off, slen, pk->key.rsa.n, pk->key.rsa.nlen) :
		    !within(d + off, slen, pk->key.ec.q, pk->key.ec.qlen))
			abort();
	} else if (pk) {
		abort();
	}
	free(d);
	return 0;
}
