/* SPDX-License-Identifier: MIT */
/* tls_test.c - drive tls.c over a socketpair: a forked server child with
 * a given certificate and key, the client with a given CA or pin and
 * host. tests/tls.sh makes the certificates and states the outcomes.
 *
 *   tls_test load CHAIN KEY EXPECT
 *   tls_test talk CHAIN KEY CA|- HOST PIN|- EXPECT [BUILD]
 *   tls_test time
 *
 * EXPECT is "ok" or text that the error must contain; BUILD is the build
 * time the client is given (seconds since the epoch, default 0). Prints
 * one line; "time" checks tls_cert_time against known answers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tls.h"

static int
outcome(const char *what, const char *err, const char *expect)
{
	int good;

	if (!err)
		good = strcmp(expect, "ok") == 0;
	else
		good = strcmp(expect, "ok") != 0 && strstr(err, expect) != NULL;
	printf("%s - %s: %s\n", good ? "ok" : "not ok", what, err ? err : "ok");
	return good ? 0 : 1;
}

static void
serve(int fd)
{
	unsigned char seed[32] = { 1 };
	char buf[16];
	ssize_t n;

	if (tls_server_start(fd, fd, seed, tls_sign_here, NULL) < 0)
		_exit(3);
	n = tls_read(buf, 5);
	if (n == 5 && memcmp(buf, "ping\n", 5) == 0)
		tls_write("pong\n", 5);
	tls_close();
	_exit(0);
}

/* Known answers for the time certificate dates are checked at. */
static int
cert_times(void)
{
	static const struct {
		long long now, build;
		unsigned long days, secs;
	} t[] = {
		{ 0, 0, 719528, 0 },			/* 1970-01-01 */
		/* 2026-12-02 12:00:00: the clock when it is after the build */
		{ 1796212800LL, 1795305600LL, 719528 + 20789, 43200 },
		/* a clock in 2001 (978307200: 2001-01-01) before a 2026 build */
		{ 978307200LL, 1795305600LL, 719528 + 20779, 0 },
		/* the same clock, the build time unknown */
		{ 978307200LL, 0, 719528 + 11323, 0 },
		/* a clock 2 h behind, still after the build */
		{ 1796212800LL - 7200, 1795305600LL, 719528 + 20789, 36000 },
		/* a clock before 1970 counts as 1970 */
		{ -86400, 0, 719528, 0 },
	};
	unsigned long d, s;
	size_t i;
	int bad = 0, good;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tls_cert_time(t[i].now, t[i].build, &d, &s);
		good = d == t[i].days && s == t[i].secs;
		printf("%s - cert time: now %lld, build %lld -> day %lu, second %lu\n",
		    good ? "ok" : "not ok", t[i].now, t[i].build, d, s);
		bad |= !good;
	}
	return bad;
}

int
main(int argc, char *argv[])
{
	char err[TLS_ERRLEN], what[512], buf[16];
	tls_client_opts o;
	unsigned char seed[32] = { 2 };
	int sv[2], status;
	pid_t pid;
	ssize_t n;

	alarm(20);	/* a hung handshake must not hang the suite */
	if (argc == 5 && strcmp(argv[1], "load") == 0) {
		snprintf(what, sizeof(what), "load %s %s", argv[2], argv[3]);
		return outcome(what, tls_server_load(argv[2], argv[3], err) < 0 ?
		    err : NULL, argv[4]);
	}
	if (argc == 2 && strcmp(argv[1], "time") == 0)
		return cert_times();
	if ((argc != 8 && argc != 9) || strcmp(argv[1], "talk") != 0) {
		fputs("usage: tls_test load CHAIN KEY EXPECT\n"
		    "       tls_test talk CHAIN KEY CA|- HOST PIN|- EXPECT [BUILD]\n"
		    "       tls_test time\n", stderr);
		return 2;
	}
	snprintf(what, sizeof(what), "%s %s, ca %s, host %s, pin %.20s%s%s",
	    argv[2], argv[3], argv[4], argv[5], argv[6],
	    argc == 9 ? ", built at " : "", argc == 9 ? argv[8] : "");
	if (tls_server_load(argv[2], argv[3], err) < 0)
		return outcome(what, err, "server key did not load");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		serve(sv[1]);
	}
	close(sv[1]);
	memset(&o, 0, sizeof(o));
	o.ca_file = strcmp(argv[4], "-") ? argv[4] : NULL;
	o.pin = strcmp(argv[6], "-") ? argv[6] : NULL;
	o.host = argv[5];
	o.seed = seed;
	o.build_time = argc == 9 ? strtoll(argv[8], NULL, 10) : 0;
	if (tls_client_start(sv[0], &o, err) < 0) {
		close(sv[0]);
		waitpid(pid, &status, 0);
		return outcome(what, err, argv[7]);
	}
	if (tls_write("ping\n", 5) < 0)
		return outcome(what, tls_last_error(), argv[7]);
	n = tls_read(buf, sizeof(buf));
	tls_close();
	close(sv[0]);
	waitpid(pid, &status, 0);
	if (n != 5 || memcmp(buf, "pong\n", 5) != 0)
		return outcome(what, "no pong from the server", argv[7]);
	return outcome(what, NULL, argv[7]);
}
