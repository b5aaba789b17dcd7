/* SPDX-License-Identifier: MIT */
/* metrics.h - d20d's counters and their Prometheus text exposition
 * (format 0.0.4). d20d keeps one struct metrics in memory its workers
 * share, and each worker adds to it what each of its connections came to
 * (struct metrics_conn, atomic additions); the worker that takes a scrape
 * formats a snapshot of it with metrics_format. Nothing
 * here allocates, prints or uses floating point: times are microseconds,
 * written as seconds with six decimals. */
#ifndef D20_METRICS_H
#define D20_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* What a request was routed to (the protocol label). */
enum metrics_proto {
	METRICS_D20,		/* /api/entropy */
	METRICS_POLLEN,		/* a challenge on any other path */
	METRICS_STATUS,		/* /api/status */
	METRICS_OTHER,		/* unparsed, unknown path, no challenge, 503 */
	METRICS_PROTOS,
	METRICS_SCRAPE = METRICS_PROTOS	/* a /metrics connection: not counted */
};

/* The HTTP status codes d20d answers (http.h), in the order of the
 * requests table; a code not listed counts as the last, 505. */
#define METRICS_CODES 13

/* Upper bounds of the latency histogram's buckets in microseconds, then
 * +Inf. */
#define METRICS_BUCKETS 13

/* metrics_conn.flags */
#define METRICS_TLS_FAILED 1	/* the TLS handshake failed (logged "TLS: ...") */
#define METRICS_DEADLINE 2	/* the -t deadline came first */

/* One connection as a worker reports it. */
struct metrics_conn {
	uint32_t usec;		/* accept to answer written; set by the parent */
	uint32_t bytes;		/* entropy bytes (R) in the answer */
	uint16_t code;		/* HTTP status written; 0: no answer went out */
	uint8_t proto;		/* enum metrics_proto */
	uint8_t flags;
};

/* The counters and gauges without labels of their own, in the order of
 * the text (struct metrics' n). */
enum {
	METRICS_ENTROPY_BYTES,	/* R bytes served */
	METRICS_TLS_FAILURES,
	METRICS_REFUSED,	/* -C: 503 from the parent */
	METRICS_DEADLINES,
	METRICS_KILLED,		/* workers killed by a signal mid-connection */
	METRICS_LOG_DROPPED,	/* -S: lines syslog had no room for */
	METRICS_BUSY,		/* gauges: workers, filled in for a snapshot */
	METRICS_IDLE,
	METRICS_START,		/* process start, seconds since the epoch */
	METRICS_PLAIN
};

struct metrics {
	uint64_t requests[METRICS_PROTOS][METRICS_CODES];
	uint64_t buckets[METRICS_BUCKETS + 1];	/* per bucket, not cumulative */
	uint64_t usec_sum;
	uint64_t n[METRICS_PLAIN];
};

/* Add one connection's report to m, each field atomically. An answered
 * one (code != 0) counts as a request of its protocol and code, with its
 * latency; a scrape counts for nothing. */
void metrics_count(struct metrics *m, const struct metrics_conn *c);

/* Add one to m's counter n (struct metrics' n), atomically. */
void metrics_bump(struct metrics *m, unsigned n);

/* Write m as Prometheus text (every metric with # HELP and # TYPE;
 * labelled request counters only where non-zero) to out[max]. Returns
 * its length, or 0 when it does not fit (never a cut text). */
size_t metrics_format(char *out, size_t max, const struct metrics *m);

#endif
