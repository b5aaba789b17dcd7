/* SPDX-License-Identifier: MIT */
/* sha512_test.c - SHA-512 against the NIST CAVS vectors (ShortMsg, LongMsg,
 * Monte) and a few FIPS 180-4 examples embedded here, each checked one
 * shot and streamed in several ways. The CAVS files come from Debian's
 * python3-cryptography-vectors; D20_CAVS names their directory. A missing
 * file fails its checks: a test that silently covers nothing is worse
 * than none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "rsp.h"
#include "../sha512.h"
#include "../util.h"

#define MONTE_COUNT 100
#define MAX_NOTES 5		/* mismatches described per check */

typedef struct {
	uint8_t *msg;		/* exactly len bytes, so ASan sees overreads */
	size_t len;
	uint8_t md[SHA512_SIZE];
} msg_vec;

static char path_buf[4096];

/* The path of a file in the CAVS SHA-2 directory. */
static const char *
cavs_path(const char *file)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "hashes/SHA2/%s", file);
	return rsp_cavs(path_buf, sizeof(path_buf), rel);
}

/* Hash msg[0..len) feeding it chunk bytes at a time (0: one call of
 * sha512()). */
static void
hash_chunked(uint8_t out[SHA512_SIZE], const uint8_t *msg, size_t len,
    size_t chunk)
{
	sha512_ctx ctx;
	size_t off, n;

	if (chunk == 0) {
		sha512(out, msg, len);
		return;
	}
	sha512_init(&ctx);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		sha512_update(&ctx, msg + off, n);
	}
	sha512_final(&ctx, out);
}

/* Hash msg in two updates split at split. */
static void
hash_split(uint8_t out[SHA512_SIZE], const uint8_t *msg, size_t len,
    size_t split)
{
	sha512_ctx ctx;

	sha512_init(&ctx);
	sha512_update(&ctx, msg, split);
	sha512_update(&ctx, msg + split, len - split);
	sha512_final(&ctx, out);
}

/* Describe a mismatch, at most MAX_NOTES times per check. */
static void
note_mismatch(int *notes, const char *what, size_t len, const uint8_t *got,
    const uint8_t *want)
{
	char g[2 * SHA512_SIZE + 1], w[2 * SHA512_SIZE + 1];

	if ((*notes)++ >= MAX_NOTES)
		return;
	hex_encode(g, got, SHA512_SIZE);
	hex_encode(w, want, SHA512_SIZE);
	test_note("%s: %zu-byte message", what, len);
	test_note("  got  %s", g);
	test_note("  want %s", w);
}

static void
free_vecs(msg_vec *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].msg);
	free(v);
}

/* Read a ShortMsg or LongMsg file into *out (n entries). Returns 0, or
 * -1 with a note saying why. Len is in bits and rules over the hex: the
 * empty message is written "Msg = 00". */
static int
load_msgs(const char *path, msg_vec **out, size_t *n)
{
	rsp_file r;
	const char *key, *value;
	msg_vec *v = NULL, *nv;
	size_t cap = 0, hexlen = 0;
	unsigned long bits = 0;
	int have_len = 0, have_msg = 0;
	uint8_t *hex = NULL, *md;

	*out = NULL;
	*n = 0;
	if (rsp_open(&r, path) < 0) {
		test_note("cannot open %s", path);
		return -1;
	}
	while (rsp_next(&r, &key, &value)) {
		if (strcmp(key, "Len") == 0) {
			bits = strtoul(value, NULL, 10);
			have_len = 1;
		} else if (strcmp(key, "Msg") == 0) {
			free(hex);
			hex = rsp_hex(value, &hexlen);
			if (!hex || !have_len || bits % 8 != 0 ||
			    bits / 8 > hexlen)
				goto bad;
			have_msg = 1;
		} else if (strcmp(key, "MD") == 0) {
			if (!have_msg)
				goto bad;
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					goto bad;
				v = nv;
			}
			v[*n].len = bits / 8;
			v[*n].msg = malloc(v[*n].len ? v[*n].len : 1);
			md = rsp_hex(value, &hexlen);
			if (!v[*n].msg || !md || hexlen != SHA512_SIZE) {
				free(v[*n].msg);
				free(md);
				goto bad;
			}
			memcpy(v[*n].msg, hex, v[*n].len);
			memcpy(v[*n].md, md, SHA512_SIZE);
			free(md);
			++*n;
			have_len = have_msg = 0;
		}
	}
	free(hex);
	rsp_close(&r);
	*out = v;
	if (*n == 0) {
		test_note("no vectors in %s", path);
		return -1;
	}
	return 0;
bad:
	test_note("%s:%ld: unexpected %s", path, r.lineno, key);
	free(hex);
	rsp_close(&r);
	free_vecs(v, *n);
	*n = 0;
	return -1;
}

/* Embedded known answers: FIPS 180-4 examples (SHA-512 "abc" and the
 * 896-bit two-block message), the empty string, and one million 'a'. */
static void
check_embedded(void)
{
	static const struct {
		const char *msg;
		const char *md;
	} kat[] = {
		{ "abc",
		  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
		{ "",
		  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
		  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	};
	static const char million_a[] =
	    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
	    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";
	static const size_t chunks[] = { 0, 1, 7, 127, 128, 129 };
	uint8_t want[SHA512_SIZE], got[SHA512_SIZE], *big;
	const uint8_t *m;
	size_t i, j, len, count = 0;
	int ok = 1, notes = 0;
	sha512_ctx ctx;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		m = (const uint8_t *)kat[i].msg;
		len = strlen(kat[i].msg);
		hex_decode(want, sizeof(want), kat[i].md, 2 * SHA512_SIZE);
		for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			hash_chunked(got, m, len, chunks[j]);
			if (memcmp(got, want, SHA512_SIZE) != 0) {
				note_mismatch(&notes, "embedded", len, got,
				    want);
				ok = 0;
			}
		}
		count++;
	}

	/* One million 'a': one shot, and in 1000 updates of 1000 bytes. */
	hex_decode(want, sizeof(want), million_a, 2 * SHA512_SIZE);
	big = malloc(1000000);
	if (!big) {
		test_ok(0, "embedded: out of memory");
		return;
	}
	memset(big, 'a', 1000000);
	sha512(got, big, 1000000);
	if (memcmp(got, want, SHA512_SIZE) != 0) {
		note_mismatch(&notes, "one million 'a'", 1000000, got, want);
		ok = 0;
	}
	sha512_init(&ctx);
	for (i = 0; i < 1000; i++)
		sha512_update(&ctx, big, 1000);
	sha512_final(&ctx, got);
	if (memcmp(got, want, SHA512_SIZE) != 0) {
		note_mismatch(&notes, "one million 'a' streamed", 1000000,
		    got, want);
		ok = 0;
	}
	free(big);
	count++;

	test_ok(ok, "embedded: %zu known answers (FIPS 180-4 examples, "
	    "empty, one million 'a'), one shot and streamed", count);
}

/* Properties of the interface rather than of the digest. */
static void
check_context(void)
{
	static const uint8_t zero[sizeof(sha512_ctx)];
	uint8_t want[SHA512_SIZE], got[SHA512_SIZE];
	sha512_ctx ctx;
	int ok = 1;

	/* final leaves nothing of the message behind */
	sha512_init(&ctx);
	sha512_update(&ctx, "secret", 6);
	sha512_final(&ctx, got);
	if (memcmp(&ctx, zero, sizeof(ctx)) != 0) {
		test_note("sha512_final left the context unwiped");
		ok = 0;
	}

	/* empty updates, even from NULL, change nothing */
	sha512(want, "abc", 3);
	sha512_init(&ctx);
	sha512_update(&ctx, NULL, 0);
	sha512_update(&ctx, "ab", 2);
	sha512_update(&ctx, NULL, 0);
	sha512_update(&ctx, "c", 1);
	sha512_final(&ctx, got);
	if (memcmp(got, want, SHA512_SIZE) != 0) {
		test_note("empty updates changed the digest");
		ok = 0;
	}
	sha512(got, NULL, 0);
	sha512(want, "", 0);
	if (memcmp(got, want, SHA512_SIZE) != 0) {
		test_note("sha512(NULL, 0) differs from the empty message");
		ok = 0;
	}

	test_ok(ok, "context: final wipes it; empty and NULL updates are "
	    "no-ops");
}

/* ShortMsg: one shot, a byte at a time, and two updates split at every
 * offset (which walks the buffer-filling path through every state). */
static void
check_short(void)
{
	const char *name = "SHA512ShortMsg";
	msg_vec *v;
	size_t n, i, s, splits = 0;
	uint8_t got[SHA512_SIZE];
	int ok1 = 1, ok2 = 1, ok3 = 1, notes = 0;

	if (load_msgs(cavs_path("SHA512ShortMsg.rsp"), &v, &n) < 0) {
		test_ok(0, "%s: vectors missing, one-shot not checked", name);
		test_ok(0, "%s: vectors missing, byte at a time not checked",
		    name);
		test_ok(0, "%s: vectors missing, splits not checked", name);
		return;
	}
	for (i = 0; i < n; i++) {
		/* the empty message as NULL also covers sha512(NULL, 0) */
		sha512(got, v[i].len ? v[i].msg : NULL, v[i].len);
		if (memcmp(got, v[i].md, SHA512_SIZE) != 0) {
			note_mismatch(&notes, "one-shot", v[i].len, got,
			    v[i].md);
			ok1 = 0;
		}
		hash_chunked(got, v[i].msg, v[i].len, 1);
		if (memcmp(got, v[i].md, SHA512_SIZE) != 0) {
			note_mismatch(&notes, "byte at a time", v[i].len, got,
			    v[i].md);
			ok2 = 0;
		}
		for (s = 0; s <= v[i].len; s++) {
			hash_split(got, v[i].msg, v[i].len, s);
			if (memcmp(got, v[i].md, SHA512_SIZE) != 0) {
				note_mismatch(&notes, "split", v[i].len, got,
				    v[i].md);
				ok3 = 0;
			}
			splits++;
		}
	}
	test_ok(ok1, "%s: %zu vectors one-shot", name, n);
	test_ok(ok2, "%s: %zu vectors byte at a time", name, n);
	test_ok(ok3, "%s: %zu vectors split at every offset (%zu splits)",
	    name, n, splits);
	free_vecs(v, n);
}

/* LongMsg: one shot, then in pieces of sizes around the block size. */
static void
check_long(void)
{
	static const size_t chunks[] = { 1, 7, 127, 128, 129 };
	const char *name = "SHA512LongMsg";
	msg_vec *v;
	size_t n, i, j;
	uint8_t got[SHA512_SIZE];
	int ok1 = 1, ok2 = 1, notes = 0;

	if (load_msgs(cavs_path("SHA512LongMsg.rsp"), &v, &n) < 0) {
		test_ok(0, "%s: vectors missing, one-shot not checked", name);
		test_ok(0, "%s: vectors missing, chunks not checked", name);
		return;
	}
	for (i = 0; i < n; i++) {
		sha512(got, v[i].msg, v[i].len);
		if (memcmp(got, v[i].md, SHA512_SIZE) != 0) {
			note_mismatch(&notes, "one-shot", v[i].len, got,
			    v[i].md);
			ok1 = 0;
		}
		for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			hash_chunked(got, v[i].msg, v[i].len, chunks[j]);
			if (memcmp(got, v[i].md, SHA512_SIZE) != 0) {
				note_mismatch(&notes, "chunked", v[i].len,
				    got, v[i].md);
				ok2 = 0;
			}
		}
	}
	test_ok(ok1, "%s: %zu vectors one-shot", name, n);
	test_ok(ok2, "%s: %zu vectors in 1, 7, 127, 128 and 129-byte chunks",
	    name, n);
	free_vecs(v, n);
}

/* Monte Carlo per SHAVS 6.4: from MD0 = MD1 = MD2 = Seed, 1000 times
 * MDi = SHA(MDi-3 || MDi-2 || MDi-1); MD1002 is checkpoint j and the
 * next seed. m holds the three latest digests, oldest first. */
static void
check_monte(void)
{
	const char *name = "SHA512Monte", *path, *key, *value;
	uint8_t (*want)[SHA512_SIZE], seed[SHA512_SIZE], m[3 * SHA512_SIZE];
	uint8_t *b;
	size_t len;
	long count;
	int have_seed = 0, n = 0, j, i, ok = 1, notes = 0, bad = 0;
	rsp_file r;

	want = malloc(MONTE_COUNT * sizeof(*want));
	path = cavs_path("SHA512Monte.rsp");
	if (!want || rsp_open(&r, path) < 0) {
		test_note("cannot open %s", path);
		test_ok(0, "%s: vectors missing, not checked", name);
		free(want);
		return;
	}
	count = -1;
	while (!bad && rsp_next(&r, &key, &value)) {
		if (strcmp(key, "Seed") == 0 || strcmp(key, "MD") == 0) {
			b = rsp_hex(value, &len);
			if (!b || len != SHA512_SIZE) {
				bad = 1;
			} else if (key[0] == 'S') {
				memcpy(seed, b, SHA512_SIZE);
				have_seed = 1;
			} else if (count != n || n >= MONTE_COUNT) {
				bad = 1;
			} else {
				memcpy(want[n++], b, SHA512_SIZE);
			}
			free(b);
		} else if (strcmp(key, "COUNT") == 0) {
			count = strtol(value, NULL, 10);
		}
	}
	if (bad || !have_seed || n != MONTE_COUNT) {
		test_note("%s:%ld: not a SHA-512 Monte file (seed %d, "
		    "%d checkpoints)", path, r.lineno, have_seed, n);
		test_ok(0, "%s: vectors unreadable, not checked", name);
		rsp_close(&r);
		free(want);
		return;
	}
	rsp_close(&r);

	for (j = 0; j < MONTE_COUNT; j++) {
		for (i = 0; i < 3; i++)
			memcpy(m + i * SHA512_SIZE, seed, SHA512_SIZE);
		for (i = 3; i <= 1002; i++) {
			sha512(seed, m, sizeof(m));
			memmove(m, m + SHA512_SIZE, 2 * SHA512_SIZE);
			memcpy(m + 2 * SHA512_SIZE, seed, SHA512_SIZE);
		}
		if (memcmp(seed, want[j], SHA512_SIZE) != 0) {
			test_note("Monte: COUNT = %d is the first to differ", j);
			note_mismatch(&notes, "Monte", sizeof(m), seed,
			    want[j]);
			ok = 0;
			break;	/* every later checkpoint depends on this one */
		}
	}
	test_ok(ok, "%s: %d checkpoints (%d hashes)", name, MONTE_COUNT,
	    MONTE_COUNT * 1000);
	free(want);
}

int
main(void)
{
	check_embedded();
	check_context();
	check_short();
	check_long();
	check_monte();
	return test_done();
}
