/* SPDX-License-Identifier: MIT */
/* answer.c - see answer.h */
#include <string.h>

#include "answer.h"
#include "sha512.h"
#include "util.h"

#define FAIL(reason) do { *why = (reason); return -1; } while (0)

/* The bounds are literals so that the reasons below can quote them. */
typedef char answer_bounds_agree[ANSWER_BODY_MAX == 2 * ANSWER_ENTROPY_MAX + 4096 &&
    ANSWER_MAX == ANSWER_HEAD_MAX + ANSWER_BODY_MAX &&
    ANSWER_ENTROPY_MIN <= 64 ? 1 : -1];

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* RFC 7230 token characters, for header names. */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	    (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Find the end of the line starting at pos within the first lim bytes:
 * *eol gets the offset of its CR or LF, and the return value the offset
 * just past the LF; -1 when no LF comes before lim. A CR is only valid
 * right before the LF. */
static long
line_end(const uint8_t *buf, size_t lim, size_t pos, size_t *eol)
{
	size_t i;

	for (i = pos; i < lim; i++) {
		if (buf[i] == '\n') {
			*eol = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
			return (long)(i + 1);
		}
	}
	return -1;
}

/* Needing more bytes is an error only when the answer is final. */
#define MORE(reason) do { if (!final) return 0; FAIL(reason); } while (0)

int
answer_http(const uint8_t *buf, size_t len, int final, size_t *body,
    size_t *bodylen, const char **why)
{
	size_t lim = len < ANSWER_HEAD_MAX ? len : ANSWER_HEAD_MAX;
	size_t pos, eol, i, n, headers = 0, clen = 0;
	int status, have_clen = 0;
	long next;

	/* Status line: "HTTP/1.x NNN" then a space and a reason, or the end. */
	if ((next = line_end(buf, lim, 0, &eol)) < 0) {
		if (len > lim)
			FAIL("headers over " ANSWER_STR(ANSWER_HEAD_MAX) " bytes");
		MORE("no complete status line");
	}
	if (eol < 12 || memcmp(buf, "HTTP/1.", 7) || !is_digit(buf[7]) ||
	    buf[8] != ' ' || !is_digit(buf[9]) || !is_digit(buf[10]) ||
	    !is_digit(buf[11]) || (eol > 12 && buf[12] != ' '))
		FAIL("not an HTTP/1.x status line");
	status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (status < 100 || status > 599)
		FAIL("bad HTTP status code");
	for (i = 12; i < eol; i++)
		if (buf[i] < 0x20 && buf[i] != '\t')
			FAIL("control character in status line");

	/* Headers up to the empty line. */
	for (pos = (size_t)next;; pos = (size_t)next) {
		if ((next = line_end(buf, lim, pos, &eol)) < 0) {
			if (len > lim)
				FAIL("headers over " ANSWER_STR(ANSWER_HEAD_MAX) " bytes");
			MORE("headers cut short");
		}
		if (eol == pos)
			break;
		if (++headers > ANSWER_HEADERS_MAX)
			FAIL("too many headers");
		for (i = pos; i < eol && is_tchar(buf[i]); i++)
			;
		if (i == pos || i == eol || buf[i] != ':')
			FAIL("malformed header line");
		n = i - pos;
		for (i++; i < eol && (buf[i] == ' ' || buf[i] == '\t'); i++)
			;
		if (eq_nocase(buf + pos, n, "transfer-encoding"))
			FAIL("Transfer-Encoding in an HTTP/1.0 answer");
		if (eq_nocase(buf + pos, n, "content-length")) {
			size_t v = 0, digits = 0;

			/* Nine digits fit any size_t; a body that size is
			 * refused below anyway. */
			for (; i < eol && is_digit(buf[i]) && digits < 9; i++, digits++)
				v = v * 10 + (size_t)(buf[i] - '0');
			while (i < eol && (buf[i] == ' ' || buf[i] == '\t'))
				i++;
			if (digits == 0 || i != eol)
				FAIL("bad Content-Length");
			if (have_clen && v != clen)
				FAIL("conflicting Content-Length headers");
			have_clen = 1;
			clen = v;
		}
		for (; i < eol; i++)
			if (buf[i] < 0x20 && buf[i] != '\t')
				FAIL("control character in header");
	}

	*body = (size_t)next;
	*bodylen = len - (size_t)next;
	if (have_clen && clen > ANSWER_BODY_MAX)
		FAIL("body over " ANSWER_STR(ANSWER_BODY_MAX) " bytes (Content-Length)");
	if (*bodylen > ANSWER_BODY_MAX)
		FAIL("body over " ANSWER_STR(ANSWER_BODY_MAX) " bytes");
	if (have_clen && *bodylen > clen)
		FAIL("bytes after Content-Length");
	if (have_clen && *bodylen < clen)
		MORE("answer cut short before Content-Length");
	if (!have_clen && !final)
		return 0;
	return status;
}

static size_t
skip_ws(const uint8_t *buf, size_t len, size_t pos)
{
	while (pos < len && (buf[pos] == ' ' || buf[pos] == '\t' ||
	    buf[pos] == '\n' || buf[pos] == '\r'))
		pos++;
	return pos;
}

static int
hexval(int c)
{
	if (is_digit(c))
		return 1;
	c = ascii_lower(c);
	return c >= 'a' && c <= 'f';
}

/* Parse a JSON string at buf[*pos] == '"'. Sets *start and *n to the raw
 * text between the quotes and *pos past the closing quote; *escaped says
 * whether a backslash occurred. Returns 0 or -1. */
static int
json_string(const uint8_t *buf, size_t len, size_t *pos, size_t *start,
    size_t *n, int *escaped, const char **why)
{
	size_t i = *pos, k;

	if (i >= len || buf[i] != '"')
		FAIL("JSON: expected a string");
	*start = ++i;
	*escaped = 0;
	for (;;) {
		if (i >= len)
			FAIL("JSON: unterminated string");
		if (buf[i] == '"')
			break;
		if (buf[i] < 0x20)
			FAIL("JSON: control character in string");
		if (buf[i] == '\\') {
			*escaped = 1;
			if (++i >= len)
				FAIL("JSON: unterminated string");
			if (buf[i] == 'u') {
				for (k = 1; k <= 4; k++)
					if (i + k >= len || !hexval(buf[i + k]))
						FAIL("JSON: bad \\u escape");
				i += 4;
			} else if (!buf[i] || !strchr("\"\\/bfnrt", buf[i])) {
				FAIL("JSON: bad escape");
			}
		}
		i++;
	}
	*n = i - *start;
	*pos = i + 1;
	return 0;
}

int
answer_json(const uint8_t *buf, size_t len, answer_member m[], size_t max,
    const char **why)
{
	size_t pos, count = 0, j, ks, kn, vs, vn;
	int esc;

	if (max > ANSWER_JSON_MAX)
		max = ANSWER_JSON_MAX;
	pos = skip_ws(buf, len, 0);
	if (pos >= len || buf[pos] != '{')
		FAIL("JSON: not an object");
	pos = skip_ws(buf, len, pos + 1);
	if (pos < len && buf[pos] == '}') {
		pos++;
		goto end;
	}
	for (;;) {
		if (json_string(buf, len, &pos, &ks, &kn, &esc, why) < 0)
			return -1;
		if (esc)
			FAIL("JSON: escape in a key");
		for (j = 0; j < count; j++)
			if (m[j].keylen == kn && !memcmp(buf + m[j].key, buf + ks, kn))
				FAIL("JSON: duplicate key");
		pos = skip_ws(buf, len, pos);
		if (pos >= len || buf[pos] != ':')
			FAIL("JSON: expected ':'");
		pos = skip_ws(buf, len, pos + 1);
		if (json_string(buf, len, &pos, &vs, &vn, &esc, why) < 0)
			return -1;
		if (count == max)
			FAIL("JSON: too many members");
		m[count].key = ks;
		m[count].keylen = kn;
		m[count].val = vs;
		m[count].vallen = vn;
		count++;
		pos = skip_ws(buf, len, pos);
		if (pos < len && buf[pos] == ',') {
			pos = skip_ws(buf, len, pos + 1);
			continue;
		}
		if (pos < len && buf[pos] == '}') {
			pos++;
			break;
		}
		FAIL("JSON: expected ',' or '}'");
	}
end:
	if (skip_ws(buf, len, pos) != len)
		FAIL("JSON: bytes after the object");
	return (int)count;
}

static unsigned
days_in_month(long long y, unsigned m)
{
	static const unsigned char dm[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* The decimal number in s[0..n), or -1 when a byte is not a digit. */
static long
digits(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

long long
answer_time(const char *s, size_t len)
{
	long y, mo, d, h, mi, se;

	if (len != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	/* Second 60 is a leap second; it counts as the next second. */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 60 ||
	    (unsigned)d > days_in_month(y, (unsigned)mo))
		return -1;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600L + mi * 60L + se;
}

long long
answer_build_date(const char *date)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	unsigned m;
	long d, y;

	if (strlen(date) != 11 || date[3] != ' ' || date[6] != ' ')
		return -1;
	for (m = 0; m < 12; m++)
		if (!memcmp(date, months + 3 * m, 3))
			break;
	if (m == 12)
		return -1;
	d = date[4] == ' ' ? digits(date + 5, 1) : digits(date + 4, 2);
	y = digits(date + 7, 4);
	if (d < 1 || y < 1970 || (unsigned)d > days_in_month(y, m + 1))
		return -1;
	return days_from_civil(y, m + 1, (unsigned)d) * 86400;
}

/* Whether s[0..n) is all lower-case hex digits. */
static int
lowhex(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return 1;
}

/* Decode exactly 128 lower-case hex digits into out[64]. */
static int
hex64(uint8_t out[64], const uint8_t *s, size_t n)
{
	return n == 128 && lowhex(s, n) &&
	    hex_decode(out, 64, (const char *)s, n) == 64 ? 0 : -1;
}

/* The entropy field: any even number of lower-case hex digits for
 * ANSWER_ENTROPY_MIN..ANSWER_ENTROPY_MAX bytes. Sets *bytes. */
static int
entropy_field(const uint8_t *s, size_t n, size_t *bytes, const char **why)
{
	if (n % 2)
		FAIL("entropy is an odd number of hex digits");
	if (!lowhex(s, n))
		FAIL("entropy is not lower-case hex");
	if (n / 2 < ANSWER_ENTROPY_MIN)
		FAIL("entropy under " ANSWER_STR(ANSWER_ENTROPY_MIN) " bytes");
	if (n / 2 > ANSWER_ENTROPY_MAX)
		FAIL("entropy over " ANSWER_STR(ANSWER_ENTROPY_MAX) " bytes");
	*bytes = n / 2;
	return 0;
}

static int
verify_d20(const uint8_t *b, size_t len, const char *chal, long long now,
    int check_time, long max_skew, answer_info *info, const char **why)
{
	answer_member m[ANSWER_JSON_MAX];
	const answer_member *ver = NULL, *cr = NULL, *ent = NULL, *tm = NULL;
	const answer_member *err = NULL;
	uint8_t want[SHA512_SIZE], got[SHA512_SIZE];
	sha512_ctx h;
	long long t, skew;
	size_t bytes;
	int n, i;

	if ((n = answer_json(b, len, m, ANSWER_JSON_MAX, why)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const uint8_t *k = b + m[i].key;
		size_t kl = m[i].keylen;

		if (kl == 10 && !memcmp(k, "apiVersion", 10))
			ver = &m[i];
		else if (kl == 17 && !memcmp(k, "challengeResponse", 17))
			cr = &m[i];
		else if (kl == 7 && !memcmp(k, "entropy", 7))
			ent = &m[i];
		else if (kl == 4 && !memcmp(k, "time", 4))
			tm = &m[i];
		else if (kl == 5 && !memcmp(k, "error", 5))
			err = &m[i];
	}
	if (err && !cr)
		FAIL("server answered an error object");
	if (!ver || ver->vallen != 1 || b[ver->val] != '1')
		FAIL("apiVersion is not \"1\"");
	if (!cr || !ent || !tm)
		FAIL("missing challengeResponse, entropy or time");
	t = answer_time((const char *)b + tm->val, tm->vallen);
	if (t < 0)
		FAIL("bad time");
	if (hex64(got, b + cr->val, cr->vallen) < 0)
		FAIL("challengeResponse is not 128 lower-case hex digits");
	if (entropy_field(b + ent->val, ent->vallen, &bytes, why) < 0)
		return -1;
	sha512_init(&h);
	sha512_update(&h, chal, ANSWER_CHALLENGE_LEN);
	sha512_update(&h, b + tm->val, tm->vallen);
	sha512_final(&h, want);
	if (!ct_equal(want, got, sizeof(want)))
		FAIL("wrong challengeResponse");
	skew = t > now ? t - now : now - t;
	if (check_time && skew > max_skew)
		FAIL("server time off by more than --max-skew");
	info->proto = ANSWER_D20;
	info->entropy = ent->val;
	info->entropy_bytes = bytes;
	info->server_time = t;
	*why = "";
	return 0;
}

/* One line of 128 lower-case hex digits from pos, decoded into out when
 * out is not NULL; *pos moves past its LF (or CRLF, or the end of the
 * body when last). */
static int
pollen_line(const uint8_t *b, size_t len, size_t *pos, int last, uint8_t *out)
{
	size_t p = *pos;

	if (len - p < 128 || (out ? hex64(out, b + p, 128) < 0 : !lowhex(b + p, 128)))
		return -1;
	p += 128;
	if (p < len && b[p] == '\r')
		p++;
	if (p < len && b[p] == '\n')
		p++;
	else if (!last || p != len)
		return -1;
	*pos = p;
	return 0;
}

static int
verify_pollen(const uint8_t *b, size_t len, const char *chal,
    answer_info *info, const char **why)
{
	uint8_t want[SHA512_SIZE], got[SHA512_SIZE];
	size_t pos = 0, line2;

	if (pollen_line(b, len, &pos, 0, got) < 0)
		FAIL("Pollen: line 1 is not 128 lower-case hex digits");
	line2 = pos;
	if (pollen_line(b, len, &pos, 1, NULL) < 0)
		FAIL("Pollen: line 2 is not 128 lower-case hex digits");
	if (pos != len)
		FAIL("Pollen: bytes after line 2");
	sha512(want, chal, ANSWER_CHALLENGE_LEN);
	if (!ct_equal(want, got, sizeof(want)))
		FAIL("Pollen: line 1 is not SHA-512 of the challenge");
	info->proto = ANSWER_POLLEN;
	info->entropy = line2;
	info->entropy_bytes = 64;
	*why = "";
	return 0;
}

int
answer_verify(const uint8_t *body, size_t len,
    const char challenge[ANSWER_CHALLENGE_LEN], long long now,
    int check_time, long max_skew, answer_info *info, const char **why)
{
	size_t p = skip_ws(body, len, 0);

	memset(info, 0, sizeof(*info));
	if (p < len && body[p] == '{')
		return verify_d20(body, len, challenge, now, check_time,
		    max_skew, info, why);
	if (p == 0 && len > 0 && hexval(body[0]))
		return verify_pollen(body, len, challenge, info, why);
	FAIL("answer is neither D20 JSON nor Pollen lines");
}
