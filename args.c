/* SPDX-License-Identifier: MIT */
/* args.c - see args.h */
#include <string.h>

#include "args.h"

static const struct arg_opt *
find_long(const struct arg_opt *o, size_t n, const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (o[k].name && strlen(o[k].name) == len &&
		    !memcmp(o[k].name, name, len))
			return &o[k];
	return NULL;
}

static const struct arg_opt *
find_short(const struct arg_opt *o, size_t n, const char *shorts, int c)
{
	size_t k;

	if (!strchr(shorts, c))
		return NULL;
	for (k = 0; k < n; k++)
		if (o[k].code == c)
			return &o[k];
	return NULL;
}

void
args_parse(int argc, char *argv[], const struct arg_opt *opts, size_t n,
    const char *shorts, void (*set)(int code, const char *val),
    void (*bad)(const char *what, const char *arg))
{
	const struct arg_opt *o;
	const char *a, *p, *val;
	size_t len;
	int i, operands_only = 0;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			set(0, a);
		} else if (!strcmp(a, "--")) {
			operands_only = 1;
		} else if (a[1] == '-') {
			len = strcspn(a + 2, "=");
			if ((o = find_long(opts, n, a + 2, len)) == NULL)
				bad("unknown option", a);
			val = a[2 + len] == '=' ? a + 3 + len : NULL;
			if (val && !o->arg)
				bad("takes no argument", a);
			if (o->arg && !val && (val = argv[++i]) == NULL)
				bad("needs an argument", a);
			set(o->code, val);
		} else {
			for (p = a + 1; *p; p++) {
				if ((o = find_short(opts, n, shorts, *p)) == NULL)
					bad("unknown option", a);
				if (!o->arg) {
					set(o->code, NULL);
					continue;
				}
				if ((val = p[1] ? p + 1 : argv[++i]) == NULL)
					bad("needs an argument", a);
				set(o->code, val);
				break;
			}
		}
	}
}
