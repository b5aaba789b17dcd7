/* SPDX-License-Identifier: MIT */
/* sandbox_test.c - each seccomp profile, entered in a child: what the
 * profile allows still works, and each forbidden call (open, execve,
 * socket, fork) kills the child with SIGSYS before it returns. A filter
 * entered after another only narrows it. d20d's signer (SANDBOX_SIGN)
 * has a list of its own, narrower than every other: socket I/O only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "../sandbox.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__) || \
    defined(D20_SANDBOX_SANITIZER)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

enum act { ACT_NONE, ACT_OPEN, ACT_OPENAT, ACT_EXECVE, ACT_SOCKET, ACT_FORK, ACT_KILL, ACT_PRCTL,
	ACT_GETRANDOM, ACT_WRITE, ACT_ACCEPT, ACT_EPOLL };

/* In a child: enter p (and then p2 when it is not -1), make the calls the
 * profiles all allow, report them on fd, then try act. Exits 0 when act
 * returned (it should not have), 3 when the allowed calls failed, 4 when
 * entering failed. */
static void
child(int fd, int p, int p2, enum act act)
{
	struct timespec ts;
	char buf[8];
	int r = -1;

	if (sandbox_enter((enum sandbox_profile)p) < 0)
		_exit(4);
	if (p2 >= 0 && sandbox_enter((enum sandbox_profile)p2) < 0)
		_exit(4);
	if (p == SANDBOX_SIGN) {
		/* what the signer does: its epoll set made, a channel added,
		 * waited on, read (nothing waiting), answered, taken out */
		struct epoll_event ev = { EPOLLOUT, { 0 } };
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m;
		int ep = epoll_create1(EPOLL_CLOEXEC);

		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ||
		    epoll_wait(ep, &ev, 1, 1000) != 1 || recvmsg(fd, &m, MSG_DONTWAIT) != -1 ||
		    errno != EAGAIN || send(fd, "ok", 2, 0) != 2 ||
		    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) < 0 || close(ep) < 0)
			_exit(3);
	} else if (getpid() <= 0 || clock_gettime(CLOCK_MONOTONIC, &ts) < 0 ||
	    clock_gettime(CLOCK_REALTIME, &ts) < 0 ||
	    getrandom(buf, sizeof(buf), GRND_NONBLOCK | GRND_INSECURE) < 0 ||
	    alarm(5) > 5 || write(fd, "ok", 2) != 2)
		_exit(3);
	switch (act) {
	case ACT_NONE:
		_exit(0);
	case ACT_OPEN:
		r = open("/dev/null", O_RDONLY);
		break;
	case ACT_OPENAT:
		r = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		break;
	case ACT_EXECVE: {
		char *const argv[] = { "true", NULL };

		r = execve("/bin/true", argv, argv + 1);
		break;
	}
	case ACT_SOCKET:
		r = socket(AF_INET, SOCK_STREAM, 0);
		break;
	case ACT_FORK:
		r = (int)fork();
		break;
	case ACT_KILL:
		r = kill(getppid(), 0);
		break;
	case ACT_PRCTL:		/* any prctl but PR_SET_SECCOMP */
		r = prctl(PR_SET_NAME, "x", 0, 0, 0);
		break;
	case ACT_GETRANDOM:
		r = (int)getrandom(buf, sizeof(buf), GRND_NONBLOCK | GRND_INSECURE);
		break;
	case ACT_WRITE:
		r = (int)write(fd, "", 0);
		break;
	case ACT_ACCEPT:	/* not a listener: EINVAL, or the end */
		r = (int)syscall(SYS_accept4, fd, NULL, NULL, SOCK_CLOEXEC);
		break;
	case ACT_EPOLL: {	/* as the C library makes it; no set: EBADF */
		struct epoll_event ev;

		r = epoll_wait(-1, &ev, 1, 0);
		break;
	}
	}
	(void)r;
	_exit(0);
}

/* Run child() and say how it ended: the signal number, or 1000 + status. */
static int
run(int p, int p2, enum act act, int *said_ok)
{
	int pfd[2], status = 0;
	char buf[2] = { 0, 0 };
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child(pfd[1], p, p2, act);
	}
	close(pfd[1]);
	*said_ok = read(pfd[0], buf, 2) == 2 && memcmp(buf, "ok", 2) == 0;
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 1000 + WEXITSTATUS(status);
}

static const char *const pname[] = { "SANDBOX_SERVE", "SANDBOX_WORKER", "SANDBOX_RESOLVE",
	"SANDBOX_CONNECTED", "SANDBOX_SIGN" };
static const char *const aname[] = { "nothing", "open", "openat", "execve", "socket", "fork", "kill",
	"prctl(PR_SET_NAME)", "getrandom", "write", "accept4", "epoll_wait" };
typedef char names_agree[sizeof(pname) / sizeof(pname[0]) == SANDBOX_SIGN + 1 ? 1 : -1];

static void
expect(int p, int p2, enum act act, int want_sigsys)
{
	int said_ok = 0, how = run(p, p2, act, &said_ok);
	char what[96];

	snprintf(what, sizeof(what), "%s%s%s", pname[p], p2 >= 0 ? " then " : "",
	    p2 >= 0 ? pname[p2] : "");
	if (want_sigsys)
		test_ok(said_ok && how == SIGSYS, "%s: the allowed calls work, %s dies of "
		    "SIGSYS (ended with %d)", what, aname[act], how);
	else
		test_ok(said_ok && how == 1000, "%s: the allowed calls work, %s is allowed "
		    "(ended with %d)", what, aname[act], how);
}

int
main(void)
{
	int p;

	if (!test_ok(sandbox_arch() != 0, "this build knows its audit architecture (%#x)",
	    sandbox_arch()))
		return test_done();
	for (p = SANDBOX_SERVE; p <= SANDBOX_SIGN; p++) {
		expect(p, -1, ACT_NONE, 0);
		/* sanitizer builds let their runtime open /proc/self/maps */
		expect(p, -1, ACT_OPEN, !SANITIZED);
		expect(p, -1, ACT_OPENAT, !SANITIZED);
		expect(p, -1, ACT_EXECVE, 1);
		expect(p, -1, ACT_FORK, 1);
		expect(p, -1, ACT_KILL, 1);
		expect(p, -1, ACT_PRCTL, 1);
	}
	expect(SANDBOX_SERVE, -1, ACT_SOCKET, 1);
	expect(SANDBOX_WORKER, -1, ACT_SOCKET, 1);
	/* a worker of the pool accepts and waits on its epoll set; d20d -i
	 * has neither */
	expect(SANDBOX_WORKER, -1, ACT_ACCEPT, 0);
	expect(SANDBOX_WORKER, -1, ACT_EPOLL, 0);
	expect(SANDBOX_SERVE, -1, ACT_ACCEPT, 1);
	expect(SANDBOX_SERVE, -1, ACT_EPOLL, 1);
	expect(SANDBOX_CONNECTED, -1, ACT_ACCEPT, 1);
	expect(SANDBOX_CONNECTED, -1, ACT_SOCKET, 1);
	expect(SANDBOX_RESOLVE, -1, ACT_SOCKET, 0);
	expect(SANDBOX_SIGN, -1, ACT_SOCKET, 1);
	expect(SANDBOX_SIGN, -1, ACT_ACCEPT, 1);
	expect(SANDBOX_SIGN, -1, ACT_GETRANDOM, 1);
	expect(SANDBOX_SIGN, -1, ACT_WRITE, 1);
	expect(SANDBOX_SERVE, -1, ACT_GETRANDOM, 0);
	/* the second filter narrows the first: no socket once connected,
	 * and no third filter either */
	expect(SANDBOX_RESOLVE, SANDBOX_CONNECTED, ACT_SOCKET, 1);
	expect(SANDBOX_RESOLVE, SANDBOX_CONNECTED, ACT_NONE, 0);
	expect(SANDBOX_RESOLVE, SANDBOX_CONNECTED, ACT_PRCTL, 1);
	return test_done();
}
