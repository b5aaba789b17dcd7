/* SPDX-License-Identifier: MIT */
/* fuzz_dns.c - libFuzzer harness for dns.c: any bytes as a reply to an
 * A and an AAAA query whose ID matches them, and as /etc/hosts and
 * resolv.conf text. Results stay in range; addresses have the asked
 * family and port. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dns.h"

static void
check_addrs(const struct sockaddr_storage *a, int n, int family)
{
	int i;

	for (i = 0; i < n; i++)
		if ((family && a[i].ss_family != family) ||
		    ntohs(((const struct sockaddr_in *)&a[i])->sin_port) != 443)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[2] = { 1, 28 };
	struct sockaddr_storage out[DNS_ADDR_MAX], ns[DNS_NS_MAX];
	uint8_t q[DNS_QUERY_MAX];
	size_t ql;
	int k, n, r;

	for (k = 0; k < 2; k++) {
		ql = dns_query(q, "d20.example", size >= 2 ?
		    (uint16_t)(data[0] << 8 | data[1]) : 0, types[k]);
		n = 0;
		r = dns_answer(data, size, q, ql, 443, out, DNS_ADDR_MAX, &n);
		if (r < DNS_SERVER || r > DNS_ADDR_MAX || n < 0 || n > DNS_ADDR_MAX ||
		    (r >= 0 && r != n) || (r < 0 && n != 0))
			abort();
		check_addrs(out, n, k ? AF_INET6 : AF_INET);
	}
	n = dns_hosts_parse((const char *)data, size, "d20.example", 443, out,
	    DNS_ADDR_MAX, 0);
	if (n < 0 || n > DNS_ADDR_MAX)
		abort();
	check_addrs(out, n, 0);
	n = dns_resolv_parse((const char *)data, size, ns, 0);
	if (n < 0 || n > DNS_NS_MAX)
		abort();
	return 0;
}
