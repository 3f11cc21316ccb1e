/*
 * replay.c: a fuzz target without libFuzzer. Runs the target's
 * LLVMFuzzerTestOneInput() once on every file of its seed corpus
 * (tests/fuzz/corpus/NAME) and of the inputs that once crashed it
 * (tests/regress/NAME), or of the files and directories named on the
 * command line, so that make check replays every input ever found. A
 * broken property aborts, which fails the test.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME: the name of the target"
#endif

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*data = NULL;
	size_t		 size = 0, n;
	struct stat	 st;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	/* One byte more, so that an empty file still has a pointer. */
	if ((data = malloc(st.st_size + 1)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	while ((n = fread(data + size, 1, st.st_size - size, f)) > 0)
		size += n;
	fclose(f);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return (1);
}

/* Every file of a directory, in name order; -1 if it is missing. */
static int
replay_dir(const char *dir)
{
	struct dirent	**names;
	char		 *path;
	int		  i, n, done = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			if (asprintf(&path, "%s/%s", dir, names[i]->d_name) ==
			    -1)
				exit(1);
			done += replay_file(path);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return (done);
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	const char	*top;
	char		*corpus, *regress;
	int		 i, n, total = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
				n = replay_dir(argv[i]);
			else
				n = replay_file(argv[i]);
			if (n == -1) {
				fprintf(stderr, "replay: %s: %s\n", argv[i],
				    strerror(errno));
				return (1);
			}
			total += n;
		}
		printf("ok: %s: %d inputs\n", FUZZ_NAME, total);
		return (0);
	}

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	if (asprintf(&corpus, "%s/tests/fuzz/corpus/%s", top, FUZZ_NAME) == -1 ||
	    asprintf(&regress, "%s/tests/regress/%s", top, FUZZ_NAME) == -1)
		return (1);
	/* The corpus must be there: a replay of nothing proves nothing. */
	if ((n = replay_dir(corpus)) <= 0) {
		fprintf(stderr, "replay: %s: no inputs\n", corpus);
		return (1);
	}
	total += n;
	if ((n = replay_dir(regress)) > 0)
		total += n;
	printf("ok: %s: %d inputs (corpus and regress)\n", FUZZ_NAME, total);
	free(corpus);
	free(regress);
	return (0);
}
