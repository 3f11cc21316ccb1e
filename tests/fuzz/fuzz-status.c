/*
 * fuzz-status.c: hinit status reading a status file that is cut short or
 * garbage (its JSON reader, the judgement, the lines it prints). The first
 * byte picks the options (--json, --live, a check named); the rest is the
 * file. Property: the exit code is 0 or 1, never another (Docker gives 2 a
 * meaning of its own).
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "cmd.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	fuzz_dir[] = "/tmp/fuzz-status.XXXXXX";
static char	fuzz_file[64];
static int	fuzz_null = -1;

static void
fuzz_cleanup(void)
{
	unlink(fuzz_file);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (mkdtemp(fuzz_dir) == NULL)
		fatal("mkdtemp");
	snprintf(fuzz_file, sizeof fuzz_file, "%s/status.json", fuzz_dir);
	atexit(fuzz_cleanup);
	if ((fuzz_null = open("/dev/null", O_WRONLY|O_CLOEXEC)) == -1)
		fatal("/dev/null");
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*argv[8];
	int	 argc = 0, fd, rc, saved;
	uint8_t	 options = 0;

	if (size > 0) {
		options = data[0];
		data++;
		size--;
	}
	fd = open(fuzz_file, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, data, size) != (ssize_t)size)
		fatal("%s", fuzz_file);
	close(fd);

	argv[argc++] = (char *)"status";
	argv[argc++] = (char *)"--status-file";
	argv[argc++] = fuzz_file;
	if (options & 1)
		argv[argc++] = (char *)"--json";
	if (options & 2)
		argv[argc++] = (char *)"--live";
	if (options & 4)
		argv[argc++] = (char *)"db";
	if (options & 8)
		argv[argc++] = (char *)"web";
	argv[argc] = NULL;

	/* What it prints goes nowhere; errors still show. */
	fflush(stdout);
	saved = dup(1);
	dup2(fuzz_null, 1);
	rc = cmd_status(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	if (rc != 0 && rc != 1) {
		fprintf(stderr, "hinit status exited %d\n", rc);
		abort();
	}
	return (0);
}
