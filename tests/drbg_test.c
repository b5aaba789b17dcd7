/* SPDX-License-Identifier: MIT */
/* drbg_test.c - the CTR_DRBG (drbg.c) against NIST's CAVP AES-256 "use df"
 * vectors and against a literal reading of SP 800-90A, on both AES
 * implementations. The vector files come from $D20_DRBG_VECTORS; a few
 * vectors are embedded so a plain clone still checks the DRBG. Also: the
 * spec's limits, the state rules, and requests split in different ways. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"
#include "rsp.h"
#include "../aes.h"
#include "../drbg.h"
#include "../util.h"

/* Every file holds 16 sections of 15 vectors. */
#define FILE_VECTORS 240
#define FIELD_MAX 128		/* longest value in the files: 64 bytes */
#define MAX_NOTES 10		/* failure details shown per check */

enum mode { NO_RESEED, PR_FALSE, PR_TRUE };

/* The steps after which pr_false lists the working state. */
enum step { AFTER_INSTANTIATE, AFTER_RESEED, AFTER_GEN1, AFTER_GEN2, NSTEPS };

typedef struct {
	uint8_t b[FIELD_MAX];
	size_t len;
	int set;
} field;

/* One CAVP vector, as read from a file or from the embedded table. */
typedef struct {
	field entropy, nonce, pers, ent_reseed, add_reseed;
	field add[2], pr[2], returned;
	field key[NSTEPS], v[NSTEPS];
	int nadd, npr;
} kat;

static const char *const impl_name[2] = { "AES-NI", "CT" };
static const enum aes_impl impl_id[2] = { AES_IMPL_NI, AES_IMPL_CT };
static int impl_ok[2];

static int
field_hex(field *f, const char *hex)
{
	long n = hex_decode(f->b, sizeof(f->b), hex, strlen(hex));

	if (n < 0)
		return -1;
	f->len = (size_t)n;
	f->set = 1;
	return 0;
}

/* ---- running one vector ---- */

/* get_entropy for pr_true: hands out EntropyInputPR #1, then #2. */
struct pr_feed {
	const field *f;
	int used;
};

static int
pr_feed_fn(void *arg, uint8_t *buf, size_t len)
{
	struct pr_feed *p = arg;

	if (p->used >= 2 || p->f[p->used].len != len)
		return -1;
	memcpy(buf, p->f[p->used].b, len);
	p->used++;
	return 0;
}

/* 1 when the Key and V the vector lists after step s (if any) match. */
static int
state_ok(const drbg_ctx *ctx, const kat *k, enum step s, int *nstates)
{
	if (!k->key[s].set && !k->v[s].set)
		return 1;
	(*nstates)++;
	return k->key[s].len == DRBG_KEYLEN && k->v[s].len == AES_BLOCKSIZE &&
	    memcmp(ctx->key, k->key[s].b, DRBG_KEYLEN) == 0 &&
	    memcmp(ctx->v, k->v[s].b, AES_BLOCKSIZE) == 0;
}

/* The CAVP procedure for mode m; NULL when the vector passes, else why. */
static const char *
run_kat(enum mode m, const kat *k, int *nstates)
{
	drbg_ctx ctx;
	struct pr_feed feed;
	uint8_t out[FIELD_MAX];
	int pr = m == PR_TRUE;
	const char *why = NULL;

	memset(&ctx, 0, sizeof(ctx));
	feed.f = k->pr;
	feed.used = 0;
	if (drbg_instantiate(&ctx, k->entropy.b, k->entropy.len,
	    k->nonce.b, k->nonce.len, k->pers.b, k->pers.len,
	    pr ? pr_feed_fn : NULL, &feed) != DRBG_OK) {
		why = "instantiate refused";
		goto done;
	}
	if (!state_ok(&ctx, k, AFTER_INSTANTIATE, nstates)) {
		why = "Key/V after INSTANTIATE";
		goto done;
	}
	if (m == PR_FALSE) {
		if (drbg_reseed(&ctx, k->ent_reseed.b, k->ent_reseed.len,
		    k->add_reseed.b, k->add_reseed.len) != DRBG_OK) {
			why = "reseed refused";
			goto done;
		}
		if (!state_ok(&ctx, k, AFTER_RESEED, nstates)) {
			why = "Key/V after RESEED";
			goto done;
		}
	}
	if (drbg_generate(&ctx, out, k->returned.len, k->add[0].b,
	    k->add[0].len, pr) != DRBG_OK) {
		why = "first generate refused";
		goto done;
	}
	if (!state_ok(&ctx, k, AFTER_GEN1, nstates)) {
		why = "Key/V after the first GENERATE";
		goto done;
	}
	if (drbg_generate(&ctx, out, k->returned.len, k->add[1].b,
	    k->add[1].len, pr) != DRBG_OK) {
		why = "second generate refused";
		goto done;
	}
	if (memcmp(out, k->returned.b, k->returned.len) != 0)
		why = "ReturnedBits";
	else if (!state_ok(&ctx, k, AFTER_GEN2, nstates))
		why = "Key/V after the second GENERATE";
	else if (pr && feed.used != 2)
		why = "get_entropy not called once per generate";
done:
	drbg_destroy(&ctx);
	return why;
}

/* ---- the embedded vectors ---- */

struct kat_hex {
	const char *where;
	enum mode mode;
	const char *entropy, *nonce, *pers, *add1, *add2;
	const char *ent_reseed, *add_reseed;	/* pr_false */
	const char *pr1, *pr2;			/* pr_true */
	const char *returned;
	const char *state[NSTEPS][2];		/* pr_false: Key, V */
};

/* From ../shared/vectors/ctr_drbg/CTR_DRBG_AES256_*.rsp (NIST CAVS 14.3):
 * from each file the first vector (no personalization string, no
 * additional input) and one with both. */
static const struct kat_hex embedded[] = {
	{ "no_reseed.rsp line 13", NO_RESEED,
	  "36401940fa8b1fba91a1661f211d78a0b9389a74e5bccfece8d766af1a6d3b14",
	  "496f25b0f1301b4f501be30380a137eb",
	  "",
	  "",
	  "",
	  NULL, NULL,
	  NULL, NULL,
	  "5862eb38bd558dd978a696e6df164782ddd887e7e9a6c9f3f1fbafb78941b535"
	    "a64912dfd224c6dc7454e5250b3d97165e16260c2faf1cc7735cb75fb4f07e1d",
	  { { NULL, NULL } } },
	{ "no_reseed.rsp line 437", NO_RESEED,
	  "0db75d22f0d16902c7a1813b0adab2ebc675f4305738469b142b7f9a39d5eaf7",
	  "1ace393a30cb36dabfcd85483491b948",
	  "1f9f7abfca5d5365c644f7d9d33d1288cb62b27e873a4d52aad0e7cc1c895388",
	  "b0210179bb14598ad30c4fe1f2bf43c781ea9d8b51a26b8855a812b55a1cf894",
	  "73a28b72cda9f831e21b776bc92e3404132abe5d7c2fe1c26ad4ca6ca6e4ea47",
	  NULL, NULL,
	  NULL, NULL,
	  "f7b6398260d30e5b240dfd5ba0136ba2da98b8bf253f7a7c1bad9132625404e8"
	    "9988d271baf0a26e19786106bac920b9433cc8b4f5b9853e247c0506d1b11488",
	  { { NULL, NULL } } },
	{ "pr_false.rsp line 13", PR_FALSE,
	  "2d4c9f46b981c6a0b2b5d8c69391e569ff13851437ebc0fc00d616340252fed5",
	  "0bf814b411f65ec4866be1abb59d3c32",
	  "",
	  "",
	  "",
	  "93500fae4fa32b86033b7a7bac9d37e710dcc67ca266bc8607d665937766d207",
	  "",
	  NULL, NULL,
	  "322dd28670e75c0ea638f3cb68d6a9d6e50ddfd052b772a7b1d78263a7b8978b"
	    "6740c2b65a9550c3a76325866fa97e16d74006bc96f26249b9f0a90d076f08e5",
	  {
	    { "d64160c3e965f377caef625c7eb21dd37728bcf84bfc23b92e267611feaffda8",
	      "446ce986bd722ad1a514ebb7d274ec99" },
	    { "50d9feb33fc77303b83232b7deded04f1bfa4afaa937712f88458d6b64c046c5",
	      "0b8e38a54036f1ba80a2880d4f17bb09" },
	    { "a2203a6f082ecdc0cd38f0b3b19f1a8cd6a5f110a13bb488c1e70f9f95a93024",
	      "84b0a849c5459e27fe7f8c5db26fa13d" },
	    { "de721178a341a85eb54a2f7e2b3cd4bcc201417e739eb183fa958f9af8535b2c",
	      "de67dd5f9a431fc46dd1825cd1a2bff3" },
	  } },
	{ "pr_false.rsp line 1337", PR_FALSE,
	  "2d0666507cc6e1e6ab6d8744833538056722d6720af88d0109d0ef563ec1d13e",
	  "cb71964e05721fc4e6fd2279df81ee45",
	  "0d07efdd5a8e152526b7bd5921774ce504f0c4ff8ccaca1d8615e074f8c9931b",
	  "b9c48f3381f9cc54975f9bd46d00386644183f1716b2e04cf1072c0e53f5a4eb",
	  "ef190e7eb3b60f614665638fb3bae566d25e77902170423854601840849e6288",
	  "c9218f42a2a5631e757e6e92ccdb848b51b0c9bac8945888cb9fda7ee10956b8",
	  "f8305247d7cca7b065db7eaeeb13abc31871e7a8cd7663c291083c87d9cbc184",
	  NULL, NULL,
	  "e62e6a4788657ba4e9b9371d1e72e7b070e58857318f4d3a7f0ef370214a2f4e"
	    "b4b45d32976af79c7cfdc449447b51714892be31c99230996fa6a18f23658076",
	  {
	    { "dc27967d3f36b6c3bca56a818fcde3feeecfc9b8bea4610b8c25ec16749c6316",
	      "a0fa28cf6fa9ff662b4cd6197cc8075d" },
	    { "f668b3ea9a36ce93f73642a6ba35580199cfcc89e1a735323cda1e16082234ba",
	      "f066f155fccb4f68ff2262e22c5d5dd1" },
	    { "90bd7d3fae6430c26611347661e5fce11f0e916d47081736fc28508939f52f0d",
	      "2e38ce2e48ec6856a438499fca0e8050" },
	    { "89977139f6a763cdcb1ee070d32cd2b621618232e86a02e51bdbad9df60375ae",
	      "f985c8be004e719f64a7db0201e34b86" },
	  } },
	{ "pr_true.rsp line 13", PR_TRUE,
	  "16a1f035388cd8d956026e3b0117cb524dd3eb563f9a7720bb7dcb0fc6fbe743",
	  "a2d015f22d854e29de278d910c573de5",
	  "",
	  "",
	  "",
	  NULL, NULL,
	  "cf140bcd4d7130e7e3ea14046c56442b57c43b34ad219553e7105c18f6e561af",
	  "e27c9f0be60d82d6cc474efb7fc737b16a6895d9a3a45b971d19b743c1a4ac8f",
	  "b4e8395bcb7503410a94633f70e9904a5b30e62c35bc6dd2a03496c4a49932e1"
	    "84fbffdbcf1de1c72c50d36dc2ae8f04f40f96aae159c3fb816ca16df99b6c3e",
	  { { NULL, NULL } } },
	{ "pr_true.rsp line 537", PR_TRUE,
	  "752f528b9a1c0f2e3cc99c241f1e2ca7561cac4a34e94e739478512ed32868d7",
	  "9d75e0db0885b9eb3589451ab9f9d054",
	  "81f0986101d4fe5b7c85b89274f88fe0cf0fa4204d5ab23f149bc62c836d96ab",
	  "3d46a2280d08b26e7cd7018d2259c7cf7bd6c1bdf277f9b6e6f34cc4a57f0575",
	  "20886997f88b4d274cade05a05427ecea35db515013ff216469a1c5f13aa7e45",
	  NULL, NULL,
	  "7f65a33f999f35b3e57f37c2e14fbb034f9789e3a2bc9c8c6fd015e5cb66458e",
	  "fef1a714858a0614a23b4ac0151d6bb9dab427daa47686d8a3f6999d630998d6",
	  "1d67f1619910445348a0263d802e38fd54df0134da925b4438e0a95e4191f95c"
	    "77e1c2a39804be37b258639ee984f37f74921729395abfa4b37a36f60e4b79dd",
	  { { NULL, NULL } } },
};

static int
kat_from_hex(kat *k, const struct kat_hex *h)
{
	int s, bad = 0;

	memset(k, 0, sizeof(*k));
	bad |= field_hex(&k->entropy, h->entropy);
	bad |= field_hex(&k->nonce, h->nonce);
	bad |= field_hex(&k->pers, h->pers);
	bad |= field_hex(&k->add[0], h->add1);
	bad |= field_hex(&k->add[1], h->add2);
	k->nadd = 2;
	if (h->ent_reseed)
		bad |= field_hex(&k->ent_reseed, h->ent_reseed);
	if (h->add_reseed)
		bad |= field_hex(&k->add_reseed, h->add_reseed);
	if (h->pr1 && h->pr2) {
		bad |= field_hex(&k->pr[0], h->pr1);
		bad |= field_hex(&k->pr[1], h->pr2);
		k->npr = 2;
	}
	bad |= field_hex(&k->returned, h->returned);
	for (s = 0; s < NSTEPS; s++) {
		if (h->state[s][0])
			bad |= field_hex(&k->key[s], h->state[s][0]);
		if (h->state[s][1])
			bad |= field_hex(&k->v[s], h->state[s][1]);
	}
	return bad ? -1 : 0;
}

static void
check_embedded(int impl)
{
	size_t i, n = sizeof(embedded) / sizeof(embedded[0]);
	int passed = 0, nstates = 0, notes = 0;
	const char *why;
	kat k;

	for (i = 0; i < n; i++) {
		why = kat_from_hex(&k, &embedded[i]) ? "bad hex in the table" :
		    run_kat(embedded[i].mode, &k, &nstates);
		if (!why)
			passed++;
		else if (notes++ < MAX_NOTES)
			test_note("%s, %s: %s", embedded[i].where,
			    impl_name[impl], why);
	}
	test_ok(passed == (int)n && nstates == 8,
	    "embedded CAVP vectors, %s: %d/%d, Key/V checked at %d steps",
	    impl_name[impl], passed, (int)n, nstates);
}

/* ---- a literal reading of SP 800-90A, for comparison ---- */

/* The working state, nothing else. */
typedef struct {
	uint8_t key[DRBG_KEYLEN];
	uint8_t v[AES_BLOCKSIZE];
} ref_state;

static void
ref_increment(uint8_t v[AES_BLOCKSIZE])
{
	int i;

	for (i = AES_BLOCKSIZE - 1; i >= 0; i--)
		if (++v[i] != 0)
			break;
}

/* CTR_DRBG_Update (10.2.1.2), block by block; seed NULL is all zeros. */
static void
ref_update(ref_state *s, const uint8_t *seed)
{
	uint8_t temp[DRBG_SEEDLEN];
	aes256_ctx aes;
	size_t i;

	aes256_init(&aes, s->key);
	for (i = 0; i < DRBG_SEEDLEN; i += AES_BLOCKSIZE) {
		ref_increment(s->v);
		aes256_encrypt(&aes, temp + i, s->v);
	}
	for (i = 0; seed && i < DRBG_SEEDLEN; i++)
		temp[i] ^= seed[i];
	memcpy(s->key, temp, DRBG_KEYLEN);
	memcpy(s->v, temp + DRBG_KEYLEN, AES_BLOCKSIZE);
}

/* Block_Cipher_df (10.3.2) as written: IV || S built in memory, BCC
 * (10.3.3) run three times over it. */
static void
ref_df(uint8_t out[DRBG_SEEDLEN], const uint8_t *in, size_t len)
{
	size_t slen = AES_BLOCKSIZE + 8 + len + 1, i, j, b;
	uint8_t temp[DRBG_SEEDLEN], k[DRBG_KEYLEN], *buf;
	aes256_ctx aes;

	slen = (slen + AES_BLOCKSIZE - 1) / AES_BLOCKSIZE * AES_BLOCKSIZE;
	buf = calloc(1, slen);
	if (!buf) {
		test_ok(0, "out of memory");
		exit(test_done());
	}
	buf[16] = (uint8_t)(len >> 24);
	buf[17] = (uint8_t)(len >> 16);
	buf[18] = (uint8_t)(len >> 8);
	buf[19] = (uint8_t)len;
	buf[23] = DRBG_SEEDLEN;
	memcpy(buf + 24, in, len);
	buf[24 + len] = 0x80;
	for (i = 0; i < DRBG_KEYLEN; i++)
		k[i] = (uint8_t)i;
	aes256_init(&aes, k);
	for (i = 0; i < 3; i++) {
		uint8_t *cv = temp + i * AES_BLOCKSIZE;

		buf[3] = (uint8_t)i;
		memset(cv, 0, AES_BLOCKSIZE);
		for (b = 0; b < slen; b += AES_BLOCKSIZE) {
			for (j = 0; j < AES_BLOCKSIZE; j++)
				cv[j] ^= buf[b + j];
			aes256_encrypt(&aes, cv, cv);
		}
	}
	free(buf);
	aes256_init(&aes, temp);
	memcpy(out, temp + DRBG_KEYLEN, AES_BLOCKSIZE);
	for (i = 0; i < 3; i++) {
		aes256_encrypt(&aes, out + i * AES_BLOCKSIZE,
		    out + (i ? i - 1 : 0) * AES_BLOCKSIZE);
	}
}

static void
ref_instantiate(ref_state *s, const uint8_t *seedmat, size_t len)
{
	uint8_t seed[DRBG_SEEDLEN];

	ref_df(seed, seedmat, len);
	memset(s, 0, sizeof(*s));
	ref_update(s, seed);
}

static void
ref_reseed(ref_state *s, const uint8_t *seedmat, size_t len)
{
	uint8_t seed[DRBG_SEEDLEN];

	ref_df(seed, seedmat, len);
	ref_update(s, seed);
}

static void
ref_generate(ref_state *s, uint8_t *out, size_t outlen,
    const uint8_t *add, size_t addlen)
{
	uint8_t seed[DRBG_SEEDLEN], block[AES_BLOCKSIZE];
	aes256_ctx aes;
	size_t i, n;

	if (addlen > 0) {
		ref_df(seed, add, addlen);
		ref_update(s, seed);
	}
	aes256_init(&aes, s->key);
	for (i = 0; i < outlen; i += n) {
		ref_increment(s->v);
		aes256_encrypt(&aes, block, s->v);
		n = outlen - i < AES_BLOCKSIZE ? outlen - i : AES_BLOCKSIZE;
		memcpy(out + i, block, n);
	}
	ref_update(s, addlen > 0 ? seed : NULL);
}

static int
same_state(const drbg_ctx *ctx, const ref_state *s)
{
	return memcmp(ctx->key, s->key, DRBG_KEYLEN) == 0 &&
	    memcmp(ctx->v, s->v, AES_BLOCKSIZE) == 0;
}

/* ---- small checks, gathered into one line per group ---- */

static int chk_n, chk_bad;

static void
chk(int cond, const char *what)
{
	chk_n++;
	if (!cond && chk_bad++ < MAX_NOTES)
		test_note("failed: %s", what);
}

static void
chk_done(const char *group, int impl)
{
	test_ok(chk_bad == 0, "%s, %s: %d checks", group, impl_name[impl],
	    chk_n);
	chk_n = 0;
	chk_bad = 0;
}

/* Deterministic filler for inputs (xorshift64). */
static uint64_t fill_state = 0x9e3779b97f4a7c15u;

static uint64_t
next_rand(void)
{
	fill_state ^= fill_state << 13;
	fill_state ^= fill_state >> 7;
	fill_state ^= fill_state << 17;
	return fill_state;
}

static void
fill(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)next_rand();
}

static uint8_t big_in[70000];		/* inputs past DRBG_MAX_REQUEST */
static uint8_t big_out[DRBG_MAX_REQUEST + 32];
static uint8_t big_ref[DRBG_MAX_REQUEST + 32];

/* drbg.c against the literal reading above: every split of the seed
 * material over entropy, nonce and personalization string (drbg.c
 * streams them through the df), every padding length of the df's S,
 * inputs far longer than a block, and a long random walk of reseeds and
 * generates of all sizes with and without additional input. */
static void
check_reference(int impl)
{
	uint8_t in[200];
	drbg_ctx ctx;
	ref_state ref;
	size_t total, e, n, i, outlen, addlen, off;
	int ok, r;

	memset(&ctx, 0, sizeof(ctx));
	fill(in, sizeof(in));

	/* Totals 48..200 give S every length mod 16 (S = 8 + total + 1). */
	ok = 1;
	for (total = 48; total <= sizeof(in); total++) {
		ref_instantiate(&ref, in, total);
		for (e = 32; e + 16 <= total; e += (total == 77 ? 1 : 13)) {
			for (n = 16; e + n <= total;
			    n += (total == 77 ? 1 : 11)) {
				r = drbg_instantiate(&ctx, in, e, in + e, n,
				    in + e + n, total - e - n, NULL, NULL);
				ok &= r == DRBG_OK && same_state(&ctx, &ref);
			}
		}
	}
	chk(ok, "instantiate = literal df and Update, all splits and paddings");

	/* Long inputs: the df streams them block by block. */
	fill(big_in, sizeof(big_in));
	ok = 1;
	ref_instantiate(&ref, big_in, sizeof(big_in));
	r = drbg_instantiate(&ctx, big_in, 32, big_in + 32, 16, big_in + 48,
	    sizeof(big_in) - 48, NULL, NULL);
	ok &= r == DRBG_OK && same_state(&ctx, &ref);
	r = drbg_instantiate(&ctx, big_in, 40001, big_in + 40001, 29999,
	    NULL, 0, NULL, NULL);
	ok &= r == DRBG_OK && same_state(&ctx, &ref);
	chk(ok, "instantiate with 70000 bytes of seed material");

	ok = 1;
	for (off = 32; off <= sizeof(big_in); off += 9973) {
		drbg_ctx c = ctx;
		ref_state rs = ref;

		ref_reseed(&rs, big_in, sizeof(big_in));
		r = drbg_reseed(&c, big_in, off, big_in + off,
		    sizeof(big_in) - off);
		ok &= r == DRBG_OK && same_state(&c, &rs) &&
		    c.reseed_counter == 1;
		drbg_destroy(&c);
	}
	chk(ok, "reseed with 70000 bytes split at several offsets");

	/* A random walk: the ctx and the reference must never part. */
	ok = 1;
	for (i = 0; i < 300 && ok; i++) {
		r = (int)(next_rand() % 16);
		if (r == 0) {
			e = 32 + next_rand() % 40;
			addlen = next_rand() % 3 ? next_rand() % 80 : 0;
			ref_reseed(&ref, big_in, e + addlen);
			ok &= drbg_reseed(&ctx, big_in, e, big_in + e,
			    addlen) == DRBG_OK;
		} else {
			/* Mostly small, as d20d asks; sometimes the limits. */
			switch (next_rand() % 8) {
			case 0: case 1: case 2: outlen = next_rand() % 33; break;
			case 3: case 4: outlen = next_rand() % 1100; break;
			case 5: case 6: outlen = next_rand() % 20000; break;
			default: outlen = DRBG_MAX_REQUEST - next_rand() % 40;
			}
			switch (next_rand() % 16) {
			case 0: addlen = sizeof(big_in) - next_rand() % 50;
				break;
			case 1: case 2: case 3: addlen = next_rand() % 300;
				break;
			case 4: case 5: case 6: addlen = next_rand() % 17;
				break;
			default: addlen = 0;
			}
			off = next_rand() % 16;	/* unaligned output too */
			ref_generate(&ref, big_ref, outlen,
			    big_in + sizeof(big_in) - addlen, addlen);
			ok &= drbg_generate(&ctx, big_out + off, outlen,
			    big_in + sizeof(big_in) - addlen, addlen, 0) ==
			    DRBG_OK;
			ok &= memcmp(big_out + off, big_ref, outlen) == 0;
		}
		ok &= same_state(&ctx, &ref);
	}
	chk(ok, "300 random reseeds and generates (0..65536 bytes, additional "
	    "input 0..70000 bytes) = literal reading of 10.2.1");
	drbg_destroy(&ctx);
	chk_done("drbg.c = literal SP 800-90A", impl);
}

static const uint8_t seed_material[64] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f
};

static int
instantiate_plain(drbg_ctx *ctx)
{
	return drbg_instantiate(ctx, seed_material, 32, seed_material + 32, 16,
	    NULL, 0, NULL, NULL);
}

/* Same Key, V and counter. */
static int
unchanged(const drbg_ctx *a, const drbg_ctx *b)
{
	return memcmp(a->key, b->key, DRBG_KEYLEN) == 0 &&
	    memcmp(a->v, b->v, AES_BLOCKSIZE) == 0 &&
	    a->reseed_counter == b->reseed_counter &&
	    a->instantiated == b->instantiated;
}

static void
check_limits(int impl)
{
	drbg_ctx ctx, before;
	uint8_t out[64];

	memset(&ctx, 0, sizeof(ctx));
	chk(drbg_instantiate(&ctx, seed_material, 31, seed_material + 32, 16,
	    NULL, 0, NULL, NULL) == DRBG_ERR_INPUT, "31 bytes of entropy refused");
	chk(!ctx.instantiated && drbg_generate(&ctx, out, 16, NULL, 0, 0) ==
	    DRBG_ERR_STATE, "a refused instantiate leaves no state");
	chk(drbg_instantiate(&ctx, seed_material, 32, seed_material + 32, 15,
	    NULL, 0, NULL, NULL) == DRBG_ERR_INPUT, "15-byte nonce refused");
	chk(drbg_instantiate(&ctx, NULL, 32, seed_material + 32, 16,
	    NULL, 0, NULL, NULL) == DRBG_ERR_INPUT, "NULL entropy refused");
	chk(drbg_instantiate(&ctx, seed_material, 32, NULL, 16,
	    NULL, 0, NULL, NULL) == DRBG_ERR_INPUT, "NULL nonce refused");
	chk(drbg_instantiate(&ctx, seed_material, 32, seed_material + 32, 16,
	    NULL, 1, NULL, NULL) == DRBG_ERR_INPUT,
	    "NULL personalization string with a length refused");
#if SIZE_MAX > 0xffffffffu
	/* Lengths past the limits are refused before anything is read, so
	 * short buffers are safe here (and ASan would say otherwise). */
	chk(drbg_instantiate(&ctx, seed_material, 32, seed_material + 32, 16,
	    seed_material, DRBG_MAX_INPUT + 1, NULL, NULL) == DRBG_ERR_INPUT,
	    "personalization string over DRBG_MAX_INPUT refused");
	chk(drbg_instantiate(&ctx, seed_material, DRBG_MAX_INPUT + 1,
	    seed_material + 32, 16, NULL, 0, NULL, NULL) == DRBG_ERR_INPUT,
	    "entropy input over DRBG_MAX_INPUT refused");
	/* The df's L is 32 bits: the inputs together must stay under 2^32. */
	chk(drbg_instantiate(&ctx, seed_material, 32, seed_material + 32, 16,
	    seed_material, DRBG_MAX_INPUT - 48, NULL, NULL) == DRBG_ERR_INPUT,
	    "seed material of 2^32 bytes refused");
#endif
	chk(instantiate_plain(&ctx) == DRBG_OK && ctx.instantiated &&
	    ctx.reseed_counter == 1, "32 bytes of entropy, 16 of nonce taken");

	before = ctx;
	chk(drbg_reseed(&ctx, seed_material, 31, NULL, 0) == DRBG_ERR_INPUT &&
	    unchanged(&ctx, &before), "reseed with 31 bytes refused, state kept");
	chk(drbg_reseed(&ctx, seed_material, 32, NULL, 5) == DRBG_ERR_INPUT &&
	    unchanged(&ctx, &before), "reseed with NULL additional input refused");
#if SIZE_MAX > 0xffffffffu
	chk(drbg_reseed(&ctx, seed_material, 32, seed_material,
	    DRBG_MAX_INPUT + 1) == DRBG_ERR_INPUT && unchanged(&ctx, &before),
	    "reseed additional input over DRBG_MAX_INPUT refused");
	chk(drbg_generate(&ctx, out, 16, seed_material, DRBG_MAX_INPUT + 1,
	    0) == DRBG_ERR_INPUT && unchanged(&ctx, &before),
	    "generate additional input over DRBG_MAX_INPUT refused");
#endif
	chk(drbg_generate(&ctx, big_out, DRBG_MAX_REQUEST + 1, NULL, 0, 0) ==
	    DRBG_ERR_INPUT && unchanged(&ctx, &before),
	    "65537 bytes refused, state kept");
	chk(drbg_generate(&ctx, NULL, 16, NULL, 0, 0) == DRBG_ERR_INPUT &&
	    unchanged(&ctx, &before), "NULL output refused");
	chk(drbg_generate(&ctx, out, 16, NULL, 3, 0) == DRBG_ERR_INPUT &&
	    unchanged(&ctx, &before), "NULL additional input refused");
	chk(drbg_generate(&ctx, big_out, DRBG_MAX_REQUEST, NULL, 0, 0) ==
	    DRBG_OK && ctx.reseed_counter == 2, "65536 bytes given");
	before = ctx;
	chk(drbg_generate(&ctx, NULL, 0, NULL, 0, 0) == DRBG_OK &&
	    ctx.reseed_counter == 3 &&
	    memcmp(ctx.key, before.key, DRBG_KEYLEN) != 0,
	    "0 bytes still advance the state");
	drbg_destroy(&ctx);
	chk_done("limits", impl);
}

static void
check_reseed_counter(int impl)
{
	drbg_ctx ctx, before;
	uint8_t out[32];

	memset(&ctx, 0, sizeof(ctx));
	instantiate_plain(&ctx);
	ctx.reseed_counter = DRBG_RESEED_INTERVAL;
	chk(drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0) == DRBG_OK &&
	    ctx.reseed_counter == DRBG_RESEED_INTERVAL + 1,
	    "generate at the reseed interval given");
	before = ctx;
	chk(drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0) ==
	    DRBG_ERR_RESEED && unchanged(&ctx, &before),
	    "generate past the reseed interval refused, state kept");
	chk(drbg_generate(&ctx, out, sizeof(out), seed_material, 32, 0) ==
	    DRBG_ERR_RESEED && unchanged(&ctx, &before),
	    "... also with additional input");
	chk(drbg_reseed(&ctx, seed_material, 32, NULL, 0) == DRBG_OK &&
	    ctx.reseed_counter == 1, "reseed restarts the counter");
	chk(drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0) == DRBG_OK,
	    "generate after the reseed given");
	drbg_destroy(&ctx);
	chk_done("reseed counter", impl);
}

/* get_entropy for the prediction resistance checks. */
struct src {
	int calls, fail;
	size_t asked;
};

static int
src_fn(void *arg, uint8_t *buf, size_t len)
{
	struct src *s = arg;

	s->calls++;
	s->asked = len;
	if (s->fail)
		return -1;
	memcpy(buf, seed_material + 16, len < 48 ? len : 48);
	return 0;
}

static void
check_prediction_resistance(int impl)
{
	drbg_ctx ctx, copy, before;
	struct src s = { 0, 0, 0 };
	uint8_t a[100], b[100];

	memset(&ctx, 0, sizeof(ctx));
	instantiate_plain(&ctx);
	before = ctx;
	chk(drbg_generate(&ctx, a, sizeof(a), NULL, 0, 1) == DRBG_ERR_ENTROPY &&
	    unchanged(&ctx, &before), "no get_entropy: refused, state kept");

	drbg_instantiate(&ctx, seed_material, 32, seed_material + 32, 16,
	    NULL, 0, src_fn, &s);
	s.fail = 1;
	before = ctx;
	chk(drbg_generate(&ctx, a, sizeof(a), NULL, 0, 1) == DRBG_ERR_ENTROPY &&
	    unchanged(&ctx, &before) && s.calls == 1,
	    "failing get_entropy: refused, state kept");
	s.fail = 0;
	s.calls = 0;

	/* 9.3.1: reseed(fresh entropy, add), then generate without add. */
	copy = ctx;
	chk(drbg_generate(&ctx, a, sizeof(a), seed_material, 40, 1) ==
	    DRBG_OK && s.calls == 1 && s.asked == DRBG_STRENGTH &&
	    ctx.reseed_counter == 2, "one call for 32 bytes, then counter 2");
	drbg_reseed(&copy, seed_material + 16, 32, seed_material, 40);
	drbg_generate(&copy, b, sizeof(b), NULL, 0, 0);
	chk(memcmp(a, b, sizeof(a)) == 0 && unchanged(&ctx, &copy),
	    "= reseed(entropy, add) then generate(no add)");

	ctx.reseed_counter = DRBG_RESEED_INTERVAL + 1;
	chk(drbg_generate(&ctx, a, sizeof(a), NULL, 0, 1) == DRBG_OK &&
	    ctx.reseed_counter == 2, "past the interval: the reseed lets it go");
	drbg_destroy(&ctx);
	drbg_destroy(&copy);
	chk_done("prediction resistance", impl);
}

static int
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

static void
check_state_rules(int impl)
{
	drbg_ctx ctx;
	uint8_t out[32];

	memset(&ctx, 0, sizeof(ctx));
	chk(drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0) ==
	    DRBG_ERR_STATE, "generate before instantiate refused");
	chk(drbg_reseed(&ctx, seed_material, 32, NULL, 0) == DRBG_ERR_STATE,
	    "reseed before instantiate refused");
	chk(drbg_generate(NULL, out, sizeof(out), NULL, 0, 0) ==
	    DRBG_ERR_STATE, "NULL ctx refused");

	instantiate_plain(&ctx);
	drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0);
	drbg_destroy(&ctx);
	chk(all_zero(ctx.key, sizeof(ctx.key)) && all_zero(ctx.v,
	    sizeof(ctx.v)), "destroy wipes Key and V");
	chk(all_zero(ctx.aes.rk, sizeof(ctx.aes.rk)) &&
	    all_zero(ctx.aes.sk, sizeof(ctx.aes.sk)),
	    "destroy wipes the round keys");
	chk(all_zero(&ctx, sizeof(ctx)), "destroy leaves nothing");
	chk(drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0) ==
	    DRBG_ERR_STATE, "generate after destroy refused");
	chk(drbg_reseed(&ctx, seed_material, 32, NULL, 0) == DRBG_ERR_STATE,
	    "reseed after destroy refused");
	drbg_destroy(&ctx);
	drbg_destroy(NULL);

	instantiate_plain(&ctx);
	chk(drbg_instantiate(&ctx, seed_material, 16, seed_material + 32, 16,
	    NULL, 0, NULL, NULL) == DRBG_ERR_INPUT && all_zero(&ctx,
	    sizeof(ctx)), "a refused re-instantiate wipes the old state");
	chk(instantiate_plain(&ctx) == DRBG_OK &&
	    drbg_generate(&ctx, out, sizeof(out), NULL, 0, 0) == DRBG_OK,
	    "instantiate again after destroy");
	drbg_destroy(&ctx);
	chk_done("state rules", impl);
}

static void
check_split(int impl)
{
	static const size_t lens[] = {
		0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 100, 1000,
		4095, 4096, 4097, 16383, 16384, 16385, 65535, 65536
	};
	drbg_ctx ctx, c1, c2;
	uint8_t one[64], two[64], add[5] = { 1, 2, 3, 4, 5 };
	size_t i, n;
	int ok, okstate;

	memset(&ctx, 0, sizeof(ctx));
	instantiate_plain(&ctx);
	c1 = ctx;
	drbg_generate(&c1, big_ref, DRBG_MAX_REQUEST, NULL, 0, 0);
	ok = okstate = 1;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		n = lens[i];
		c1 = ctx;
		c2 = ctx;
		memset(big_out, 0xa5, n + 32);
		drbg_generate(&c1, big_out + 1, n, NULL, 0, 0);
		ok &= memcmp(big_out + 1, big_ref, n) == 0 &&
		    big_out[0] == 0xa5 && big_out[n + 1] == 0xa5;
		/* The state after n bytes is the state after the whole
		 * blocks that cover them: the partial block used one V. */
		drbg_generate(&c2, big_out, (n + 15) / 16 * 16, NULL, 0, 0);
		okstate &= unchanged(&c1, &c2);
	}
	chk(ok, "n bytes = first n of 65536 from the same state, no overrun");
	chk(okstate, "n bytes and ceil(n/16) blocks leave the same state");

	c1 = ctx;
	c2 = ctx;
	drbg_generate(&c1, one, 64, NULL, 0, 0);
	drbg_generate(&c2, two, 32, NULL, 0, 0);
	drbg_generate(&c2, two + 32, 32, NULL, 0, 0);
	chk(memcmp(one, two, 32) == 0 && memcmp(one + 32, two + 32, 32) != 0,
	    "64 bytes vs 32 + 32: same first half, new key for the second");
	chk(!unchanged(&c1, &c2) && c2.reseed_counter == 3,
	    "32 + 32 leaves a different state");

	c1 = ctx;
	c2 = ctx;
	drbg_generate(&c1, one, 64, add, sizeof(add), 0);
	drbg_generate(&c2, two, 64, NULL, 0, 0);
	chk(memcmp(one, two, 64) != 0, "additional input changes the output");
	c1 = ctx;
	drbg_generate(&c1, one, 64, add, 0, 0);
	chk(memcmp(one, two, 64) == 0 && unchanged(&c1, &c2),
	    "empty additional input = none");

	drbg_destroy(&ctx);
	drbg_destroy(&c1);
	drbg_destroy(&c2);
	chk_done("request sizes", impl);
}

/* ---- the CAVP files ---- */

typedef struct {
	int df, pr;		/* [AES-256 use df], [PredictionResistance] */
	long entropy, nonce, pers, add, returned;	/* bits, -1 unset */
} section;

static void
section_reset(section *s)
{
	s->df = 0;
	s->pr = -1;
	s->entropy = s->nonce = s->pers = s->add = s->returned = -1;
}

/* Fill in the section from "[Name = value]" or "[AES-256 use df]". */
static const char *
section_line(section *s, const char *v)
{
	char name[64];
	long bits;

	if (strcmp(v, "AES-256 use df") == 0) {
		/* Starts a new section: lengths follow. */
		section_reset(s);
		s->df = 1;
		return NULL;
	}
	if (strcmp(v, "PredictionResistance = True") == 0) {
		s->pr = 1;
		return NULL;
	}
	if (strcmp(v, "PredictionResistance = False") == 0) {
		s->pr = 0;
		return NULL;
	}
	if (sscanf(v, "%63[A-Za-z] = %ld", name, &bits) != 2 || bits < 0 ||
	    bits % 8 != 0)
		goto other;
	if (strcmp(name, "EntropyInputLen") == 0)
		s->entropy = bits;
	else if (strcmp(name, "NonceLen") == 0)
		s->nonce = bits;
	else if (strcmp(name, "PersonalizationStringLen") == 0)
		s->pers = bits;
	else if (strcmp(name, "AdditionalInputLen") == 0)
		s->add = bits;
	else if (strcmp(name, "ReturnedBitsLen") == 0)
		s->returned = bits;
	else
		goto other;
	return NULL;
other:
	/* Another mechanism (or a format we do not know): its vectors
	 * would be run wrongly, so they all fail. */
	section_reset(s);
	return "unexpected section";
}

static int
len_is(const field *f, long bits)
{
	return f->set && bits >= 0 && f->len == (size_t)bits / 8;
}

/* NULL when k holds what mode m needs, in the section's lengths. */
static const char *
kat_complete(enum mode m, const section *s, const kat *k)
{
	int i;

	if (!s->df)
		return "not in an [AES-256 use df] section";
	if (s->pr != (m == PR_TRUE))
		return "section's PredictionResistance does not fit the file";
	if (!len_is(&k->entropy, s->entropy) || !len_is(&k->nonce, s->nonce) ||
	    !len_is(&k->pers, s->pers))
		return "EntropyInput, Nonce or PersonalizationString length";
	if (k->nadd != 2 || !len_is(&k->add[0], s->add) ||
	    !len_is(&k->add[1], s->add))
		return "AdditionalInput: not two of the section's length";
	if (!len_is(&k->returned, s->returned) || k->returned.len == 0)
		return "ReturnedBits length";
	if (m == PR_TRUE && (k->npr != 2 || !len_is(&k->pr[0], s->entropy) ||
	    !len_is(&k->pr[1], s->entropy)))
		return "EntropyInputPR: not two of EntropyInputLen";
	if (m != PR_TRUE && k->npr != 0)
		return "EntropyInputPR outside pr_true";
	if (m == PR_FALSE) {
		if (!len_is(&k->ent_reseed, s->entropy) ||
		    !len_is(&k->add_reseed, s->add))
			return "EntropyInputReseed or AdditionalInputReseed";
		for (i = 0; i < NSTEPS; i++)
			if (!k->key[i].set || !k->v[i].set)
				return "a Key or V missing";
	} else if (k->ent_reseed.set || k->add_reseed.set) {
		return "reseed input outside pr_false";
	}
	return NULL;
}

struct file_run {
	const char *name;
	enum mode mode;
	int vectors, passed[2], states[2], notes;
};

static void
run_vector(struct file_run *fr, long line, const section *s, const kat *k,
    const char *bad)
{
	const char *why;
	int i;

	fr->vectors++;
	if (!bad)
		bad = kat_complete(fr->mode, s, k);
	for (i = 0; i < 2; i++) {
		if (!impl_ok[i])
			continue;
		aes_set_impl(impl_id[i]);
		why = bad ? bad : run_kat(fr->mode, k, &fr->states[i]);
		if (!why)
			fr->passed[i]++;
		else if (fr->notes++ < MAX_NOTES)
			test_note("%s, vector at line %ld, %s: %s", fr->name,
			    line, impl_name[i], why);
	}
}

static void
set_once(field *f, const char *val, const char **bad)
{
	if (f->set)
		*bad = "a key given twice";
	else if (field_hex(f, val) != 0)
		*bad = "bad hex";
}

static void
check_file(const char *dir, const char *name, enum mode mode)
{
	static const char *const steps[NSTEPS] = {
		"INSTANTIATE:", "RESEED:", "GENERATE (FIRST CALL):",
		"GENERATE (SECOND CALL):"
	};
	struct file_run fr;
	char path[4096];
	rsp_file r;
	section s;
	kat k;
	const char *key, *val, *bad = NULL, *stray = NULL;
	long line = 0;
	int have = 0, step = -1, i, want;

	memset(&fr, 0, sizeof(fr));
	fr.name = name;
	fr.mode = mode;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || rsp_open(&r, path) != 0) {
		test_ok(0, "%s: cannot open %s", name, path);
		return;
	}
	section_reset(&s);
	while (rsp_next(&r, &key, &val)) {
		/* A vector ends where the next one or a section starts: in
		 * pr_false the last Key and V come after ReturnedBits. */
		if (have && (strcmp(key, "[") == 0 ||
		    strcmp(key, "COUNT") == 0)) {
			run_vector(&fr, line, &s, &k, bad);
			have = 0;
		}
		if (strcmp(key, "[") == 0) {
			if (!stray)
				stray = section_line(&s, val);
			continue;
		}
		if (strcmp(key, "COUNT") == 0) {
			memset(&k, 0, sizeof(k));
			have = 1;
			bad = NULL;
			step = -1;
			line = r.lineno;
			continue;
		}
		if (!have) {
			stray = "a line outside any vector";
			continue;
		}
		if (strcmp(key, "EntropyInput") == 0)
			set_once(&k.entropy, val, &bad);
		else if (strcmp(key, "Nonce") == 0)
			set_once(&k.nonce, val, &bad);
		else if (strcmp(key, "PersonalizationString") == 0)
			set_once(&k.pers, val, &bad);
		else if (strcmp(key, "EntropyInputReseed") == 0)
			set_once(&k.ent_reseed, val, &bad);
		else if (strcmp(key, "AdditionalInputReseed") == 0)
			set_once(&k.add_reseed, val, &bad);
		else if (strcmp(key, "ReturnedBits") == 0)
			set_once(&k.returned, val, &bad);
		else if (strcmp(key, "AdditionalInput") == 0 && k.nadd < 2)
			set_once(&k.add[k.nadd++], val, &bad);
		else if (strcmp(key, "EntropyInputPR") == 0 && k.npr < 2)
			set_once(&k.pr[k.npr++], val, &bad);
		else if (strcmp(key, "Key") == 0 && step >= 0)
			set_once(&k.key[step], val, &bad);
		else if (strcmp(key, "V") == 0 && step >= 0)
			set_once(&k.v[step], val, &bad);
		else {
			for (i = 0; i < NSTEPS; i++)
				if (strcmp(key, steps[i]) == 0 && !*val)
					break;
			if (i < NSTEPS && i > step)
				step = i;
			else if (!bad)
				bad = "unexpected line";
		}
	}
	if (have)
		run_vector(&fr, line, &s, &k, bad);
	rsp_close(&r);
	if (stray)
		test_note("%s: %s", name, stray);

	for (i = 0; i < 2; i++) {
		if (!impl_ok[i])
			continue;
		want = mode == PR_FALSE ? NSTEPS * fr.vectors : 0;
		if (mode == PR_FALSE)
			test_ok(!stray && fr.vectors == FILE_VECTORS &&
			    fr.passed[i] == fr.vectors && fr.states[i] == want,
			    "%s, %s: %d/%d vectors, Key/V checked at %d steps",
			    name, impl_name[i], fr.passed[i], fr.vectors,
			    fr.states[i]);
		else
			test_ok(!stray && fr.vectors == FILE_VECTORS &&
			    fr.passed[i] == fr.vectors,
			    "%s, %s: %d/%d vectors", name, impl_name[i],
			    fr.passed[i], fr.vectors);
	}
}

int
main(void)
{
	const char *dir = getenv("D20_DRBG_VECTORS");
	struct stat st;
	int i;

	impl_ok[0] = aes_set_impl(AES_IMPL_NI) == 0;
	impl_ok[1] = aes_set_impl(AES_IMPL_CT) == 0;
	if (!impl_ok[0])
		test_note("no AES-NI on this CPU: the constant-time path only");

	for (i = 0; i < 2; i++) {
		if (!impl_ok[i])
			continue;
		aes_set_impl(impl_id[i]);
		check_embedded(i);
		check_reference(i);
		check_limits(i);
		check_reseed_counter(i);
		check_prediction_resistance(i);
		check_state_rules(i);
		check_split(i);
	}

	if (dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		check_file(dir, "CTR_DRBG_AES256_no_reseed.rsp", NO_RESEED);
		check_file(dir, "CTR_DRBG_AES256_pr_false.rsp", PR_FALSE);
		check_file(dir, "CTR_DRBG_AES256_pr_true.rsp", PR_TRUE);
	} else {
		test_note("CAVP vector folder %s not found (D20_DRBG_VECTORS): "
		    "embedded vectors only", dir ? dir : "(unset)");
	}
	aes_set_impl(AES_IMPL_AUTO);
	return test_done();
}
