/* SPDX-License-Identifier: MIT */
/* sandbox.c - seccomp-bpf allow-lists; see sandbox.h.
 *
 * Each filter checks the architecture first (a 32-bit call made from a
 * 64-bit process has other numbers, and x32 calls on x86_64 have a bit
 * set: both are killed), then allows the listed call numbers one by one
 * and kills the process on anything else. The lists name calls through
 * <sys/syscall.h>, so a call an architecture lacks (open on aarch64, poll
 * on riscv64) simply drops out and its replacement (ppoll) is listed too. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

/* From the kernel's ABI (<linux/filter.h>, <linux/seccomp.h>,
 * <linux/audit.h>), which musl's headers lack: classic BPF, the data a
 * filter reads (nr at offset 0, arch at 4), and what it may answer. */
struct sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};
#define BPF_LD_W_ABS 0x20	/* BPF_LD | BPF_W | BPF_ABS */
#define BPF_JEQ_K 0x15		/* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_JGE_K 0x35		/* BPF_JMP | BPF_JGE | BPF_K */
#define BPF_RET_K 0x06		/* BPF_RET | BPF_K */
#define SECCOMP_DATA_NR 0
#define SECCOMP_DATA_ARCH 4
#define SECCOMP_DATA_ARG0 (16 + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0))
#define SECCOMP_MODE_FILTER 2
#ifndef PR_SET_SECCOMP
#define PR_SET_SECCOMP 22
#endif
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#define SECCOMP_RET_ALLOW 0x7fff0000U
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
/* AUDIT_ARCH_*: the ELF machine, | 0x80000000 for 64-bit, | 0x40000000
 * for little-endian */
#define AUDIT_ARCH_X86_64 0xc000003eU
#define AUDIT_ARCH_I386 0x40000003U
#define AUDIT_ARCH_AARCH64 0xc00000b7U
#define AUDIT_ARCH_ARM 0x40000028U
#define AUDIT_ARCH_PPC64LE 0xc0000015U
#define AUDIT_ARCH_S390X 0x80000016U
#define AUDIT_ARCH_RISCV64 0xc00000f3U

#define STMT(code, k) { (code), 0, 0, (k) }
#define JUMP(code, k, jt, jf) { (code), (jt), (jf), (k) }

/* The one place that knows which architecture this build runs on. */
#if defined(__x86_64__) && defined(__ILP32__)
#define ARCH 0			/* x32: not a target */
#elif defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__) && !defined(__AARCH64EB__)
#define ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__) && !defined(__ARMEB__)
#define ARCH AUDIT_ARCH_ARM
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define ARCH AUDIT_ARCH_S390X
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH AUDIT_ARCH_RISCV64
#else
#define ARCH 0
#endif

/* A list ends with -1. */
#define END (-1)

/* Every sandboxed process: I/O on descriptors it already holds, clocks,
 * signals for the alarm, randomness, the end. */
static const long common[] = {
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_close,
#ifdef SYS_poll
	SYS_poll,
#endif
#ifdef SYS_ppoll
	SYS_ppoll,
#endif
#ifdef SYS_ppoll_time64
	SYS_ppoll_time64,
#endif
#ifdef SYS_clock_gettime
	SYS_clock_gettime,
#endif
#ifdef SYS_clock_gettime64
	SYS_clock_gettime64,
#endif
#ifdef SYS_gettimeofday
	SYS_gettimeofday,
#endif
#ifdef SYS_time
	SYS_time,
#endif
	SYS_getrandom,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn,
#ifdef SYS_sigreturn
	SYS_sigreturn,
#endif
	SYS_restart_syscall,
	SYS_setitimer,		/* musl's alarm() */
#ifdef SYS_alarm
	SYS_alarm,
#endif
	SYS_getpid, SYS_gettid,
#ifdef SYS_fcntl
	SYS_fcntl,
#endif
#ifdef SYS_fcntl64
	SYS_fcntl64,
#endif
	SYS_exit, SYS_exit_group,
	END
};

/* Every profile: the runtime of a sanitizer build, and nothing else. */
static const long sanitizer[] = {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__) || \
    defined(D20_SANDBOX_SANITIZER)
	/* sanitizer builds only: their runtime maps memory and, to report,
	 * reads /proc/self/maps; the shipped programs never allow these */
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_sigaltstack,
	SYS_sched_yield, SYS_prlimit64, SYS_openat, SYS_readlinkat, SYS_futex,
	SYS_rt_sigtimedwait,	/* valgrind's scheduler polls for signals */
#ifdef SYS_open
	SYS_open,
#endif
#ifdef SYS_readlink
	SYS_readlink,
#endif
#ifdef SYS_getrlimit
	SYS_getrlimit,
#endif
#endif
	END
};

/* A d20d worker or d20d -i: its peer's name for the log (-i),
 * TCP_NODELAY, the half-close before a lingering close, send() of log
 * lines on the /dev/log socket opened before the chroot, and recvmsg for
 * the signer's answers. */
static const long serve[] = {
	SYS_recvmsg, SYS_getpeername, SYS_setsockopt, SYS_shutdown, SYS_sendto,
	END
};

/* A worker of d20d's pool, besides: its connections, and the wait for
 * them on the epoll set it made before it entered the sandbox. */
static const long worker[] = {
	SYS_accept4,
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
	SYS_epoll_pwait,
	END
};

/* A d20 child while it resolves and connects: UDP to the name servers,
 * a non-blocking TCP connect and its result. */
static const long resolve[] = {
	SYS_socket, SYS_connect, SYS_getsockopt, SYS_setsockopt, SYS_getsockname,
	SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_shutdown,
	SYS_lseek,		/* to reread /etc/hosts, opened before */
#ifdef SYS__llseek
	SYS__llseek,
#endif
	END
};

/* d20d's signer: the requests on each worker's channel and the channels
 * handed over on its control socket (recvmsg), its answers (send), the
 * wait for them (its epoll set, made and kept by itself), a finished
 * channel's close, its end. Its key is used by pure computation: ECDSA in
 * BearSSL is deterministic (RFC 6979) and RSA signing needs no
 * randomness, so not even getrandom. */
static const long sign[] = {
	SYS_recvmsg, SYS_sendto, SYS_close,
	SYS_epoll_create1, SYS_epoll_ctl,
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
	SYS_epoll_pwait,
	SYS_restart_syscall,	/* a wait restarted after SIGSTOP/SIGCONT */
	SYS_exit, SYS_exit_group,
	END
};

static const long connected[] = {
	SYS_sendto, SYS_recvfrom, SYS_shutdown,
	SYS_setsockopt,		/* TCP_NODELAY around the TLS handshake */
	END
};

static int entered;	/* a filter is in place: no_new_privs is set */

unsigned
sandbox_arch(void)
{
	return ARCH;
}

/* Two instructions a call: if nr == k then allow. */
static size_t
add_list(struct sock_filter *f, size_t n, const long *list)
{
	size_t i;

	for (i = 0; list[i] != END; i++) {
		struct sock_filter eq = JUMP(BPF_JEQ_K, (uint32_t)list[i], 0, 1);
		struct sock_filter ok = STMT(BPF_RET_K, SECCOMP_RET_ALLOW);

		f[n++] = eq;
		f[n++] = ok;
	}
	return n;
}

int
sandbox_enter(enum sandbox_profile p)
{
	/* the longest program: header, two lists, the final kill */
	struct sock_filter f[16 + 2 * (sizeof(sanitizer) / sizeof(sanitizer[0]) +
	    sizeof(common) / sizeof(common[0]) + sizeof(resolve) / sizeof(resolve[0]))];
	const struct sock_filter head[] = {
		STMT(BPF_LD_W_ABS, SECCOMP_DATA_ARCH),
		JUMP(BPF_JEQ_K, ARCH, 1, 0),
		STMT(BPF_RET_K, SECCOMP_RET_KILL_PROCESS),
		STMT(BPF_LD_W_ABS, SECCOMP_DATA_NR),
#if defined(__x86_64__)
		/* x32 numbers carry bit 30 on the same architecture value */
		JUMP(BPF_JGE_K, 0x40000000U, 0, 1),
		STMT(BPF_RET_K, SECCOMP_RET_KILL_PROCESS),
#endif
	};
	const struct sock_filter kill = STMT(BPF_RET_K, SECCOMP_RET_KILL_PROCESS);
	struct sock_fprog prog;
	size_t i, n = 0;

	if (ARCH == 0) {
		errno = ENOSYS;
		return -1;
	}
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		f[n++] = head[i];
	n = add_list(f, n, sanitizer);
	if (p != SANDBOX_SIGN)
		n = add_list(f, n, common);
	if (p == SANDBOX_SIGN)
		n = add_list(f, n, sign);
	else if (p == SANDBOX_SERVE)
		n = add_list(f, n, serve);
	else if (p == SANDBOX_WORKER) {
		n = add_list(f, n, serve);
		n = add_list(f, n, worker);
	} else if (p == SANDBOX_RESOLVE) {
		n = add_list(f, n, resolve);
		/* prctl(PR_SET_SECCOMP, ...) only, to enter SANDBOX_CONNECTED;
		 * last, since it loads an argument over the call number */
		f[n++] = (struct sock_filter)JUMP(BPF_JEQ_K, SYS_prctl, 0, 3);
		f[n++] = (struct sock_filter)STMT(BPF_LD_W_ABS, SECCOMP_DATA_ARG0);
		f[n++] = (struct sock_filter)JUMP(BPF_JEQ_K, PR_SET_SECCOMP, 0, 1);
		f[n++] = (struct sock_filter)STMT(BPF_RET_K, SECCOMP_RET_ALLOW);
	} else
		n = add_list(f, n, connected);
	f[n++] = kill;
	prog.len = (unsigned short)n;
	prog.filter = f;
	/* the first filter needs no_new_privs; a later one is one more
	 * prctl, which SANDBOX_RESOLVE allows for PR_SET_SECCOMP alone (a
	 * filter can only be added, never lifted). prctl rather than
	 * seccomp(2): valgrind knows the one and not the other. */
#ifdef D20_SANDBOX_EMULATED
	/* Test builds for qemu-user only (make check-arch): the program is
	 * built for this CPU, but qemu refuses PR_SET_SECCOMP, since the
	 * filter would judge its own host calls. */
	return 0;
#endif
	if (!entered && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -1;
	entered = 1;
	return 0;
}

#ifdef D20_SANDBOX_PROBE
/* See sandbox.h. */
void
sandbox_probe(const char *path)
{
	char *const argv[] = { "sh", NULL };

	if (strcmp(path, "/sandbox-probe/open") == 0)
		(void)!open("/etc/passwd", O_RDONLY);
	else if (strcmp(path, "/sandbox-probe/execve") == 0)
		(void)!execve("/bin/sh", argv, argv + 1);
	else if (strcmp(path, "/sandbox-probe/socket") == 0)
		(void)!socket(AF_INET, SOCK_STREAM, 0);
}
#endif
