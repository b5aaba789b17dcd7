/* SPDX-License-Identifier: MIT */
/* seed.h - d20's own randomness, for the challenges, the DNS query IDs and
 * above all the TLS ephemeral keys, at a time when the kernel's crng may
 * not be ready: sources that never block (getrandom with GRND_INSECURE,
 * clocks, the process id, the stack address), CPU timing jitter collected
 * for a bounded time, and the CPU's own generator where there is one. None
 * is trusted alone: all are hashed together. Every line of d20 that
 * depends on the CPU architecture is in seed.c. Nothing here prints,
 * exits, allocates or waits on the kernel's RNG. */
#ifndef D20_SEED_H
#define D20_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "sha512.h"

#define SEED_JITTER_SAMPLES 2048	/* timings taken at most... */
#define SEED_JITTER_NS 5000000LL	/* ...and for 5 ms at most, */
#define SEED_JITTER_MIN 16		/* but never fewer than this */
#define SEED_CPU_BYTES 32		/* asked of RDSEED/RDRAND/RNDR */
#define SEED_INSECURE_BYTES 64		/* asked of getrandom */

/* A counter that user space may read: x86 TSC, aarch64 CNTVCT_EL0, the
 * powerpc time base, the s390x TOD clock (STCKF), the riscv64 time CSR;
 * 0 where there is none (32-bit arm). */
uint64_t seed_cycles(void);

/* Time a small memory and ALU workload again and again with the finest
 * counter there is, hashing every timing (and the workload's result) into
 * h. Stops after max_samples timings or once max_ns nanoseconds of
 * CLOCK_MONOTONIC have passed, whichever comes first, but takes at least
 * SEED_JITTER_MIN (or max_samples if fewer) whatever the time: on a machine
 * so slow (an emulator, valgrind) that the first timing uses up the time,
 * a few timings are still worth more than none. Returns the timings
 * taken; *elapsed_ns (may be NULL) gets the time spent. The clock is read
 * every 8 timings where there is a cycle counter, so the time bound may
 * be passed by up to 8 timings. */
size_t seed_jitter(sha512_ctx *h, size_t max_samples, long long max_ns,
    long long *elapsed_ns);

/* Up to len bytes from the CPU's generator: RDSEED, else RDRAND, on x86
 * when CPUID has them; RNDR on aarch64 when the kernel's HWCAP2 says so.
 * Returns the bytes written to buf: 0 when the CPU has no generator, and
 * fewer than len when it stopped answering. */
size_t seed_cpu(uint8_t *buf, size_t len);

/* Everything that goes into d20's local randomness. */
typedef struct {
	uint8_t insecure[SEED_INSECURE_BYTES];	/* getrandom, never waiting */
	size_t insecure_len;
	uint8_t cpu[SEED_CPU_BYTES];		/* seed_cpu */
	size_t cpu_len;
	uint8_t jitter[SHA512_SIZE];		/* SHA-512 of the timings */
	uint64_t jitter_samples, jitter_ns;
	uint64_t realtime, monotonic, boottime;	/* clocks, nanoseconds */
	uint64_t cycles_start, cycles_end;	/* around the gathering */
	uint64_t pid, stack;			/* process id; an address (ASLR) */
} seed_inputs;

/* Fill in from every source, for at most SEED_JITTER_NS of jitter and a
 * few system calls that never block. */
void seed_gather(seed_inputs *in);

/* SHA-512 over every field of in, each with its length, under a domain
 * string: the same inputs always give the same out, and a change in any
 * one of them changes it. */
void seed_mix(uint8_t out[SHA512_SIZE], const seed_inputs *in);

#endif
