/* SPDX-License-Identifier: MIT */
/* seed.c - d20's own randomness: see seed.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "seed.h"
#include "util.h"

static long long
now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* See seed.h. */
uint64_t
seed_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#elif defined(__aarch64__)
	uint64_t v;

	__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
	return v;
#elif defined(__powerpc64__)
	return __builtin_ppc_get_timebase();	/* mftb */
#elif defined(__s390x__)
	uint64_t v;

	/* STORE CLOCK FAST: the TOD clock, bit 51 a microsecond */
	__asm__ __volatile__("stckf %0" : "=Q"(v) : : "cc");
	return v;
#elif defined(__riscv) && __riscv_xlen == 64
	uint64_t v;

	/* the time CSR: rdcycle traps from Linux 6.6 on unless allowed */
	__asm__ __volatile__("rdtime %0" : "=r"(v));
	return v;
#else
	/* 32-bit arm: a user-readable counter (CNTVCT) needs the generic
	 * timer, which Cortex-A8 and A9 lack; the clock stands in. */
	return 0;
#endif
}

/* The finest counter there is: the cycle counter, else the clock. */
static uint64_t
fine_now(void)
{
	uint64_t c = seed_cycles();

	return c ? c : (uint64_t)now_ns(CLOCK_MONOTONIC);
}

/* Work whose duration varies with the caches, the branch predictors and
 * whatever else runs on the machine: a walk through a small table whose
 * every step depends on the last. volatile keeps the compiler from
 * folding it away. */
static uint64_t
workload(volatile uint64_t *mem, size_t n, uint64_t acc)
{
	size_t i, k;

	for (k = 0; k < 16; k++) {
		i = (size_t)(acc >> 11 ^ k) % n;
		mem[i] += acc;
		acc = acc * 6364136223846793005ULL + mem[(i * 31 + 7) % n];
		acc ^= acc >> 29;
	}
	return acc;
}

/* See seed.h. */
size_t
seed_jitter(sha512_ctx *h, size_t max_samples, long long max_ns,
    long long *elapsed_ns)
{
	static volatile uint64_t mem[256];
	uint64_t d[64], acc = 0, t0, t1;
	long long start = now_ns(CLOCK_MONOTONIC), now;
	size_t n = 0, k = 0;
	/* With a cycle counter, the clock is read for the bound only every
	 * 8th timing: it may be a system call (or, under emulation, a slow
	 * device), and the time it takes is time not spent timing. */
	unsigned every = seed_cycles() ? 8 : 1;

	while (n < max_samples) {
		if (n % every == 0) {
			now = now_ns(CLOCK_MONOTONIC);
			if (now - start >= max_ns && n >= SEED_JITTER_MIN)
				break;
			d[k++] = (uint64_t)now;
		}
		t0 = fine_now();
		acc = workload(mem, sizeof(mem) / sizeof(mem[0]), acc ^ t0);
		t1 = fine_now();
		d[k++] = t1 - t0;	/* the delta carries the jitter */
		n++;
		if (k + 2 > sizeof(d) / sizeof(d[0])) {
			sha512_update(h, d, k * sizeof(d[0]));
			k = 0;
		}
	}
	d[k++] = acc;
	sha512_update(h, d, k * sizeof(d[0]));
	memzero(d, sizeof(d));
	if (elapsed_ns)
		*elapsed_ns = now_ns(CLOCK_MONOTONIC) - start;
	return n;
}

#if defined(__x86_64__) || defined(__i386__)
#if defined(__x86_64__)
typedef unsigned long long cpu_word;
#else
typedef unsigned int cpu_word;
#endif

/* One word from RDSEED (seed) or RDRAND; the carry flag says it is valid.
 * Both may run dry for a moment: a few tries, then give up. */
static int
x86_word(int seed, cpu_word *w)
{
	unsigned char ok = 0;
	int tries;

	for (tries = 0; tries < 10 && !ok; tries++) {
		if (seed)
			__asm__ __volatile__("rdseed %0; setc %1"
			    : "=r"(*w), "=qm"(ok) : : "cc");
		else
			__asm__ __volatile__("rdrand %0; setc %1"
			    : "=r"(*w), "=qm"(ok) : : "cc");
	}
	return ok;
}
#endif

/* See seed.h. */
size_t
seed_cpu(uint8_t *buf, size_t len)
{
	size_t n = 0;
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	int has_seed = 0, has_rand = 0;
	cpu_word w;

	if (__get_cpuid(1, &a, &b, &c, &d))
		has_rand = (c >> 30) & 1;
	if (__get_cpuid_max(0, NULL) >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d))
		has_seed = (b >> 18) & 1;
	if (!has_seed && !has_rand)
		return 0;
	while (n < len && x86_word(has_seed, &w)) {
		size_t k = len - n < sizeof(w) ? len - n : sizeof(w);

		memcpy(buf + n, &w, k);
		n += k;
	}
	memzero(&w, sizeof(w));
#elif defined(__aarch64__)
	uint64_t w;
	int ok;

	/* HWCAP2_RNG: FEAT_RNG, and a kernel that lets user space use it. */
	if (!(getauxval(AT_HWCAP2) & (1UL << 16)))
		return 0;
	while (n < len) {
		/* RNDR (s3_3_c2_c4_0): NZCV is 0100 when it has no value. */
		__asm__ __volatile__("mrs %0, s3_3_c2_c4_0\n\tcset %w1, ne"
		    : "=r"(w), "=r"(ok) : : "cc");
		if (!ok)
			break;
		memcpy(buf + n, &w, len - n < sizeof(w) ? len - n : sizeof(w));
		n += len - n < sizeof(w) ? len - n : sizeof(w);
	}
	memzero(&w, sizeof(w));
#else
	(void)buf;
	(void)len;
#endif
	return n;
}

/* getrandom without ever waiting. GRND_INSECURE (Linux 5.6) answers
 * whatever the crng's state; before it, GRND_NONBLOCK answers only when
 * the crng is ready, and then /dev/urandom, which on those kernels never
 * waits. (From 5.18 on, reading /dev/urandom before the crng is ready
 * first runs the kernel's jitter collection: a wait on the RNG being
 * seeded. GRND_INSECURE exists there, so it is never read.) */
static size_t
insecure_bytes(uint8_t *buf, size_t len)
{
	ssize_t n;
	int fd;

	n = getrandom(buf, len, GRND_INSECURE);
	if (n < 0 && errno == EINVAL) {
		n = getrandom(buf, len, GRND_NONBLOCK);
		if (n < 0) {
			fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
			n = fd >= 0 ? read(fd, buf, len) : -1;
			if (fd >= 0)
				close(fd);
		}
	}
	return n > 0 ? (size_t)n : 0;
}

/* See seed.h. */
void
seed_gather(seed_inputs *in)
{
	sha512_ctx h;
	long long ns;

	memset(in, 0, sizeof(*in));
	in->cycles_start = seed_cycles();
	in->insecure_len = insecure_bytes(in->insecure, sizeof(in->insecure));
	in->cpu_len = seed_cpu(in->cpu, sizeof(in->cpu));
	sha512_init(&h);
	in->jitter_samples = seed_jitter(&h, SEED_JITTER_SAMPLES, SEED_JITTER_NS, &ns);
	in->jitter_ns = (uint64_t)ns;
	sha512_final(&h, in->jitter);
	in->realtime = (uint64_t)now_ns(CLOCK_REALTIME);
	in->monotonic = (uint64_t)now_ns(CLOCK_MONOTONIC);
	in->boottime = (uint64_t)now_ns(CLOCK_BOOTTIME);
	in->pid = (uint64_t)getpid();
	in->stack = (uint64_t)(uintptr_t)&h;
	in->cycles_end = seed_cycles();
}

/* See seed.h. */
void
seed_mix(uint8_t out[SHA512_SIZE], const seed_inputs *in)
{
	static const char domain[] = "d20 v1 local randomness";
	sha512_ctx h;

	size_t ilen = in->insecure_len < sizeof(in->insecure) ?
	    in->insecure_len : sizeof(in->insecure);
	size_t clen = in->cpu_len < sizeof(in->cpu) ? in->cpu_len : sizeof(in->cpu);

	sha512_init(&h);
	sha512_update(&h, domain, sizeof(domain));	/* with its NUL */
	sha512_update_u64(&h, ilen);
	sha512_update(&h, in->insecure, ilen);
	sha512_update_u64(&h, clen);
	sha512_update(&h, in->cpu, clen);
	sha512_update_u64(&h, sizeof(in->jitter));
	sha512_update(&h, in->jitter, sizeof(in->jitter));
	sha512_update_u64(&h, in->jitter_samples);
	sha512_update_u64(&h, in->jitter_ns);
	sha512_update_u64(&h, in->realtime);
	sha512_update_u64(&h, in->monotonic);
	sha512_update_u64(&h, in->boottime);
	sha512_update_u64(&h, in->cycles_start);
	sha512_update_u64(&h, in->cycles_end);
	sha512_update_u64(&h, in->pid);
	sha512_update_u64(&h, in->stack);
	sha512_final(&h, out);
}
