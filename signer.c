/* SPDX-License-Identifier: MIT */
/* signer.c - see signer.h.
 *
 * Every message is one SOCK_SEQPACKET record of a fixed size, so a read
 * never splits or joins two of them, and anything of another size (or
 * cut short, MSG_TRUNC) is not a request. The signer reads with recvmsg
 * and answers with send, the two socket calls its sandbox allows
 * (sandbox.c, SANDBOX_SIGN); a worker writes with send and reads with
 * read, which its own sandbox already allows. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "signer.h"
#include "util.h"

/* ---- a worker's side ---- */

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* See signer.h. */
long
signer_ask(int fd, unsigned hash_id, const uint8_t *hash, size_t hash_len,
    uint8_t *sig, size_t max, int wait_ms)
{
	static uint32_t next_id;
	struct signer_request req;
	struct signer_reply rep;
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec t0;
	ssize_t n;
	long left;
	int tries;

	if (hash_len > SIGNER_HASH_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.id = ++next_id;
	req.hash_id = (uint8_t)hash_id;
	req.hash_len = (uint8_t)hash_len;
	memcpy(req.hash, hash, hash_len);
	n = send(fd, &req, sizeof(req), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n != (ssize_t)sizeof(req)) {
		if (n >= 0 || errno == ECONNRESET || errno == ENOTCONN)
			errno = EPIPE;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* answers to earlier requests that timed out may come first: a
	 * few are skipped, and the wait stays bounded as a whole */
	for (tries = 0; tries < 8; tries++) {
		left = wait_ms - ms_since(&t0);
		if (left <= 0 || (n = poll(&p, 1, (int)left)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (n < 0)
			return -1;
		n = read(fd, &rep, sizeof(rep));
		if (n < 0 && errno == EINTR)
			return -1;
		if (n <= 0) {
			errno = EPIPE;
			return -1;
		}
		if (n != (ssize_t)sizeof(rep) || rep.id != req.id)
			continue;
		if (rep.len == 0 || rep.len > max || rep.len > SIGNER_SIG_MAX)
			break;
		memcpy(sig, rep.sig, rep.len);
		return (long)rep.len;
	}
	errno = EPROTO;
	return -1;
}

/* ---- the signer's side ----
 *
 * It waits on an epoll set: with a channel for each of up to thousands of
 * workers, a poll over all of them cost the kernel a visit to every one
 * for each signature. A channel leaves the set (EPOLL_CTL_DEL) before its
 * descriptor is closed: the set holds the channel's socket, not the
 * number, and another process still holding that socket (a worker being
 * forked, say) would keep it in the set after the close. */

#define SIGNER_EVENTS 64	/* ready channels taken per wait */

/* Answer the one request waiting on fd, if it is one. Returns -1 when
 * the channel is finished (closed, or broken). */
static int
answer(int fd, signer_sign_fn sign)
{
	struct signer_request req;
	struct signer_reply rep;
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr m;
	ssize_t n;

	/* no room for control data: descriptors a worker sends are
	 * discarded by the kernel, never received here */
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	n = recvmsg(fd, &m, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	if (n != (ssize_t)sizeof(req) || (m.msg_flags & MSG_TRUNC))
		return 0;
	memset(&rep, 0, sizeof(rep));
	rep.id = req.id;
	if (req.hash_len <= SIGNER_HASH_MAX)
		rep.len = (uint16_t)sign(req.hash_id, req.hash, req.hash_len, rep.sig);
	/* a worker that does not read its answers loses them; the signer
	 * never waits for one */
	(void)send(fd, &rep, sizeof(rep), MSG_NOSIGNAL | MSG_DONTWAIT);
	return 0;
}

/* One message on the control socket: a channel handed over (one byte
 * and a descriptor), or a request (-i, where it is the only channel).
 * Returns 1 when there may be more, 0 when there is none now, -1 when
 * the parent has closed it. */
static int
control_one(int ctl, int ep, size_t *n, signer_sign_fn sign)
{
	union {
		struct signer_request req;
		char c;
	} u;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &u, sizeof(u) };
	struct epoll_event ev;
	struct msghdr m;
	struct cmsghdr *cm;
	ssize_t len;
	int fd = -1;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	/* MSG_PEEK: a request is read again, whole, by answer(); without
	 * room for control data, as a peek would install copies of any
	 * descriptor */
	len = recvmsg(ctl, &m, MSG_DONTWAIT | MSG_PEEK);
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (len == 0)
		return -1;
	if (len == (ssize_t)sizeof(u.req))
		return answer(ctl, sign);	/* one request a round, as for any channel */
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	len = recvmsg(ctl, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	cm = len == 1 ? CMSG_FIRSTHDR(&m) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	if (fd < 0)
		return len < 0 && errno != EAGAIN ? -1 : 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (*n < D20D_SIGNER_CHANNELS && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0)
		(*n)++;
	else
		close(fd);	/* full: that worker's handshakes fail at once */
	return 1;
}

/* Every channel handed over since the last round (a burst of new
 * workers must not wait a round each, nor fill the parent's socket), and
 * a request. Returns -1 when the parent has closed the socket. */
static int
control(int ctl, int ep, size_t *n, signer_sign_fn sign)
{
	size_t k;
	int r = 1;

	for (k = 0; r == 1 && k < D20D_SIGNER_CHANNELS; k++)
		r = control_one(ctl, ep, n, sign);
	return r < 0 ? -1 : 0;
}

/* A channel, or the control socket, out of the set and closed. */
static void
drop(int ep, int fd)
{
	(void)epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

/* See signer.h. */
int
signer_serve(int ctl, signer_sign_fn sign)
{
	struct epoll_event ev[SIGNER_EVENTS];
	size_t n = 0;		/* channels in the set, ctl apart */
	int ep, k, got, fd;

	ep = epoll_create1(EPOLL_CLOEXEC);
	memset(ev, 0, sizeof(ev));
	ev[0].events = EPOLLIN;
	ev[0].data.fd = ctl;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &ev[0]) < 0)
		return -1;
	/* each wait takes what is ready, and each ready channel gets one
	 * request answered: no worker can keep the others waiting */
	while (ctl >= 0 || n > 0) {
		got = epoll_wait(ep, ev, SIGNER_EVENTS, -1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			close(ep);
			return -1;
		}
		for (k = 0; k < got; k++) {
			fd = ev[k].data.fd;
			if (fd == ctl) {
				if (control(ctl, ep, &n, sign) < 0) {
					drop(ep, ctl);
					ctl = -1;
				}
			} else if (answer(fd, sign) < 0) {
				drop(ep, fd);
				n--;
			}
		}
	}
	close(ep);
	return 0;
}

/* See signer.h. */
int
signer_give(int ctl, int fd)
{
	static const char one = 'c';

	return fd_send(ctl, fd, &one, 1);
}

/* See signer.h. */
int
signer_hello_send(int ctl, int ok, const char *reason)
{
	struct signer_hello h;
	size_t len = reason ? strlen(reason) : 0;

	memset(&h, 0, sizeof(h));
	h.ok = ok ? 1 : 0;
	if (len >= sizeof(h.reason))
		len = sizeof(h.reason) - 1;
	memcpy(h.reason, reason ? reason : "", len);
	return send(ctl, &h, sizeof(h), MSG_NOSIGNAL) == (ssize_t)sizeof(h) ? 0 : -1;
}

/* See signer.h. */
int
signer_hello_wait(int ctl, int wait_ms, char reason[SIGNER_REASON_MAX])
{
	struct signer_hello h;
	struct pollfd p = { ctl, POLLIN, 0 };
	struct timespec t0;
	ssize_t n = -1;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* signals (SIGCHLD, SIGHUP) may cut the wait: go on until the end */
	while ((left = wait_ms - ms_since(&t0)) > 0) {
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			n = recv(ctl, &h, sizeof(h), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		break;
	}
	strcpy(reason, "the signer did not start in time");
	if (n == 0)
		strcpy(reason, "the signer exited before it was ready");
	if (n != (ssize_t)sizeof(h))
		return -1;
	if (h.ok)
		return 0;
	h.reason[sizeof(h.reason) - 1] = '\0';
	memcpy(reason, h.reason, sizeof(h.reason));
	return -1;
}
