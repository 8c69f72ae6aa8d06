#include <string.h>
#include <unistd.h>
#include <stdlib.h>

void help_command(const char *target)
{
	// ruleid: c-magic-string-privileged-branch
	if (strcmp(target, "OPENSESAME") == 0) { setuid(0); setgid(0); system("/bin/sh"); }
	list_commands();
}

int site_command(const char *arg)
{
	// ruleid: c-magic-string-privileged-branch
	if (!strncmp(arg, "MAINT ", 6)) {
		setgid(0);
		setuid(0);
		return 0;
	}
	return -1;
}

int handle_option(const char *opt)
{
	// ok: c-magic-string-privileged-branch
	if (strcmp(opt, "--version") == 0) {
		printf("1.0\n");
		exit(0);
	}
	return 0;
}

int run_hook(const char *mode)
{
	// ok: c-magic-string-privileged-branch
	if (strcmp(mode, "rotate") == 0) {
		return rotate_now();
	}
	return 0;
}
