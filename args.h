/* SPDX-License-Identifier: MIT */
/* args.h - the command line of d20 and d20d: short options (grouped as
 * -vq, argument attached as -fFILE or next), long options (--name,
 * --name=VALUE, --name VALUE), "--" and operands anywhere. getopt_long
 * without its size, its globals or argv permutation. */
#ifndef D20_ARGS_H
#define D20_ARGS_H

#include <stddef.h>

struct arg_opt {
	int code;		/* given to set(); for a short option, its letter */
	int arg;		/* 1: takes an argument */
	const char *name;	/* long name, or NULL */
};

/* For each option in argv[1..argc), in order: set(code, argument or NULL);
 * for each operand: set(0, operand). Only the codes in shorts are also
 * one-letter options. On an unknown option, or an argument missing or
 * not wanted: bad(what was wrong, the word), which must not return. */
void args_parse(int argc, char *argv[], const struct arg_opt *opts, size_t n,
    const char *shorts, void (*set)(int code, const char *val),
    void (*bad)(const char *what, const char *arg));

#endif
