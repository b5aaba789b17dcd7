/* SPDX-License-Identifier: MIT */
/* util.c - see util.h */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

void
hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
hex_decode(uint8_t *out, size_t outmax, const char *hex, size_t hexlen)
{
	size_t i;
	int hi, lo;

	if (hexlen % 2 != 0 || hexlen / 2 > outmax)
		return -1;
	for (i = 0; i < hexlen / 2; i++) {
		hi = hex_digit((unsigned char)hex[2 * i]);
		lo = hex_digit((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(hexlen / 2);
}

int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
eq_nocase(const void *s, size_t n, const char *w)
{
	const uint8_t *p = s;
	size_t i;

	if (n != strlen(w))
		return 0;
	for (i = 0; i < n; i++)
		if (ascii_lower(p[i]) != w[i])
			return 0;
	return 1;
}

void
memzero(void *p, size_t len)
{
	memset(p, 0, len);
	/* The empty asm with p as input makes the stores observable. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

int
ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return (int)(1 & (((unsigned)d - 1) >> 8));
}

ssize_t
read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, p + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

size_t
vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	char num[24], *p;
	const char *s;
	size_t n = 0, len;
	unsigned long u;
	int prec, neg;

	for (; *f && n + 1 < size; f++) {
		s = f;
		len = 1;
		if (*f == '%' && f[1]) {
			prec = -1;
			neg = 0;
			if (*++f == '.' && f[1] == '*') {
				prec = va_arg(ap, int);
				f += 2;
			}
			switch (*f) {
			case 's':
				s = va_arg(ap, const char *);
				len = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
				break;
			case 'c':
				num[0] = (char)va_arg(ap, int);
				s = num;
				break;
			case 'd':
				u = (unsigned long)(long)va_arg(ap, int);
				neg = (long)u < 0;
				goto decimal;
			case 'u':
				u = va_arg(ap, unsigned);
				goto decimal;
			case 'z':
				f += f[1] == 'u';
				u = va_arg(ap, size_t);
				goto decimal;
			case 'l':
				if (f[1] == 'd') {
					u = (unsigned long)va_arg(ap, long);
					neg = (long)u < 0;
				} else {
					u = va_arg(ap, unsigned long);
				}
				f += f[1] == 'd' || f[1] == 'u';
			decimal:
				if (neg)
					u = 0 - u;
				p = num + sizeof(num);
				do
					*--p = (char)('0' + u % 10);
				while (u /= 10);
				if (neg)
					*--p = '-';
				s = p;
				len = (size_t)(num + sizeof(num) - p);
				break;
			}
		}
		if (len > size - 1 - n)
			len = size - 1 - n;
		memcpy(buf + n, s, len);
		n += len;
	}
	buf[n] = '\0';
	return n;
}

size_t
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = vfmt(buf, size, f, ap);
	va_end(ap);
	return n;
}

int
parse_long(const char *s, long lo, long hi, long *out)
{
	const char *p = s;
	long v = 0;

	/* hi < LONG_MAX / 10, so v cannot overflow before the check */
	for (; *p >= '0' && *p <= '9' && v <= hi; p++)
		v = v * 10 + (*p - '0');
	if (p == s || *p || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Howard Hinnant's days-from-civil and its inverse. */
long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
two(char *out, unsigned v)
{
	out[0] = (char)('0' + v / 10 % 10);
	out[1] = (char)('0' + v % 10);
}

void
utc_format(char out[20], long long t)
{
	long long z = t / 86400 + 719468, era, doe, yoe, doy, mp, y;
	unsigned secs = (unsigned)(t % 86400), d, m;

	era = z / 146097;	/* t >= 0, so z > 0 */
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	two(out, (unsigned)(y / 100));
	two(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, d);
	out[10] = 'T';
	two(out + 11, secs / 3600);
	out[13] = ':';
	two(out + 14, secs / 60 % 60);
	out[16] = ':';
	two(out + 17, secs % 60);
	out[19] = '\0';
}

static char *
put_decimal(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

void
ip_format(char out[IP_TEXT_MAX], int af, const void *addr)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *a = addr;
	unsigned g[8], v;
	int i, k, run = 0, best = 0, at = -1, shift;
	char *p = out;

	if (af != AF_INET6) {
		for (i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_decimal(p, a[i]);
		}
		*p = '\0';
		return;
	}
	for (i = 0; i < 8; i++) {
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		run = g[i] ? 0 : run + 1;
		if (run > best) {
			best = run;
			at = i + 1 - run;
		}
	}
	if (best < 2)
		at = -1;
	for (i = 0; i < 8; i++) {
		if (i == at) {
			*p++ = ':';
			*p++ = ':';
			i += best - 1;
			continue;
		}
		if (i && i != at + best)
			*p++ = ':';
		v = g[i];
		for (k = 0, shift = 12; shift >= 0; shift -= 4)
			if ((v >> shift & 15) || k || !shift) {
				*p++ = digits[v >> shift & 15];
				k = 1;
			}
	}
	*p = '\0';
}

/* Dotted decimal, exactly four parts of 0-255 without leading zeros, up to
 * the end of s; 0 or -1. */
static int
ip4_parse(const char *s, uint8_t out[4])
{
	unsigned v;
	int i, k;

	for (i = 0; i < 4; i++) {
		for (v = 0, k = 0; k < 3 && s[k] >= '0' && s[k] <= '9'; k++)
			v = v * 10 + (unsigned)(s[k] - '0');
		if (k == 0 || (k > 1 && *s == '0') || v > 255)
			return -1;
		out[i] = (uint8_t)v;
		s += k;
		if (*s++ != (i < 3 ? '.' : '\0'))
			return -1;
	}
	return 0;
}

int
ip_parse(int af, const char *s, void *addr)
{
	uint8_t *out = addr, tail[4];
	unsigned g[8], v;
	int n = 0, gap = -1, i, d;
	const char *e;

	if (af != AF_INET6)
		return ip4_parse(s, out);
	if (*s == ':' && *++s != ':')
		return -1;
	for (;;) {
		if (*s == ':') {		/* the "::" */
			if (gap >= 0)
				return -1;
			gap = n;
			if (!*++s)
				break;
		}
		if (n == 8)
			return -1;
		for (e = s; *e && *e != ':' && *e != '.'; e++)
			;
		if (*e == '.') {		/* the last 32 bits as IPv4 */
			if (n > 6 || ip4_parse(s, tail) < 0)
				return -1;
			g[n++] = (unsigned)tail[0] << 8 | tail[1];
			g[n++] = (unsigned)tail[2] << 8 | tail[3];
			break;
		}
		for (v = 0, i = 0; i < 4 && (d = hex_digit(ascii_lower(s[i]))) >= 0; i++)
			v = v << 4 | (unsigned)d;
		if (i == 0)
			return -1;
		g[n++] = v;
		s += i;
		if (!*s)
			break;
		if (*s++ != ':' || !*s)
			return -1;
	}
	if (gap < 0 ? n != 8 : n == 8)
		return -1;
	for (i = 0, d = 0; i < 8; i++) {
		v = gap >= 0 && i >= gap && i < gap + 8 - n ? 0 : g[d++];
		out[2 * i] = (uint8_t)(v >> 8);
		out[2 * i + 1] = (uint8_t)v;
	}
	return 0;
}

/* The errors d20 and d20d can meet, and libc's words for them (musl's),
 * in the same order: strerror's table of every errno is 2 KiB. */
static const unsigned char err_num[] = {
	EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, EBADF, ECHILD, EAGAIN,
	ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR,
	EINVAL, ENFILE, EMFILE, ENOTTY, ETXTBSY, EFBIG, ENOSPC, ESPIPE, EROFS,
	EMLINK, EPIPE, ERANGE, ENAMETOOLONG, ENOSYS, ELOOP, EPROTO, ENOTSOCK,
	EMSGSIZE, EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE,
	EADDRNOTAVAIL, ENETDOWN, ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS,
	ENOTCONN, ETIMEDOUT, ECONNREFUSED, EHOSTUNREACH, EINPROGRESS, EDQUOT,
};
static const char err_text[] =
	"Operation not permitted\0No such file or directory\0No such process\0"
	"Interrupted system call\0I/O error\0No such device or address\0"
	"Argument list too long\0Bad file descriptor\0No child process\0"
	"Resource temporarily unavailable\0Out of memory\0Permission denied\0"
	"Bad address\0Resource busy\0File exists\0Cross-device link\0"
	"No such device\0Not a directory\0Is a directory\0Invalid argument\0"
	"Too many open files in system\0No file descriptors available\0"
	"Not a tty\0Text file busy\0File too large\0No space left on device\0"
	"Invalid seek\0Read-only file system\0Too many links\0Broken pipe\0"
	"Result not representable\0Filename too long\0"
	"Function not implemented\0Symbolic link loop\0Protocol error\0"
	"Not a socket\0Message too large\0Protocol not supported\0"
	"Not supported\0Address family not supported by protocol\0"
	"Address in use\0Address not available\0Network is down\0"
	"Network unreachable\0Connection aborted\0Connection reset by peer\0"
	"No buffer space available\0Socket not connected\0"
	"Operation timed out\0Connection refused\0Host is unreachable\0"
	"Operation in progress\0Quota exceeded";

const char *
err_str(int e)
{
	static char other[20];
	const char *s = err_text;
	size_t i;

	for (i = 0; i < sizeof(err_num); i++, s += strlen(s) + 1)
		if (err_num[i] == e)
			return s;
	fmt(other, sizeof(other), "error %d", e);
	return other;
}

/* 32-bit x86 and arm keep the 16-bit-id calls under the old names. */
#ifdef SYS_setresuid32
#define ID_SETGROUPS SYS_setgroups32
#define ID_SETRESGID SYS_setresgid32
#define ID_SETRESUID SYS_setresuid32
#else
#define ID_SETGROUPS SYS_setgroups
#define ID_SETRESGID SYS_setresgid
#define ID_SETRESUID SYS_setresuid
#endif

/* See util.h. */
int
ids_set(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups)
{
	if (syscall(ID_SETGROUPS, ngroups, groups) < 0 ||
	    syscall(ID_SETRESGID, gid, gid, gid) < 0 ||
	    syscall(ID_SETRESUID, uid, uid, uid) < 0)
		return -1;
	return 0;
}

/* See util.h. */
int
uid0_regained(void)
{
	return syscall(ID_SETRESUID, 0, 0, 0) == 0;
}

/* See util.h. */
int
fd_send(int sock, int fd, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)(uintptr_t)data, len };
	struct msghdr m;
	struct cmsghdr *cm;

	memset(&m, 0, sizeof(m));
	memset(cbuf, 0, sizeof(cbuf));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}
