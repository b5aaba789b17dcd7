/* d20 - seed the Linux RNG from d20d and Pollen servers (usage only for now). */
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: d20 [-vq] [-f FILE] [--timeout S] URL...\n"
    "Ask entropy servers for random bytes, verify each answer and feed the\n"
    "Linux RNG. (Client not yet implemented: this build prints usage only.)\n";

int
main(int argc, char *argv[])
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}
