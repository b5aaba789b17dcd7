/* SPDX-License-Identifier: MIT */
/* seed_test.c - d20's local randomness: the jitter collector keeps its
 * bounds, the mix depends on every input (so that jitter, were it
 * constant, would never be the only input), and the sources answer. */
#include <time.h>

#include "../seed.h"
#include "test.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Fixed inputs, as if two runs started in one state. */
static void
fixed(seed_inputs *in)
{
	memset(in, 0, sizeof(*in));
	memset(in->insecure, 0x11, sizeof(in->insecure));
	in->insecure_len = sizeof(in->insecure);
	memset(in->cpu, 0x22, sizeof(in->cpu));
	in->cpu_len = sizeof(in->cpu);
	memset(in->jitter, 0x33, sizeof(in->jitter));	/* jitter forced constant */
	in->jitter_samples = 2048;
	in->jitter_ns = 1000000;
	in->realtime = 1796169600000000000ULL;
	in->monotonic = 5000000000ULL;
	in->boottime = 5000000000ULL;
	in->cycles_start = 1000;
	in->cycles_end = 2000;
	in->pid = 1;
	in->stack = 0x7ffc0000;
}

static void
jitter_bounds(void)
{
	uint8_t a[SHA512_SIZE], b[SHA512_SIZE];
	sha512_ctx h;
	long long t0, ns, took;
	size_t n;

	/* The count bound: exactly that many timings when time allows. */
	sha512_init(&h);
	n = seed_jitter(&h, 100, 1000000000LL, &ns);
	sha512_final(&h, a);
	test_ok(n == 100, "jitter: a bound of 100 timings takes 100 (%zu, %lld ns)", n, ns);
	sha512_init(&h);
	n = seed_jitter(&h, 0, 1000000000LL, &ns);
	sha512_final(&h, b);
	test_ok(n == 0, "jitter: a bound of 0 timings takes none");
	/* No time at all: still the minimum, and no more. */
	sha512_init(&h);
	n = seed_jitter(&h, 1000, 0, &ns);
	sha512_final(&h, b);
	test_ok(n == SEED_JITTER_MIN, "jitter: a bound of 0 ns still takes the "
	    "minimum of %d timings (%zu)", SEED_JITTER_MIN, n);

	/* The time bound: far more timings allowed than 2 ms can hold; the
	 * collector stops after 2 ms, 8 timings late at most (the slack
	 * covers being descheduled on a busy machine). */
	t0 = now_ns();
	sha512_init(&h);
	n = seed_jitter(&h, (size_t)-1, 2000000LL, &ns);
	sha512_final(&h, b);
	took = now_ns() - t0;
	test_ok(n > 0 && ns >= 2000000LL && took < 2000000LL + 200000000LL,
	    "jitter: a 2 ms bound ends after 2 ms (%zu timings, %lld ns, %lld ns "
	    "measured outside)", n, ns, took);

	/* The default bounds, as d20 uses them. */
	t0 = now_ns();
	sha512_init(&h);
	n = seed_jitter(&h, SEED_JITTER_SAMPLES, SEED_JITTER_NS, &ns);
	sha512_final(&h, b);
	took = now_ns() - t0;
	test_ok(n > 0 && n <= SEED_JITTER_SAMPLES &&
	    took < SEED_JITTER_NS + 200000000LL,
	    "jitter: default bounds, %zu timings (at most %d) in %lld ns (at most "
	    "%lld and 8 timings)", n, SEED_JITTER_SAMPLES, ns, SEED_JITTER_NS);

	/* Two collections of the same count differ (the timings do). */
	sha512_init(&h);
	seed_jitter(&h, 100, 1000000000LL, NULL);
	sha512_final(&h, b);
	test_ok(memcmp(a, b, sizeof(a)) != 0,
	    "jitter: two collections of 100 timings hash differently");
}

static void
mixing(void)
{
	static const char *const names[] = {
		"getrandom bytes", "a getrandom length", "CPU generator bytes",
		"a CPU generator length", "the realtime clock", "the monotonic clock",
		"the boot clock", "the first cycle count", "the last cycle count",
		"the process id", "the stack address", "the jitter samples count",
		"the jitter time", "the jitter digest",
	};
	uint8_t base[SHA512_SIZE], out[SHA512_SIZE];
	seed_inputs in;
	size_t i;
	int same;

	fixed(&in);
	seed_mix(base, &in);
	seed_mix(out, &in);
	test_ok(memcmp(base, out, sizeof(out)) == 0,
	    "mix: the same inputs give the same output");
	/* With the jitter digest constant, every other input still moves
	 * the output: jitter is never the only input. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fixed(&in);
		switch (i) {
		case 0: in.insecure[63] ^= 1; break;
		case 1: in.insecure_len = 32; break;
		case 2: in.cpu[0] ^= 0x80; break;
		case 3: in.cpu_len = 0; break;
		case 4: in.realtime++; break;
		case 5: in.monotonic++; break;
		case 6: in.boottime++; break;
		case 7: in.cycles_start++; break;
		case 8: in.cycles_end++; break;
		case 9: in.pid = 2; break;
		case 10: in.stack += 16; break;
		case 11: in.jitter_samples--; break;
		case 12: in.jitter_ns++; break;
		case 13: in.jitter[10] ^= 4; break;
		}
		seed_mix(out, &in);
		same = memcmp(base, out, sizeof(out)) == 0;
		test_ok(!same, "mix: %s changes the output (the jitter %s)", names[i],
		    i < 11 ? "held constant" : "moved alone");
	}
	/* A length past its field is cut to the field, never read beyond. */
	fixed(&in);
	in.insecure_len = 1000;
	seed_mix(out, &in);
	test_ok(memcmp(base, out, sizeof(out)) == 0,
	    "mix: an oversized length reads no further than its field");
}

static void cycles(void);

static void
sources(void)
{
	seed_inputs a, b;
	uint8_t x[SEED_CPU_BYTES], y[SEED_CPU_BYTES], ma[SHA512_SIZE], mb[SHA512_SIZE];
	size_t n, m;

	seed_gather(&a);
	seed_gather(&b);
	test_ok(a.insecure_len == SEED_INSECURE_BYTES && a.jitter_samples > 0 &&
	    a.realtime && a.monotonic && a.pid,
	    "gather: getrandom gave %zu bytes, jitter %lu timings in %lu ns, "
	    "CPU generator %zu bytes", a.insecure_len,
	    (unsigned long)a.jitter_samples, (unsigned long)a.jitter_ns, a.cpu_len);
	seed_mix(ma, &a);
	seed_mix(mb, &b);
	test_ok(memcmp(ma, mb, sizeof(ma)) != 0 &&
	    memcmp(a.jitter, b.jitter, sizeof(a.jitter)) != 0,
	    "gather: two gatherings differ, and so do their jitter digests");
	n = seed_cpu(x, sizeof(x));
	m = seed_cpu(y, sizeof(y));
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
	if (n == 0)
		printf("ok - CPU generator # SKIP this CPU has none\n");
	else
		test_ok(n == sizeof(x) && m == sizeof(y) && memcmp(x, y, n) != 0,
		    "CPU generator: %zu bytes, two draws differ", n);
#else
	test_ok(n == 0 && m == 0, "CPU generator: none used on this CPU");
#endif
	cycles();
}

/* Every CPU but 32-bit arm has a counter seed_cycles reads; it moves. */
static void
cycles(void)
{
	uint64_t c0 = seed_cycles(), c1;
	struct timespec ts = { 0, 2000000 };

	nanosleep(&ts, NULL);
	c1 = seed_cycles();
#if defined(__arm__)
	test_ok(c0 == 0 && c1 == 0, "cycle counter: none on 32-bit arm (the clock stands in)");
#else
	test_ok(c0 != 0 && c1 > c0, "cycle counter: present, and it advanced by %llu "
	    "in 2 ms", (unsigned long long)(c1 - c0));
#endif
}

int
main(void)
{
	jitter_bounds();
	mixing();
	sources();
	return test_done();
}
