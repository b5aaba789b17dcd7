/* SPDX-License-Identifier: MIT */
/* config.h - every limit of d20d and its HTTP parser in one place.
 * Change a number here and rebuild; nothing else hard-codes these. */
#ifndef D20_CONFIG_H
#define D20_CONFIG_H

/* ---- one request (http.c) ---- */

/* Request line with its line end ("GET /api/entropy?challenge=... HTTP/1.1"):
 * room for a CHALLENGE_MAX challenge sent fully percent-encoded. Past it: 414. */
#define HTTP_LINE_MAX 4096
/* Header section after the request line, final empty line included: 431. */
#define HTTP_HEAD_MAX 4096
/* Header fields; a flood of tiny headers is refused before HEAD_MAX: 431. */
#define HTTP_HEADERS_MAX 32
/* Body (Content-Length): a form with a fully encoded challenge fits. 413. */
#define HTTP_BODY_MAX 4096
/* Path after percent-decoding: 414. */
#define HTTP_PATH_MAX 256
/* Method names longer than this are not ours: 501. */
#define HTTP_METHOD_MAX 15
/* The whole request buffer: the parser refuses each part at its own bound,
 * so a request that fills this buffer has already been answered. */
#define HTTP_REQ_MAX (HTTP_LINE_MAX + HTTP_HEAD_MAX + HTTP_BODY_MAX)

/* ---- challenges (d20d.c) ---- */

#define CHALLENGE_MIN 8		/* D20 API v1: at least 8 bytes */
#define CHALLENGE_MAX 1024	/* after decoding; longer: 413 (body), 414 (query) */
/* R for the D20 API, sent as it is: D20's own client credits the kernel
 * len*8/64 bits (at most 64) for the bytes it decodes, so 512 earn its
 * full 64, as the real D20 server's 512 do. One DRBG generate call gives
 * at most 65536 (drbg.h); d20 takes up to ANSWER_ENTROPY_MAX (answer.h). */
#define D20_ENTROPY_BYTES 512
#define POLLEN_ENTROPY_BYTES 64	/* R for the Pollen form (pollen's -bytes default) */

/* ---- the daemon (d20d.c) ---- */

#define D20D_PORT "27184"
#define D20D_LISTEN_MAX 16	/* -l, -L and activated sockets together */
#define D20D_BACKLOG 1024
#define D20D_DEFER_ACCEPT 1	/* TCP_DEFER_ACCEPT seconds: -l, -L, -M */
#define D20D_CHILDREN 256	/* -c default: workers, so connections at once */
#define D20D_CHILDREN_MAX 4096	/* -c upper bound: the worker table is static */
/* Connections a worker serves before it exits (and the parent forks
 * another when needed). A fork and an exit cost about as much as 30 plain
 * HTTP requests on a virtual machine that traps page-table updates: at
 * 1000, the parent's forks were 3.6% of d20d's CPU under wrk (make
 * profile), and 10000 makes 3-5% less CPU per HTTP request. */
#define D20D_WORKER_CONNS 10000
#define D20D_WORKER_IDLE 60	/* seconds idle before a worker leaves the pool */
#define D20D_PER_ADDR 16	/* -C default: per IPv4 address or IPv6 /64 */
#define D20D_DEADLINE 5		/* -t default, seconds for a whole connection */
#define D20D_DEADLINE_MAX 300
#define D20D_WRITE_GRACE 1	/* seconds to send a 408 after the deadline */
#define D20D_USER "nobody"
#define D20D_CHROOT "/var/empty"	/* created (empty, 0555) if missing */
#define D20D_LOG_PATH_MAX 64	/* path characters shown in a log line */
/* The /metrics text (-M), and so the largest reply body a worker holds:
 * every request counter non-zero takes about 5 KiB. Past it: 500. */
#define D20D_METRICS_MAX 8192

/* ---- behind a load balancer (proxyhdr.c, d20d.c) ---- */

#define D20D_PROXY_FROM_MAX 16	/* --proxy-from networks */
/* A PROXY protocol v2 header, its TLVs included: the spec sizes both
 * versions to fit the smallest TCP segment every host takes (536 bytes).
 * Longer: the connection is refused. */
#define PROXYHDR_MAX 536

/* ---- the TLS key's signer (d20d.c, signer.c) ---- */

/* Nice levels the signer runs above the workers (when started as root). */
#define D20D_SIGNER_NICE 5
/* Seconds the parent waits for a new signer to read and check the key. */
#define D20D_SIGNER_START 5
/* Seconds between two starts of a signer that keeps dying. */
#define D20D_SIGNER_RETRY 1
/* Workers' channels one signer holds: the -c bound, and room for those of
 * workers that have exited but whose close the signer has not seen yet. */
#define D20D_SIGNER_CHANNELS (D20D_CHILDREN_MAX + 64)

#endif
