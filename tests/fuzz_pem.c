/* SPDX-License-Identifier: MIT */
/* fuzz_pem.c - libFuzzer harness for tls.c's PEM loading, which tls.c
 * keeps static: it is included whole. Any bytes, as a file, go through
 * the server's certificate-and-key load (read_file, pem_each, chain_add,
 * key_add, key_matches) and the client's CA bundle load (anchor_add);
 * and through pem_each alone, counting objects. Every failure carries a
 * reason, a failed load leaves the loaded pair as it was, and everything
 * kept points inside its arena. The file is a memfd, so no disk is
 * touched; the buffer-level pem_each also runs straight on the input. */
#define _GNU_SOURCE
#include "../tls.c"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static int
count_any(void *arg, const char *name, size_t len, char *err)
{
	/* name may be empty: BearSSL keeps a NUL from the BEGIN line */
	(void)name;
	(void)err;
	if (len > TLS_DER_MAX)
		abort();
	++*(int *)arg;
	return 0;
}

static int
inside(const void *p, size_t n, const void *base, size_t used)
{
	const unsigned char *b = base, *q = p;

	return q >= b && q <= b + used && n <= (size_t)(b + used - q);
}

static void
check_slot(const struct server_slot *s)
{
	size_t i;

	if (s->chain_len > TLS_CHAIN_MAX || s->used > sizeof(s->der))
		abort();
	for (i = 0; i < s->chain_len; i++)
		if (!inside(s->chain[i].data, s->chain[i].data_len, s->der, s->used))
			abort();
}

static void
check_anchors(void)
{
	const br_x509_trust_anchor *ta;
	size_t i;

	if (nanchors > TLS_TA_MAX || ta_used > sizeof(ta_arena))
		abort();
	for (i = 0; i < nanchors; i++) {
		ta = &anchors[i];
		if (!inside(ta->dn.data, ta->dn.len, ta_arena, ta_used))
			abort();
		if (ta->pkey.key_type == BR_KEYTYPE_RSA ?
		    !inside(ta->pkey.key.rsa.n, ta->pkey.key.rsa.nlen, ta_arena, ta_used) ||
		    !inside(ta->pkey.key.rsa.e, ta->pkey.key.rsa.elen, ta_arena, ta_used) :
		    !inside(ta->pkey.key.ec.q, ta->pkey.key.ec.qlen, ta_arena, ta_used))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	char err[TLS_ERRLEN];
	int n, count = 0, was, r;
	size_t was_len;

	if (size > TLS_FILE_MAX)
		return 0;
	if (fd < 0) {
		fd = memfd_create("d20-fuzz-pem", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	/* pem_each alone: the same count on every pass over the same bytes */
	err[0] = '\0';
	n = pem_each("fuzz", data, size, count_any, &count, err);
	if (n < -1 || (n >= 0 && n != count) || (n < 0 && !err[0]))
		abort();

	/* The same file as chain and key, as "d20d --tls FILE" would load it,
	 * twice: the second load lands in the other slot. */
	was = active;
	was_len = was >= 0 ? slots[was].chain_len : 0;
	err[0] = '\0';
	r = tls_server_load(path, path, err);
	if (r == 0) {
		if (active < 0 || active == was || !tls_server_ready() ||
		    slots[active].chain_len == 0 || !slots[active].have_key)
			abort();
		check_slot(&slots[active]);
	} else {
		if (r != -1 || !err[0] || active != was ||
		    (was >= 0 && slots[was].chain_len != was_len))
			abort();
	}

	/* The same file as a client's CA bundle. */
	err[0] = '\0';
	r = anchors_load(path, err);
	if ((r != 0 && r != -1) || (r < 0 && !err[0]) || (r == 0 && nanchors == 0))
		abort();
	check_anchors();
	return 0;
}
