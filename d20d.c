/* d20d - entropy server for d20 and pollinate (usage only for now). */
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: d20d [-i] [-l HOST:PORT]...\n"
    "Answer D20 API v1 and Pollen entropy requests from a CTR_DRBG.\n"
    "(Server not yet implemented: this build prints usage only.)\n";

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
