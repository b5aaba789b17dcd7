/* SPDX-License-Identifier: MIT */
/* args_test.c - the command-line parser: each case is an argv and the
 * calls it must make, written as "code=value" words, or the error. */
#include <setjmp.h>

#include "test.h"
#include "../args.h"

static const struct arg_opt opts[] = {
	{ 'v', 0, "verbose" }, { 'f', 1, "file" }, { 'q', 0, NULL },
	{ 'T', 1, "timeout" }, { 'I', 0, "insecure" }, { 'o', 1, NULL },
};

static char got[512];
static jmp_buf bail;

static void
set(int code, const char *val)
{
	size_t n = strlen(got);

	snprintf(got + n, sizeof(got) - n, "%s%c=%s", n ? " " : "",
	    code ? code : '_', val ? val : "");
}

static void
bad(const char *what, const char *arg)
{
	size_t n = strlen(got);

	snprintf(got + n, sizeof(got) - n, "%sERROR %s: %s", n ? " " : "", what, arg);
	longjmp(bail, 1);
}

static void
parse(int argc, char *argv[])
{
	got[0] = '\0';
	if (setjmp(bail) == 0)
		args_parse(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
		    "vfqo", set, bad);
}

static int
run(const char *want, ...)
{
	char *argv[16];
	va_list ap;
	int argc = 0;

	argv[argc++] = "prog";
	va_start(ap, want);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	parse(argc, argv);
	if (strcmp(got, want) != 0) {
		test_note("got \"%s\", want \"%s\"", got, want);
		return 0;
	}
	return 1;
}

int
main(void)
{
	int ok = 1;

	ok &= run("", (char *)NULL);
	ok &= run("v= q= f=x", "-vq", "-fx", (char *)NULL);
	ok &= run("v= f=x q=", "-vfx", "-q", (char *)NULL);
	ok &= run("f=x _=op", "-f", "x", "op", (char *)NULL);
	ok &= run("f=-v", "-f", "-v", (char *)NULL);
	test_ok(ok, "args: grouped flags, attached and separate arguments, "
	    "an argument that looks like an option");

	ok = 1;
	ok &= run("f=a T=5 I= T=", "--file=a", "--timeout", "5", "--insecure",
	    "--timeout=", (char *)NULL);
	ok &= run("_=a v= _=- _=b", "a", "--verbose", "-", "b", (char *)NULL);
	ok &= run("v= _=-q _=--file", "-v", "--", "-q", "--file", (char *)NULL);
	test_ok(ok, "args: long options with = and with the next word, an empty "
	    "value, operands anywhere, \"-\" as an operand, \"--\"");

	ok = 1;
	ok &= run("ERROR unknown option: --nope", "--nope", (char *)NULL);
	ok &= run("ERROR unknown option: --verb", "--verb", (char *)NULL);
	ok &= run("v= ERROR unknown option: -vx", "-vx", (char *)NULL);
	ok &= run("ERROR unknown option: -T", "-T", "5", (char *)NULL);
	ok &= run("ERROR unknown option: -I", "-I", (char *)NULL);
	ok &= run("ERROR needs an argument: -f", "-f", (char *)NULL);
	ok &= run("ERROR needs an argument: --file", "--file", (char *)NULL);
	ok &= run("ERROR takes no argument: --verbose=1", "--verbose=1", (char *)NULL);
	ok &= run("ERROR unknown option: --q", "--q", (char *)NULL);
	test_ok(ok, "args: unknown long and short options, no prefix matching, "
	    "long-only codes are not short options, missing and unwanted "
	    "arguments");
	return test_done();
}
