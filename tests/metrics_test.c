/* SPDX-License-Identifier: MIT */
/* metrics_test.c - metrics_count and metrics_format against a known text:
 * the exact exposition for known connections, bucket bounds (a latency
 * equal to a bound is in that bucket), codes d20d never sends, scrapes,
 * 64-bit counters, and every buffer size too small giving 0, never a cut
 * text. */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "../metrics.h"

static const char want[] =
	"# HELP d20d_requests_total Requests answered, by protocol and HTTP status code.\n"
	"# TYPE d20d_requests_total counter\n"
	"d20d_requests_total{protocol=\"d20\",code=\"200\"} 3\n"
	"d20d_requests_total{protocol=\"d20\",code=\"400\"} 1\n"
	"d20d_requests_total{protocol=\"pollen\",code=\"200\"} 1\n"
	"d20d_requests_total{protocol=\"status\",code=\"200\"} 1\n"
	"d20d_requests_total{protocol=\"other\",code=\"408\"} 1\n"
	"d20d_requests_total{protocol=\"other\",code=\"503\"} 1\n"
	"d20d_requests_total{protocol=\"other\",code=\"505\"} 1\n"
	"# HELP d20d_request_duration_seconds Time from accept to the answer written.\n"
	"# TYPE d20d_request_duration_seconds histogram\n"
	"d20d_request_duration_seconds_bucket{le=\"0.001\"} 2\n"
	"d20d_request_duration_seconds_bucket{le=\"0.0025\"} 3\n"
	"d20d_request_duration_seconds_bucket{le=\"0.005\"} 3\n"
	"d20d_request_duration_seconds_bucket{le=\"0.01\"} 3\n"
	"d20d_request_duration_seconds_bucket{le=\"0.025\"} 3\n"
	"d20d_request_duration_seconds_bucket{le=\"0.05\"} 3\n"
	"d20d_request_duration_seconds_bucket{le=\"0.1\"} 3\n"
	"d20d_request_duration_seconds_bucket{le=\"0.25\"} 4\n"
	"d20d_request_duration_seconds_bucket{le=\"0.5\"} 4\n"
	"d20d_request_duration_seconds_bucket{le=\"1\"} 6\n"
	"d20d_request_duration_seconds_bucket{le=\"2.5\"} 7\n"
	"d20d_request_duration_seconds_bucket{le=\"5\"} 7\n"
	"d20d_request_duration_seconds_bucket{le=\"10\"} 8\n"
	"d20d_request_duration_seconds_bucket{le=\"+Inf\"} 9\n"
	"d20d_request_duration_seconds_sum 4303.603003\n"
	"d20d_request_duration_seconds_count 9\n"
	"# HELP d20d_entropy_bytes_total Fresh DRBG bytes served.\n"
	"# TYPE d20d_entropy_bytes_total counter\n"
	"d20d_entropy_bytes_total 1600\n"
	"# HELP d20d_tls_handshake_failures_total Failed TLS handshakes.\n"
	"# TYPE d20d_tls_handshake_failures_total counter\n"
	"d20d_tls_handshake_failures_total 2\n"
	"# HELP d20d_cap_refusals_total Connections refused with 503 at a cap.\n"
	"# TYPE d20d_cap_refusals_total counter\n"
	"d20d_cap_refusals_total{cap=\"per_address\"} 18446744073709551615\n"
	"# HELP d20d_deadline_hits_total Connections that reached the -t deadline.\n"
	"# TYPE d20d_deadline_hits_total counter\n"
	"d20d_deadline_hits_total 1\n"
	"# HELP d20d_workers_killed_total Workers killed by a signal while serving.\n"
	"# TYPE d20d_workers_killed_total counter\n"
	"d20d_workers_killed_total 0\n"
	"# HELP d20d_log_lines_dropped_total Log lines dropped: the syslog socket was full.\n"
	"# TYPE d20d_log_lines_dropped_total counter\n"
	"d20d_log_lines_dropped_total 3\n"
	"# HELP d20d_workers_busy Workers serving a connection, this scrape's included.\n"
	"# TYPE d20d_workers_busy gauge\n"
	"d20d_workers_busy 1\n"
	"# HELP d20d_workers_idle Workers waiting for a connection.\n"
	"# TYPE d20d_workers_idle gauge\n"
	"d20d_workers_idle 255\n"
	"# HELP process_start_time_seconds Start time in seconds since the epoch.\n"
	"# TYPE process_start_time_seconds gauge\n"
	"process_start_time_seconds 1796169600\n";

/* An empty server: no request line yet, every bucket 0, sum 0.000000. */
static const char want_empty_hist[] =
	"# TYPE d20d_requests_total counter\n"
	"# HELP d20d_request_duration_seconds";

static void
count(struct metrics *m, unsigned proto, unsigned code, uint32_t usec,
    uint32_t bytes, unsigned flags)
{
	struct metrics_conn c;

	memset(&c, 0, sizeof(c));
	c.proto = (uint8_t)proto;
	c.code = (uint16_t)code;
	c.usec = usec;
	c.bytes = bytes;
	c.flags = (uint8_t)flags;
	metrics_count(m, &c);
}

/* Print where a and b first differ. */
static void
show_diff(const char *got, const char *exp)
{
	size_t i = 0;

	while (got[i] && got[i] == exp[i])
		i++;
	test_note("differs at byte %zu: got \"%.60s\", want \"%.60s\"", i,
	    got + i, exp + i);
}

int
main(void)
{
	static char out[8192];
	struct metrics m;
	size_t n, len = sizeof(want) - 1, max;
	int all;

	memset(&m, 0, sizeof(m));
	/* three D20 answers, one a millisecond exactly (the first bucket's
	 * bound), one 2 ms, one 4294 s (over the last bound) */
	count(&m, METRICS_D20, 200, 1000, 512, 0);
	count(&m, METRICS_D20, 200, 2000, 512, 0);
	count(&m, METRICS_D20, 200, 4294000000U, 512, 0);
	count(&m, METRICS_D20, 400, 1, 0, 0);
	count(&m, METRICS_POLLEN, 200, 100001, 64, 0);
	count(&m, METRICS_STATUS, 200, 1000000, 0, 0);
	count(&m, METRICS_OTHER, 408, 1000000, 0, METRICS_DEADLINE);
	count(&m, METRICS_OTHER, 503, 2500000, 0, 0);
	/* a code d20d does not send is counted under the last, 505 */
	count(&m, METRICS_OTHER, 299, 5000001, 0, 0);
	/* no answer: a failed handshake, twice; a scrape counts for nothing */
	count(&m, METRICS_OTHER, 0, 0, 0, METRICS_TLS_FAILED);
	count(&m, METRICS_D20, 0, 0, 0, METRICS_TLS_FAILED);
	count(&m, METRICS_SCRAPE, 200, 500, 9999, METRICS_DEADLINE);
	m.n[METRICS_REFUSED] = UINT64_MAX - 2;
	/* what d20d's parent and workers add one at a time; past the last
	 * counter, nothing */
	metrics_bump(&m, METRICS_REFUSED);
	metrics_bump(&m, METRICS_REFUSED);
	metrics_bump(&m, METRICS_PLAIN);
	m.n[METRICS_LOG_DROPPED] = 2;
	metrics_bump(&m, METRICS_LOG_DROPPED);
	m.n[METRICS_BUSY] = 1;
	m.n[METRICS_IDLE] = 255;
	m.n[METRICS_START] = 1796169600;

	n = metrics_format(out, sizeof(out), &m);
	if (!test_ok(n == len && memcmp(out, want, len) == 0,
	    "the exposition of known counters, byte for byte (%zu bytes)", len)) {
		out[n < sizeof(out) ? n : sizeof(out) - 1] = '\0';
		show_diff(out, want);
	}

	all = 1;
	for (max = 0; max <= len; max++)
		all &= metrics_format(out, max, &m) == 0;
	n = metrics_format(out, len + 1, &m);
	test_ok(all && n == len && memcmp(out, want, len) == 0,
	    "every buffer from 0 to %zu bytes gives 0; %zu bytes give the text",
	    len, len + 1);

	memset(&m, 0, sizeof(m));
	n = metrics_format(out, sizeof(out), &m);
	out[n] = '\0';
	test_ok(n > 0 && strstr(out, want_empty_hist) &&
	    strstr(out, "d20d_request_duration_seconds_bucket{le=\"+Inf\"} 0\n"
	    "d20d_request_duration_seconds_sum 0.000000\n"
	    "d20d_request_duration_seconds_count 0\n") &&
	    strstr(out, "\nprocess_start_time_seconds 0\n"),
	    "no request yet: HELP and TYPE for every metric, zero buckets, "
	    "sum 0.000000");
	return test_done();
}
