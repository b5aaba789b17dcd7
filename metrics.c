/* SPDX-License-Identifier: MIT */
/* metrics.c - d20d's counters and their Prometheus text; see metrics.h. */
#include <stddef.h>
#include <string.h>

#include "metrics.h"

static const uint16_t codes[METRICS_CODES] = {
	200, 400, 404, 405, 408, 411, 413, 414, 431, 500, 501, 503, 505
};
static const char *const protos[METRICS_PROTOS] = {
	"d20", "pollen", "status", "other"
};
/* 1 ms to 10 s: a request takes well under a millisecond here, a slow
 * client up to the -t deadline (5 s by default) */
static const uint32_t bounds[METRICS_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};

/* The metrics without labels of their own, after the requests and the
 * histogram, in this order. */
static const struct {
	const char *name, *type, *help, *labels;
	size_t off;
} plain[] = {
	{ "d20d_entropy_bytes_total", "counter", "Bytes of fresh DRBG output "
	    "served (512 per D20 answer, 64 per Pollen answer).", "",
	    offsetof(struct metrics, entropy_bytes) },
	{ "d20d_tls_handshake_failures_total", "counter", "TLS handshakes "
	    "that failed.", "", offsetof(struct metrics, tls_failures) },
	{ "d20d_cap_refusals_total", "counter", "Connections refused with 503 "
	    "at a cap (-c makes connections wait instead).",
	    "{cap=\"per_address\"}", offsetof(struct metrics, refused) },
	{ "d20d_deadline_hits_total", "counter", "Connections that reached "
	    "the -t deadline.", "", offsetof(struct metrics, deadlines) },
	{ "d20d_workers_killed_total", "counter", "Workers killed by a signal "
	    "while serving a connection.", "", offsetof(struct metrics, killed) },
	{ "d20d_workers_busy", "gauge", "Workers serving a connection, this "
	    "scrape's included.", "", offsetof(struct metrics, busy) },
	{ "d20d_workers_idle", "gauge", "Workers waiting for a connection.", "",
	    offsetof(struct metrics, idle) },
	{ "process_start_time_seconds", "gauge", "When d20d started, in "
	    "seconds since the epoch.", "", offsetof(struct metrics, start) },
};

void
metrics_count(struct metrics *m, const struct metrics_conn *c)
{
	unsigned i = 0;

	if (c->proto >= METRICS_PROTOS)
		return;
	m->entropy_bytes += c->bytes;
	m->tls_failures += (c->flags & METRICS_TLS_FAILED) != 0;
	m->deadlines += (c->flags & METRICS_DEADLINE) != 0;
	if (!c->code)
		return;
	while (i + 1 < METRICS_CODES && codes[i] != c->code)
		i++;
	m->requests[c->proto][i]++;
	/* a bucket holds what is at most its bound (le) */
	for (i = 0; i < METRICS_BUCKETS && c->usec > bounds[i]; i++)
		;
	m->buckets[i]++;
	m->usec_sum += c->usec;
}

/* The text so far; len == max once something did not fit. */
struct text {
	char *buf;
	size_t max, len;
};

static void
put(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (n >= t->max - t->len) {
		t->len = t->max;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void
put_u64(struct text *t, uint64_t v)
{
	char d[21], *p = d + sizeof(d) - 1;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	put(t, p);
}

/* usec as seconds with six decimals; trim: without trailing zeros (and
 * without the point for whole seconds), as a bucket's bound reads best. */
static void
put_seconds(struct text *t, uint64_t usec, int trim)
{
	char d[8];
	uint32_t f = (uint32_t)(usec % 1000000);
	int i;

	put_u64(t, usec / 1000000);
	d[0] = '.';
	for (i = 6; i > 0; i--, f /= 10)
		d[i] = (char)('0' + f % 10);
	i = 7;
	while (trim && d[i - 1] == '0')		/* stops at d[0], the point */
		i--;
	d[i > 1 ? i : 0] = '\0';
	put(t, d);
}

static void
head(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP ");
	put(t, name);
	put(t, " ");
	put(t, help);
	put(t, "\n# TYPE ");
	put(t, name);
	put(t, " ");
	put(t, type);
	put(t, "\n");
}

size_t
metrics_format(char *out, size_t max, const struct metrics *m)
{
	static const char hist[] = "d20d_request_duration_seconds";
	struct text t = { out, max, 0 };
	uint64_t v, n = 0;
	unsigned p, c;

	head(&t, "d20d_requests_total", "counter",
	    "Requests answered, by protocol and HTTP status code.");
	for (p = 0; p < METRICS_PROTOS; p++)
		for (c = 0; c < METRICS_CODES; c++) {
			if (!m->requests[p][c])
				continue;
			put(&t, "d20d_requests_total{protocol=\"");
			put(&t, protos[p]);
			put(&t, "\",code=\"");
			put_u64(&t, codes[c]);
			put(&t, "\"} ");
			put_u64(&t, m->requests[p][c]);
			put(&t, "\n");
		}
	head(&t, hist, "histogram", "Time from accept to the answer written.");
	for (c = 0; c <= METRICS_BUCKETS; c++) {
		n += m->buckets[c];
		put(&t, hist);
		put(&t, "_bucket{le=\"");
		if (c < METRICS_BUCKETS)
			put_seconds(&t, bounds[c], 1);
		else
			put(&t, "+Inf");
		put(&t, "\"} ");
		put_u64(&t, n);
		put(&t, "\n");
	}
	put(&t, hist);
	put(&t, "_sum ");
	put_seconds(&t, m->usec_sum, 0);
	put(&t, "\n");
	put(&t, hist);
	put(&t, "_count ");
	put_u64(&t, n);
	put(&t, "\n");
	for (c = 0; c < sizeof(plain) / sizeof(plain[0]); c++) {
		memcpy(&v, (const char *)m + plain[c].off, sizeof(v));
		head(&t, plain[c].name, plain[c].type, plain[c].help);
		put(&t, plain[c].name);
		put(&t, plain[c].labels);
		put(&t, " ");
		put_u64(&t, v);
		put(&t, "\n");
	}
	return t.len < max ? t.len : 0;
}
