/* SPDX-License-Identifier: MIT */
/* fuzz_proxyhdr.c - libFuzzer harness for proxyhdr.c. The input is read
 * as d20d reads a connection's first bytes (proxyhdr_need, exactly what
 * it asks for) and parsed whole: the two must agree on where a header
 * ends, never past the input or the bounds, and a v1 TCP4 header must be
 * the canonical line its fields make. The input is also a --proxy-from
 * network, which, when valid, must hold its own address. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../proxyhdr.h"

static void
header(const uint8_t *d, size_t n)
{
	struct proxyhdr h, h2;
	char line[PROXYHDR_V1_MAX + 1], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	size_t have = 0;
	long r = proxyhdr_parse(&h, d, n), need = 1;
	int len;

	if (r < -1 || r > (long)n || r > PROXYHDR_MAX)
		abort();
	/* d20d's reading: it asks for no byte past the header */
	while (have <= n && (need = proxyhdr_need(d, have)) > 0)
		have += (size_t)need;
	if (r > 0 && (need != 0 || have != (size_t)r))
		abort();
	if (r == 0 && have <= n)
		abort();	/* incomplete, yet judged whole within the input */
	if (r < 0 && need == 0 && have <= n && proxyhdr_parse(&h2, d, have) != -1)
		abort();
	if (r <= 0)
		return;
	if ((h.version != 1 && h.version != 2) ||
	    (h.af != AF_UNSPEC && h.af != AF_INET && h.af != AF_INET6))
		abort();
	if (proxyhdr_parse(&h2, d, (size_t)r) != r || memcmp(&h, &h2, sizeof(h)) != 0)
		abort();
	if (h.version == 1 && (r > PROXYHDR_V1_MAX || d[r - 2] != '\r' || d[r - 1] != '\n'))
		abort();
	if (h.version == 1 && h.af == AF_INET) {
		inet_ntop(AF_INET, h.src, a, sizeof(a));
		inet_ntop(AF_INET, h.dst, b, sizeof(b));
		len = snprintf(line, sizeof(line), "PROXY TCP4 %s %s %u %u\r\n", a, b,
		    h.sport, h.dport);
		if (len != r || memcmp(line, d, (size_t)r) != 0)
			abort();
	}
}

static void
network(const uint8_t *d, size_t n)
{
	struct proxyhdr_net net;
	char s[80];

	if (n >= sizeof(s))
		n = sizeof(s) - 1;
	memcpy(s, d, n);
	s[n] = '\0';
	if (proxyhdr_net_parse(&net, s) < 0)
		return;
	if ((net.af != AF_INET && net.af != AF_INET6) ||
	    net.bits > (net.af == AF_INET ? 32u : 128u) ||
	    proxyhdr_net_match(&net, net.af, net.addr) != 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	header(data, size);
	network(data, size);
	return 0;
}
