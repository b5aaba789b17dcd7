/* util.c - see util.h */
#include <errno.h>
#include <string.h>
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
