/*
 * orphans.c: the app of the reaping benchmark. Run as the only app of an init
 * that is PID 1 of a new PID namespace with its own /proc, it makes N orphans
 * (double fork: the middle child exits at once, so the grandchild is handed
 * to the init), then polls /proc until no process of the namespace is left
 * but the init and itself, that is until the init has reaped every orphan.
 * It prints three figures in milliseconds: from the first fork to the last
 * orphan reaped, from the last fork to the last orphan reaped, and the CPU
 * time (user + system) the init has used so far, from /proc/1/stat.
 *
 *	orphans [N [LIMIT-SECONDS]]
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
orphans_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6);
}

/* CPU time of PID 1 (the init), in ms, with the kernel's tick resolution. */
static double
orphans_init_cpu(void)
{
	FILE			*f;
	char			 buf[1024], *p;
	unsigned long long	 utime, stime;

	if ((f = fopen("/proc/1/stat", "r")) == NULL)
		return (-1);
	p = fgets(buf, sizeof buf, f);
	fclose(f);
	/* After the command name in parentheses: fields 3 to 15. */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return (-1);
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &utime, &stime) != 2)
		return (-1);
	return ((utime + stime) * 1000.0 / sysconf(_SC_CLK_TCK));
}

/* Processes in this namespace's /proc: zombies count until reaped. */
static int
orphans_count(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir("/proc")) == NULL) {
		perror("orphans: /proc");
		exit(2);
	}
	while ((e = readdir(d)) != NULL) {
		if (isdigit((unsigned char)e->d_name[0]))
			n++;
	}
	closedir(d);
	return (n);
}

int
main(int argc, char **argv)
{
	int		 n = 5000, limit = 60, i, base, left;
	double		 t0, t1, t2;
	pid_t		 pid;
	struct timespec	 pause = { 0, 200000 };

	if (argc > 1)
		n = atoi(argv[1]);
	if (argc > 2)
		limit = atoi(argv[2]);
	if (getppid() != 1) {
		fprintf(stderr, "orphans: must be the app of a PID 1 init\n");
		return (2);
	}
	base = orphans_count();

	t0 = orphans_now();
	for (i = 0; i < n; i++) {
		switch (pid = fork()) {
		case -1:
			perror("orphans: fork");
			return (2);
		case 0:
			if (fork() == -1)
				_exit(1);
			_exit(0);
		}
		if (waitpid(pid, NULL, 0) == -1) {
			perror("orphans: waitpid");
			return (2);
		}
	}
	t1 = orphans_now();

	while ((left = orphans_count()) > base) {
		if (orphans_now() - t0 > limit * 1000.0) {
			fprintf(stderr, "orphans: %d left after %ds\n",
			    left - base, limit);
			return (1);
		}
		nanosleep(&pause, NULL);
	}
	t2 = orphans_now();
	printf("%.3f %.3f %.0f\n", t2 - t0, t2 - t1, orphans_init_cpu());
	return (0);
}
