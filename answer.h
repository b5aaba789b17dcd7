/* SPDX-License-Identifier: MIT */
/* answer.h - the client's side of an exchange: split the server's HTTP
 * response, tell its form apart (D20 v1 JSON or Pollen's two lines) and
 * verify it against the challenge sent. Everything works on the caller's
 * fixed buffer with explicit lengths; nothing allocates, prints or exits.
 * Failures come back as -1 with *why pointing at a static one-line reason. */
#ifndef D20_ANSWER_H
#define D20_ANSWER_H

#include <stddef.h>
#include <stdint.h>

/* D20 entropy, decoded bytes: the real D20 server sends 512 (4096 in its
 * early releases), d20d 512, anything from 32 up to this is honest. The
 * body bound leaves the same 4096 bytes around it that it always had;
 * the numbers are written out so that messages can quote them, and
 * answer.c checks that they agree. */
#define ANSWER_ENTROPY_MIN 32
#define ANSWER_ENTROPY_MAX 8192
#define ANSWER_HEAD_MAX 4096		/* status line and headers */
#define ANSWER_BODY_MAX 20480		/* 2 * ANSWER_ENTROPY_MAX + 4096 */
#define ANSWER_MAX 24576		/* ANSWER_HEAD_MAX + ANSWER_BODY_MAX */
#define ANSWER_STR(x) ANSWER_STR_(x)	/* a bound as text, for reasons */
#define ANSWER_STR_(x) #x
#define ANSWER_HEADERS_MAX 32		/* header lines */
#define ANSWER_JSON_MAX 16		/* members of the JSON object */
#define ANSWER_CHALLENGE_LEN 128	/* hex characters sent */

enum answer_proto { ANSWER_NONE, ANSWER_D20, ANSWER_POLLEN };

/* Split the response buf[0..len) into status and body. Accepts
 * "HTTP/1.x NNN reason", CRLF or LF line ends, at most ANSWER_HEADERS_MAX
 * headers in ANSWER_HEAD_MAX bytes, a body of at most ANSWER_BODY_MAX
 * bytes that matches Content-Length when one is given; refuses
 * Transfer-Encoding. final says the server has closed, so that nothing
 * more will come. Returns the status code (100-599) with *body and
 * *bodylen set; 0 when not final and the answer is not complete yet
 * (no Content-Length means complete only at the close); or -1. A -1 on
 * a partial answer is final too: more bytes cannot mend it. */
int answer_http(const uint8_t *buf, size_t len, int final, size_t *body,
    size_t *bodylen, const char **why);

/* One "key": "value" member: offsets into the parsed buffer of the raw
 * text between the quotes (escapes left as written). */
typedef struct {
	size_t key, keylen, val, vallen;
} answer_member;

/* Parse buf[0..len) as one JSON object whose values are all strings, with
 * at most max (<= ANSWER_JSON_MAX) members, no escapes in keys and no
 * duplicate keys; only whitespace may surround it. Returns the number of
 * members written to m, or -1. */
int answer_json(const uint8_t *buf, size_t len, answer_member m[], size_t max,
    const char **why);

/* Seconds since the epoch for the UTC time "YYYY-MM-DDTHH:MM:SS" at
 * s[0..len), or -1 when it is not exactly that form or not a real date. */
long long answer_time(const char *s, size_t len);

/* Seconds since the epoch for midnight UTC of a __DATE__ string
 * ("Nov 22 2026", day space-padded), or -1. */
long long answer_build_date(const char *date);

/* The server's random bytes stay where they are, as lower-case hex in the
 * body: the caller hashes the whole verified body, and with it all of
 * them, so nothing here copies or bounds them a second time. */
typedef struct {
	enum answer_proto proto;
	size_t entropy;			/* offset of its hex digits in the body */
	size_t entropy_bytes;		/* bytes they encode */
	long long server_time;		/* D20 only: the answer's time */
} answer_info;

/* Verify the body of a 200 answer against the 128 hex characters of
 * challenge sent. D20: apiVersion "1", challengeResponse ==
 * SHA-512(challenge || time) and, when check_time, |time - now| <=
 * max_skew; entropy an even number of hex digits encoding
 * ANSWER_ENTROPY_MIN..ANSWER_ENTROPY_MAX bytes. Pollen: line 1 ==
 * SHA-512(challenge), line 2 64 bytes of entropy. Every hex digit must be
 * lower-case, as every known server (D20's hexlify and hexdigest, Pollen's
 * %x, d20d) writes it and as D20's own client compares challengeResponse.
 * Returns 0 with info filled, or -1. */
int answer_verify(const uint8_t *body, size_t len,
    const char challenge[ANSWER_CHALLENGE_LEN], long long now,
    int check_time, long max_skew, answer_info *info, const char **why);

#endif
