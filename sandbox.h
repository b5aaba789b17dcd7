/* SPDX-License-Identifier: MIT */
/* sandbox.h - seccomp-bpf allow-lists for the processes that parse
 * untrusted bytes. A call outside a process's list kills it with SIGSYS;
 * a filter, once entered, is never lifted, and entering a second one only
 * narrows what the first allowed. */
#ifndef D20_SANDBOX_H
#define D20_SANDBOX_H

enum sandbox_profile {
	/* a d20d worker or d20d -i after chroot and the privilege drop:
	 * I/O on the sockets it holds or is handed, clocks, the alarm,
	 * getrandom, exit; no open, no socket, no exec, no fork */
	SANDBOX_SERVE,
	/* a d20d worker of the pool: the same, plus accept4 on the
	 * listeners it holds and the wait on its epoll set, made before */
	SANDBOX_WORKER,
	/* a d20 per-server child before its connection is up: the same,
	 * plus UDP and TCP sockets for DNS and the connect, and lseek on the
	 * files it opened before */
	SANDBOX_RESOLVE,
	/* a d20 per-server child once connected: I/O on what it holds */
	SANDBOX_CONNECTED,
	/* d20d's signer, which holds the TLS key: recvmsg and send on the
	 * sockets it holds or is handed, poll, close, exit; nothing else,
	 * not even the clocks, signals or getrandom of the others */
	SANDBOX_SIGN
};

/* Sets no_new_privs and installs the profile's filter for this process
 * (and what it forks). Returns 0, or -1 with errno set: the caller must
 * then not go on to read untrusted bytes. */
int sandbox_enter(enum sandbox_profile p);

/* The audit architecture the filters check (AUDIT_ARCH_...), 0 where the
 * build knows none: then sandbox_enter fails with ENOSYS. */
unsigned sandbox_arch(void);

/* Builds with D20_SANDBOX_EMULATED (make check-arch's, run by qemu-user,
 * which refuses seccomp filters) enter no filter: never shipped. */

#ifdef D20_SANDBOX_PROBE
/* Test builds only (tests/server_sandbox.sh, tests/client_sandbox.sh):
 * for a path /sandbox-probe/open, /execve or /socket, attempt that call,
 * which a sandboxed process must not survive; any other path: nothing. */
void sandbox_probe(const char *path);
#endif

#endif
