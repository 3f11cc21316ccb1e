/*
 * unit-proc.c: the process module (src/proc.c, src/proc-end.c) on its own,
 * with real children: a child's output read by line (pieces cut at the
 * bound, flagged where cut) and as it comes; after the child, read on to
 * the end within bounds of bytes and time, then dropped; a child's
 * environment, exit status and exec error; a group that ignores SIGTERM
 * ended by SIGKILL after the delay, a stopped one by SIGTERM (SIGCONT
 * follows it); and what an app left ended before a restart, sparing a
 * child someone waits for.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "proc.h"
#include "unit.h"

/* What an output gave: "text|flags;" each. */
static void
collect(const char *data, size_t len, int flags, void *arg)
{
	struct buf	*b = arg;

	if (flags & PROC_OUTPUT_DROPPED) {
		buf_puts(b, "DROPPED;");
		return;
	}
	buf_add(b, data, len);
	buf_printf(b, "|%d;", flags);
}

static int
same(struct buf *b, const char *s)
{
	if (b->data != NULL && strcmp(b->data, s) == 0)
		return (1);
	fprintf(stderr, "got \"%s\", want \"%s\"\n",
	    b->data != NULL ? b->data : "", s);
	return (0);
}

/* A pipe whose read end is non-blocking, as proc_spawn() makes it. */
static void
make_pipe(int p[2])
{
	if (pipe(p) == -1)
		fatal("pipe");
	fd_set_nonblock(p[0]);
}

static void
put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		fatal("write");
}

static void
turn_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ONE);
}

/* Run the loop for so long (or until it is broken out of). */
static void
turn(double seconds)
{
	ev_timer	 t;

	ev_timer_init(&t, turn_cb, seconds, 0);
	ev_now_update(EV_DEFAULT);
	ev_timer_start(EV_DEFAULT, &t);
	ev_run(EV_DEFAULT, 0);
	ev_timer_stop(EV_DEFAULT, &t);
}

static void
test_output_lines(void)
{
	struct proc_output	*o;
	struct buf		 got;
	int			 p[2];

	buf_init(&got);
	make_pipe(p);
	o = proc_output_new(p[0], 4, collect, &got);
	put(p[1], "one\n\nabcdefghij\nxy");
	close(p[1]);
	proc_output_read(o);
	proc_output_read(o);
	/* Cut at 4: the pieces say so; the last piece comes at the end. */
	expect("lines and pieces", same(&got,
	    "one|0;|0;abcd|2;efgh|3;ij|1;xy|0;"));
	proc_output_free(o);
	buf_free(&got);

	/*
	 * A line of line_max bytes: whole when its break is read with it;
	 * read before its break, cut, and the break only ends it (no empty
	 * line, the next line not taken for the rest of it).
	 */
	buf_init(&got);
	make_pipe(p);
	o = proc_output_new(p[0], 4, collect, &got);
	put(p[1], "abcd\nnext\n");
	proc_output_read(o);
	put(p[1], "abcd");
	proc_output_read(o);
	put(p[1], "\nnext\n\nx\n");
	proc_output_read(o);
	expect("a line of line_max bytes", same(&got,
	    "abcd|0;next|0;abcd|2;next|0;|0;x|0;"));
	close(p[1]);
	proc_output_free(o);
	buf_free(&got);

	buf_init(&got);
	make_pipe(p);
	o = proc_output_new(p[0], 0, collect, &got);
	put(p[1], "a\nb");
	proc_output_read(o);
	expect("as it comes", same(&got, "a\nb|0;"));
	/* Cut off: the pipe is closed, a writer left gets EPIPE. */
	proc_output_free(o);
	expect("closed", write(p[1], "c", 1) == -1 && errno == EPIPE);
	close(p[1]);
	buf_free(&got);
}

static void
test_output_linger(void)
{
	struct proc_output	*o;
	struct buf		 got;
	int			 p[2];

	/* Bytes: 6 more are passed on, the read past them is dropped. */
	buf_init(&got);
	make_pipe(p);
	o = proc_output_new(p[0], 64, collect, &got);
	put(p[1], "before\nlast");
	proc_output_linger(o, 10.0, 6);
	/* The pipe still open, the last line is cut: its writer goes on. */
	expect("what was there, the last line too",
	    same(&got, "before|0;last|2;"));
	put(p[1], "after\n");
	turn(0.05);
	put(p[1], "too much\n");
	turn(0.05);
	put(p[1], "dropped\n");
	turn(0.05);
	expect("passed on within the bound, then dropped", same(&got,
	    "before|0;last|2;after|1;DROPPED;"));
	/* The writer keeps going: the pipe never fills; EOF frees it. */
	close(p[1]);
	turn(0.05);
	buf_free(&got);

	/* The leftover ends the line passed on unfinished: no empty line. */
	buf_init(&got);
	make_pipe(p);
	o = proc_output_new(p[0], 64, collect, &got);
	put(p[1], "last");
	proc_output_linger(o, 10.0, 65536);
	put(p[1], "\nnew\n");
	turn(0.05);
	expect("the line break of a line passed on unfinished", same(&got,
	    "last|2;new|0;"));
	close(p[1]);
	turn(0.05);
	buf_free(&got);

	/* Time: dropped once it is over, still read. */
	buf_init(&got);
	make_pipe(p);
	o = proc_output_new(p[0], 64, collect, &got);
	proc_output_linger(o, 0.05, 65536);
	put(p[1], "soon\n");
	turn(0.02);
	turn(0.1);
	put(p[1], "late\n");
	turn(0.05);
	expect("dropped after the time", same(&got, "soon|0;DROPPED;"));
	close(p[1]);
	turn(0.05);
	buf_free(&got);
}

/*
 * At the exit, what lingering outputs hold that the loop has not read is
 * passed on, oldest first: the order their children ended in.
 */
static void
test_output_drain(void)
{
	struct buf	 got;
	int		 a[2], b[2], c[2];

	buf_init(&got);
	make_pipe(a);
	make_pipe(b);
	make_pipe(c);
	proc_output_linger(proc_output_new(a[0], 64, collect, &got), 10.0,
	    65536);
	proc_output_linger(proc_output_new(b[0], 64, collect, &got), 10.0,
	    65536);
	proc_output_linger(proc_output_new(c[0], 64, collect, &got), 10.0,
	    65536);
	put(a[1], "first\n");
	put(b[1], "second\n");
	put(c[1], "third\n");
	close(b[1]);
	proc_output_drain();
	expect("drained in the order they lingered", same(&got,
	    "first|0;second|0;third|0;"));
	close(a[1]);
	close(c[1]);
	buf_free(&got);
}

struct child {
	struct proc		 proc;
	struct proc_output	*out;
	struct buf		 text;
	int			 status;
	int			 done;
	int			 killed;	/* proc_terminate()'s SIGKILL */
	int			 was_running;
};

static void
child_exited(struct proc *p, int status, void *arg)
{
	struct child	*ch = arg;

	ch->status = status;
	ch->done = 1;
	if (ch->out != NULL) {
		proc_output_read(ch->out);
		proc_output_free(ch->out);
		ch->out = NULL;
	}
	ev_break(EV_DEFAULT, EVBREAK_ONE);
}

static void
child_killed(struct proc *p, int running, void *arg)
{
	struct child	*ch = arg;

	ch->killed = 1;
	ch->was_running = running;
}

static int
child_run(struct child *ch, struct proc_spawn *ps)
{
	char	*cause = NULL;
	int	 fd = -1;

	memset(ch, 0, sizeof *ch);
	buf_init(&ch->text);
	if (proc_spawn(&ch->proc, ps, child_exited, ch, &fd, &cause) != 0) {
		fprintf(stderr, "spawn: %s\n", cause);
		free(cause);
		return (-1);
	}
	if (fd != -1)
		ch->out = proc_output_new(fd, 0, collect, &ch->text);
	return (0);
}

static void
child_wait(struct child *ch, double limit)
{
	double	 end;

	ev_now_update(EV_DEFAULT);
	end = ev_now(EV_DEFAULT) + limit;
	while (!ch->done && ev_now(EV_DEFAULT) < end)
		turn(end - ev_now(EV_DEFAULT));
}

static void
test_spawn(void)
{
	struct proc_spawn	 ps;
	struct child		 ch;
	char			*env[] = { "A=set", "B", NULL };
	char			*argv[] = { "/nonexistent/hinit-unit", NULL };

	setenv("B", "dropped", 1);
	setenv("C", "kept", 1);
	memset(&ps, 0, sizeof ps);
	ps.shell_command = "echo \"$A-$B-$C\"; exit 3";
	ps.env = env;
	ps.flags = PROC_STDIN_NULL | PROC_OUTPUT;
	if (child_run(&ch, &ps) != 0) {
		failures++;
		return;
	}
	expect("running", ch.proc.running && ch.proc.pid > 0);
	expect("its own group", getpgid(ch.proc.pid) == ch.proc.pid);
	child_wait(&ch, 5);
	expect("reaped", ch.done && !ch.proc.running);
	expect("exit 3", WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 3 &&
	    proc_exit_code(ch.status) == 3);
	expect("environment over ours", same(&ch.text, "set--kept\n|0;"));
	buf_free(&ch.text);

	memset(&ps, 0, sizeof ps);
	ps.argv = argv;
	ps.flags = PROC_QUIET;
	if (child_run(&ch, &ps) != 0) {
		failures++;
		return;
	}
	expect("exec error kept", ch.proc.exec_error == ENOENT);
	child_wait(&ch, 5);
	expect("127", ch.done && proc_exit_code(ch.status) == 127);
	buf_free(&ch.text);
}

static void
test_terminate(void)
{
	struct proc_spawn	 ps;
	struct child		 ch;
	double			 t0;

	memset(&ps, 0, sizeof ps);
	/* The shell and its child both ignore SIGTERM. */
	ps.shell_command = "trap '' TERM; sleep 30 & sleep 30; wait";
	ps.flags = PROC_STDIN_NULL;
	if (child_run(&ch, &ps) != 0) {
		failures++;
		return;
	}
	turn(0.2);
	ev_now_update(EV_DEFAULT);
	t0 = ev_now(EV_DEFAULT);
	proc_terminate(&ch.proc, SIGTERM, 0.3, 1, child_killed);
	expect("SIGKILL to come", proc_terminating(&ch.proc));
	child_wait(&ch, 5);
	ev_now_update(EV_DEFAULT);
	expect("killed by SIGKILL after the delay", ch.done &&
	    WIFSIGNALED(ch.status) && WTERMSIG(ch.status) == SIGKILL &&
	    ev_now(EV_DEFAULT) - t0 >= 0.25);
	expect("told, while it ran", ch.killed && ch.was_running);
	turn(0.1);
	expect("its whole group is gone", proc_group_gone(&ch.proc));
	proc_terminate_stop(&ch.proc);
	buf_free(&ch.text);
}

/* A stopped child takes the signal: SIGCONT follows it, no SIGKILL. */
static void
test_terminate_stopped(void)
{
	struct proc_spawn	 ps;
	struct child		 ch;

	memset(&ps, 0, sizeof ps);
	ps.shell_command = "trap 'exit 7' TERM; sleep 30 & wait";
	ps.flags = PROC_STDIN_NULL;
	if (child_run(&ch, &ps) != 0) {
		failures++;
		return;
	}
	turn(0.2);
	proc_signal(&ch.proc, SIGSTOP, PROC_SIGNAL_GROUP);
	turn(0.1);
	proc_terminate(&ch.proc, SIGTERM, 5.0, 1, child_killed);
	child_wait(&ch, 3);
	expect("its trap ran, before any SIGKILL", ch.done && !ch.killed &&
	    WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 7);
	proc_terminate_stop(&ch.proc);
	buf_free(&ch.text);
}

struct end {
	u_int	 steps[8];
	char	 names[256];
	int	 done;
};

static void
end_cb(struct proc_end *pe, enum proc_end_step step, u_int n,
    const char *names, void *arg)
{
	struct end	*e = arg;

	e->steps[step]++;
	if (step == PROC_END_TERM)
		snprintf(e->names, sizeof e->names, "%s", names);
	if (step == PROC_END_DONE) {
		e->done = 1;
		ev_break(EV_DEFAULT, EVBREAK_ONE);
	}
}

static void
end_reaped(pid_t pid, int owned, void *arg)
{
	proc_end_reaped(arg);
}

static void
test_end_leftovers(void)
{
	struct proc_spawn	 ps;
	struct proc_end		 pe;
	struct child		 app, other;
	struct end		 e;
	double			 end;

	memset(&e, 0, sizeof e);
	proc_end_init(&pe, PROC_END_LEFTOVERS, end_cb, &e);
	proc_stop();
	proc_start(end_reaped, &pe);

	/* Someone else's child: spared. */
	memset(&ps, 0, sizeof ps);
	ps.shell_command = "exec sleep 30";
	ps.flags = PROC_STDIN_NULL;
	if (child_run(&other, &ps) != 0) {
		failures++;
		return;
	}
	proc_end_keep(&pe);
	/* The app leaves a process behind. */
	ps.shell_command = "sleep 31 & sleep 0.1";
	if (child_run(&app, &ps) != 0) {
		failures++;
		return;
	}
	child_wait(&app, 5);
	expect("the app exited", app.done);

	expect("something to end", proc_end_start(&pe, SIGTERM, 2.0) == 1);
	expect("what it left is named", strstr(e.names, "sleep (") != NULL);
	ev_now_update(EV_DEFAULT);
	end = ev_now(EV_DEFAULT) + 5;
	while (!e.done && ev_now(EV_DEFAULT) < end)
		turn(end - ev_now(EV_DEFAULT));
	expect("done within the grace", e.done && e.steps[PROC_END_KILL] == 0);
	expect("the other child runs on", other.proc.running &&
	    kill(other.proc.pid, 0) == 0);
	expect("nothing left to end", proc_end_start(&pe, SIGTERM, 2.0) == 0);

	proc_signal(&other.proc, SIGKILL, PROC_SIGNAL_GROUP);
	child_wait(&other, 5);
	expect("the other reaped", other.done);
	proc_end_free(&pe);
	buf_free(&app.text);
	buf_free(&other.text);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	/* Orphans come back here, as to hinit. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	proc_oneshot();

	test_output_lines();
	test_output_linger();
	test_output_drain();
	test_spawn();
	test_terminate();
	test_terminate_stopped();
	test_end_leftovers();

	proc_settle(2.0);
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return (1);
	}
	return (0);
}
