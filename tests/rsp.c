/* SPDX-License-Identifier: MIT */
/* rsp.c - see rsp.h */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "rsp.h"
#include "../util.h"

int
rsp_open(rsp_file *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->f = fopen(path, "r");
	return r->f ? 0 : -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '*')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
	    e[-1] == '\t'))
		*--e = '\0';
	return s;
}

int
rsp_next(rsp_file *r, const char **key, const char **value)
{
	char *s, *eq, *e;

	while (getline(&r->line, &r->cap, r->f) > 0) {
		r->lineno++;
		s = trim(r->line);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			e = strchr(s, ']');
			if (e)
				*e = '\0';
			*key = "[";
			*value = s + 1;
			return 1;
		}
		eq = strchr(s, '=');
		if (!eq) {
			*key = s;
			*value = "";
			return 1;
		}
		*eq = '\0';
		*key = trim(s);
		*value = trim(eq + 1);
		return 1;
	}
	return 0;
}

void
rsp_close(rsp_file *r)
{
	if (r->f)
		fclose(r->f);
	free(r->line);
	memset(r, 0, sizeof(*r));
}

uint8_t *
rsp_hex(const char *value, size_t *len)
{
	size_t n = strlen(value);
	uint8_t *buf = malloc(n / 2 + 1);
	long got;

	if (!buf)
		return NULL;
	got = hex_decode(buf, n / 2 + 1, value, n);
	if (got < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)got;
	return buf;
}

const char *
rsp_cavs(char *buf, size_t n, const char *rel)
{
	const char *dir = getenv("D20_CAVS");

	snprintf(buf, n, "%s/%s", dir && *dir ? dir :
	    "/usr/lib/python3/dist-packages/cryptography_vectors", rel);
	return buf;
}
