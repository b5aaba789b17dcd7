/* SPDX-License-Identifier: MIT */
/* metrics.c - d20d's counters and their Prometheus text; see metrics.h. */
#include <stdarg.h>
#include <string.h>

#include "metrics.h"

static const uint16_t codes[METRICS_CODES] = {
	200, 400, 404, 405, 408, 411, 413, 414, 431, 500, 501, 503, 505
};
/* the protocol labels, 8 bytes apart */
static const char protos[] = "d20\0    pollen\0 status\0 other";
/* 1 ms to 10 s: a request takes well under a millisecond here, a slow
 * client up to the -t deadline (5 s by default) */
static const uint32_t bounds[METRICS_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};
/* Every metric in the order of the text: name, type and help, each
 * ending in a NUL; the requests, the histogram, then struct metrics' n. */
static const char heads[] =
	"d20d_requests_total\0counter\0Requests answered, by protocol and "
	"HTTP status code.\0"
	"d20d_request_duration_seconds\0histogram\0Time from accept to the "
	"answer written.\0"
	"d20d_entropy_bytes_total\0counter\0Fresh DRBG bytes served.\0"
	"d20d_tls_handshake_failures_total\0counter\0Failed TLS handshakes.\0"
	"d20d_cap_refusals_total\0counter\0Connections refused with 503 at a "
	"cap.\0"
	"d20d_deadline_hits_total\0counter\0Connections that reached the -t "
	"deadline.\0"
	"d20d_workers_killed_total\0counter\0Workers killed by a signal while "
	"serving.\0"
	"d20d_log_lines_dropped_total\0counter\0Log lines dropped: the syslog "
	"socket was full.\0"
	"d20d_workers_busy\0gauge\0Workers serving a connection, this "
	"scrape's included.\0"
	"d20d_workers_idle\0gauge\0Workers waiting for a connection.\0"
	"process_start_time_seconds\0gauge\0Start time in seconds since the "
	"epoch.\0";

/* d20d's workers add to one struct metrics at once (shared memory) */
#define ADD(x, v) ((void)__atomic_fetch_add(&(x), (uint64_t)(v), __ATOMIC_RELAXED))

void
metrics_count(struct metrics *m, const struct metrics_conn *c)
{
	unsigned i = 0;

	if (c->proto >= METRICS_PROTOS)
		return;
	ADD(m->n[METRICS_ENTROPY_BYTES], c->bytes);
	if (c->flags & METRICS_TLS_FAILED)
		ADD(m->n[METRICS_TLS_FAILURES], 1);
	if (c->flags & METRICS_DEADLINE)
		ADD(m->n[METRICS_DEADLINES], 1);
	if (!c->code)
		return;
	while (i + 1 < METRICS_CODES && codes[i] != c->code)
		i++;
	ADD(m->requests[c->proto][i], 1);
	/* a bucket holds what is at most its bound (le) */
	for (i = 0; i < METRICS_BUCKETS && c->usec > bounds[i]; i++)
		;
	ADD(m->buckets[i], 1);
	ADD(m->usec_sum, c->usec);
}

void
metrics_bump(struct metrics *m, unsigned n)
{
	if (n < METRICS_PLAIN)
		ADD(m->n[n], 1);
}

/* The text so far; len == max once something did not fit. */
struct text {
	char *buf;
	size_t max, len;
};

/* Append f to t with its arguments: %s a string, %u a uint64_t, %t a
 * uint64_t of microseconds as seconds with six decimals, %g the same
 * without trailing zeros (a bucket's bound: 0.0025, 1). */
static void
put(struct text *t, const char *f, ...)
{
	char num[28], *p;
	const char *s;
	uint64_t v;
	size_t n;
	int i;
	va_list ap;

	va_start(ap, f);
	for (; *f; f++) {
		s = f;
		n = 1;
		if (*f == '%' && *++f == 's') {
			s = va_arg(ap, const char *);
			n = strlen(s);
		} else if (*s == '%') {
			v = va_arg(ap, uint64_t);
			p = num + sizeof(num);
			for (i = 0; *f != 'u' && i < 6; i++, v /= 10)
				*--p = (char)('0' + v % 10);
			if (*f != 'u')
				*--p = '.';
			do
				*--p = (char)('0' + v % 10);
			while (v /= 10);
			s = p;
			n = (size_t)(num + sizeof(num) - p);
			/* 1.000000 to 1, 0.002500 to 0.0025 */
			while (*f == 'g' && (s[n - 1] == '0' || s[n - 1] == '.'))
				if (s[--n] == '.')
					break;
		}
		if (n >= t->max - t->len) {
			t->len = t->max;
			break;
		}
		memcpy(t->buf + t->len, s, n);
		t->len += n;
	}
	va_end(ap);
}

size_t
metrics_format(char *out, size_t max, const struct metrics *m)
{
	struct text t = { out, max, 0 };
	const char *name = heads, *type, *help;
	uint64_t sum = 0;
	unsigned k, p, c;

	for (k = 0; k < 2 + METRICS_PLAIN; k++) {
		type = name + strlen(name) + 1;
		help = type + strlen(type) + 1;
		put(&t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
		if (k == 0) {
			for (p = 0; p < METRICS_PROTOS; p++)
				for (c = 0; c < METRICS_CODES; c++)
					if (m->requests[p][c])
						put(&t, "%s{protocol=\"%s\",code=\"%u\"} %u\n",
						    name, protos + 8 * p, (uint64_t)codes[c],
						    m->requests[p][c]);
		} else if (k == 1) {
			for (c = 0; c < METRICS_BUCKETS; c++)
				put(&t, "%s_bucket{le=\"%g\"} %u\n", name,
				    (uint64_t)bounds[c], sum += m->buckets[c]);
			sum += m->buckets[c];
			put(&t, "%s_bucket{le=\"+Inf\"} %u\n%s_sum %t\n%s_count %u\n",
			    name, sum, name, m->usec_sum, name, sum);
		} else {
			put(&t, "%s%s %u\n", name, k == 2 + METRICS_REFUSED ?
			    "{cap=\"per_address\"}" : "", m->n[k - 2]);
		}
		name = help + strlen(help) + 1;
	}
	return t.len < max ? t.len : 0;
}
