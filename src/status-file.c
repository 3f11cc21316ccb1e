/*
 * status-file.c: the status file, for hinit that writes it and for hinit
 * status that reads it: the places it may be (the path asked for, else
 * /run/hinit, $XDG_RUNTIME_DIR/hinit, /tmp/hinit-UID), each reached one
 * component at a time without following a symbolic link and refused if
 * others may write it; the file replaced atomically under a random name;
 * read back only if hinit's user owns it.
 */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "config.h"
#include "status.h"

#define STATUS_FILE_NAME	"status.json"
#define STATUS_FILE_READ_MAX	(16 * 1024 * 1024)

/*
 * What to do in a place's directory, opened safely: a descriptor to keep
 * (the directory's own, or another), or -1 and why not.
 */
typedef int	 status_file_try(int, const char *, void *, char **);

/*
 * A file in our directory that another user owns (a sticky directory such
 * as /tmp lets anyone create one, and only its owner replace it): say so,
 * for the error is not ours to fix. NULL if that is not why.
 */
static char *
status_file_foreign(int dirfd, const char *name)
{
	struct stat	 st;
	char		*why;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_uid == geteuid())
		return (NULL);
	xasprintf(&why, "'%s' there belongs to uid %lu, not to hinit's "
	    "(%lu): another user made it, maybe to pose as hinit; remove it",
	    name, (u_long)st.st_uid, (u_long)geteuid());
	return (why);
}

/* ".NAME.XXXXXXXXXXXX": twelve random letters another user cannot guess. */
static int
status_file_temp_name(const char *name, char *tmp, size_t size)
{
	static const char	 set[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static uint64_t		 counter;
	uint64_t		 r[2];
	struct timespec		 ts;
	size_t			 len = strlen(name), i;

	if (len + 14 >= size)
		return (-1);
	if (syscall(SYS_getrandom, r, sizeof r, 1 /* GRND_NONBLOCK */) !=
	    (long)sizeof r) {
		/* No entropy yet (early boot): hard enough to guess still. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r[0] = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		    ((uint64_t)getpid() << 40) ^ (uintptr_t)&ts;
		r[1] = r[0] * 0x9e3779b97f4a7c15ULL + ++counter;
	}
	tmp[0] = '.';
	memcpy(tmp + 1, name, len);
	tmp[len + 1] = '.';
	for (i = 0; i < 12; i++) {
		tmp[len + 2 + i] = set[r[i & 1] % (sizeof set - 1)];
		r[i & 1] /= sizeof set - 1;
	}
	tmp[len + 14] = '\0';
	return (0);
}

/* A new file, created exclusively under a name nobody can guess. */
static int
status_file_create(int dirfd, const char *name, char *tmp, size_t size,
    char **cause)
{
	u_int	 tries;
	int	 fd = -1;

	for (tries = 0; fd == -1 && tries < 16; tries++) {
		if (status_file_temp_name(name, tmp, size) != 0) {
			*cause = xstrdup("file name too long");
			return (-1);
		}
		fd = openat(dirfd, tmp,
		    O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0644);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1)
		xasprintf(cause, "%s", strerror(errno));
	return (fd);
}

/*
 * Write the document to a new file beside the old one and rename it over:
 * readers see the old document or the new one, never half of one; and
 * hinit never writes through a link another user planted.
 */
static int
status_file_write_at(int dirfd, const char *name, const struct buf *b,
    char **cause)
{
	char		 tmp[NAME_MAX + 1];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = status_file_create(dirfd, name, tmp, sizeof tmp,
	    cause)) == -1)
		return (-1);
	while (off < b->len) {
		n = write(fd, b->data + off, b->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			close(fd);
			goto fail;
		}
		off += n;
	}
	if (close(fd) != 0)
		goto fail;
	/*
	 * renameat(2) through syscall(2): the C library keeps its wrapper
	 * among stdio, 64 KiB of pages hinit would map for this call alone.
	 */
	if (syscall(SYS_renameat, dirfd, tmp, dirfd, name) != 0) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		if ((*cause = status_file_foreign(dirfd, name)) != NULL)
			return (-1);
		xasprintf(cause, "%s", strerror(saved));
		return (-1);
	}
	return (0);

fail:
	xasprintf(cause, "%s", strerror(errno));
	unlinkat(dirfd, tmp, 0);
	return (-1);
}

/* The directory part of a path (allocated) and its last component. */
static char *
status_file_split(const char *path, const char **name)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL) {
		*name = path;
		return (xstrdup("."));
	}
	*name = slash + 1;
	if (slash == path)
		return (xstrdup("/"));
	return (xstrndup(path, slash - path));
}

/* Add "where: what" to a list of reasons; frees what. */
static void
status_file_because(char **why, const char *where, char *what)
{
	char	*old = *why;

	if (old == NULL)
		xasprintf(why, "%s: %s", where, what);
	else {
		xasprintf(why, "%s; %s: %s", old, where, what);
		free(old);
	}
	free(what);
}

/* XDG_RUNTIME_DIR of PID 1, if it runs as uid and we may read it. */
static char *
status_file_xdg_pid1(uid_t uid, int *found)
{
	struct stat	 st;
	char		 env[65536], *p, *end;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	*found = 0;
	if (stat("/proc/1", &st) != 0 || st.st_uid != uid ||
	    (fd = open("/proc/1/environ", O_RDONLY|O_CLOEXEC)) == -1)
		return (NULL);
	*found = 1;
	while (len < sizeof env - 1) {
		n = read(fd, env + len, sizeof env - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	env[len] = '\0';
	for (p = env; p < env + len; p = end + 1) {
		end = p + strlen(p);
		if (strncmp(p, "XDG_RUNTIME_DIR=", 16) == 0)
			return (xstrdup(p + 16));
	}
	return (NULL);
}

/*
 * XDG_RUNTIME_DIR of the hinit that runs as this uid: our own when we are
 * that hinit, else PID 1's (from /proc/1/environ, when it is that uid and
 * we may read it), else ours when we are that uid.
 */
static char *
status_file_xdg(uid_t uid, int self)
{
	const char	*value;
	char		*xdg;
	int		 found;

	if (!self) {
		xdg = status_file_xdg_pid1(uid, &found);
		if (found)
			return (xdg);
		if (getuid() != uid)
			return (NULL);
	}
	if ((value = getenv("XDG_RUNTIME_DIR")) == NULL)
		return (NULL);
	return (xstrdup(value));
}

/* The paths to try, in order: the file asked for, or the usual places. */
static u_int
status_file_places(const char *file, uid_t uid, int self, char **places)
{
	char	*xdg;
	u_int	 n = 0;

	if (file != NULL) {
		places[n++] = xstrdup(file);
		return (n);
	}
	places[n++] = xstrdup(STATUS_DEFAULT_FILE);
	if ((xdg = status_file_xdg(uid, self)) != NULL) {
		if (xdg[0] == '/') {
			xasprintf(&places[n++], "%s%shinit/%s", xdg,
			    xdg[strlen(xdg) - 1] == '/' ? "" : "/",
			    STATUS_FILE_NAME);
		}
		free(xdg);
	}
	xasprintf(&places[n++], "/tmp/hinit-%lu/%s", (u_long)uid,
	    STATUS_FILE_NAME);
	return (n);
}

/* One more component of a path, below fd; creating it if asked (0700). */
static int
status_file_step(int fd, const char *comp, int create, char **cause)
{
	struct stat	 st;
	int		 nfd;

	nfd = openat(fd, comp, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
	if (nfd == -1 && errno == ENOENT && create) {
		if (mkdirat(fd, comp, 0700) != 0 && errno != EEXIST)
			goto fail;
		nfd = openat(fd, comp, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|
		    O_CLOEXEC);
	}
	if (nfd != -1)
		return (nfd);
	if ((errno == ELOOP || errno == ENOTDIR) &&
	    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		xasprintf(cause, "'%s' is a symbolic link (not followed)",
		    comp);
		return (-1);
	}
fail:
	xasprintf(cause, "%s", strerror(errno));
	return (-1);
}

/*
 * Open a directory one component at a time, never following a symbolic
 * link, creating the last component (0700) if asked. The usual places must
 * be owned by uid; a path asked for may also be root's. Neither may be
 * writable by others, unless sticky (like /tmp) for a path asked for.
 */
static int
status_file_opendir(const char *dir, uid_t uid, int create, int asked,
    char **cause)
{
	struct stat	 st;
	char		*copy, *p, *comp, *next;
	int		 fd, nfd;

	fd = open(dir[0] == '/' ? "/" : ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
	if (fd == -1) {
		xasprintf(cause, "%s", strerror(errno));
		return (-1);
	}
	copy = xstrdup(dir);
	for (p = copy; p != NULL; p = next) {
		while (*p == '/')
			p++;
		comp = p;
		if ((next = strchr(p, '/')) != NULL)
			*next++ = '\0';
		while (next != NULL && *next == '/')
			next++;
		if (next != NULL && *next == '\0')
			next = NULL;
		if (*comp == '\0' || strcmp(comp, ".") == 0)
			continue;
		nfd = status_file_step(fd, comp, create && next == NULL,
		    cause);
		close(fd);
		if ((fd = nfd) == -1)
			goto out;
	}
	if (fstat(fd, &st) != 0)
		xasprintf(cause, "%s", strerror(errno));
	else if (st.st_uid != uid && !(asked && st.st_uid == 0)) {
		xasprintf(cause, "owned by uid %lu, not %lu",
		    (u_long)st.st_uid, (u_long)uid);
	} else if ((st.st_mode & (S_IWGRP|S_IWOTH)) &&
	    !(asked && (st.st_mode & S_ISVTX))) {
		xasprintf(cause, "writable by others (mode %04o)",
		    (u_int)(st.st_mode & 07777));
	} else {
		free(copy);
		return (fd);
	}
	close(fd);
out:
	free(copy);
	return (-1);
}

/*
 * Each place in turn until one takes: its directory is opened safely (and
 * made, when ours: we are the hinit that writes), then try decides. The
 * path taken comes back with the descriptor try kept; else -1 and every
 * place's reason (named by its directory when ours, else by the file).
 */
static int
status_file_find(const char *file, uid_t uid, int ours, status_file_try *try,
    void *arg, char **path, char **cause)
{
	char		*places[3], *dir, *why = NULL, *one;
	const char	*name;
	u_int		 n, i;
	int		 dfd, fd = -1;

	*path = NULL;
	n = status_file_places(file, uid, ours, places);
	for (i = 0; i < n; i++) {
		if (*path != NULL) {
			free(places[i]);
			continue;
		}
		one = NULL;
		dir = status_file_split(places[i], &name);
		dfd = status_file_opendir(dir, uid, ours, file != NULL, &one);
		/*
		 * A usual place is one hinit's: a second one of the same user
		 * (hinit run by hand in the container of the one that is PID
		 * 1) would remove that one's file and speak for it. The lock
		 * lasts as long as the directory is open.
		 */
		if (dfd != -1 && ours && file == NULL &&
		    flock(dfd, LOCK_EX | LOCK_NB) != 0) {
			xasprintf(&one, "%s", errno == EWOULDBLOCK ?
			    "in use by another hinit" : strerror(errno));
			close(dfd);
			dfd = -1;
		}
		if (dfd != -1 && (fd = try(dfd, name, arg, &one)) != dfd)
			close(dfd);
		if (dfd != -1 && fd != -1)
			*path = places[i];
		else {
			status_file_because(&why, ours ? dir : places[i], one);
			free(places[i]);
		}
		free(dir);
	}
	if (*path != NULL) {
		free(why);
		return (fd);
	}
	*cause = why;
	return (-1);
}

/* At start, no file (b NULL): remove what an earlier hinit left. */
static int
status_file_put(int dirfd, const char *name, void *arg, char **why)
{
	const struct buf	*b = arg;

	if (b != NULL) {
		if (status_file_write_at(dirfd, name, b, why) != 0)
			return (-1);
		return (dirfd);
	}
	if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
		if ((*why = status_file_foreign(dirfd, name)) == NULL)
			xasprintf(why, "%s", strerror(errno));
		return (-1);
	}
	return (dirfd);
}

/* Find the first place that takes the file (b: write it there). */
static int
status_file_place(struct status_file *f, const struct buf *b, char **cause)
{
	const char	*name;
	char		*dir;

	if (f->dirfd != -1)
		close(f->dirfd);
	free(f->path);
	free(f->name);
	f->name = NULL;
	f->dirfd = status_file_find(f->file, geteuid(), 1, status_file_put,
	    (void *)b, &f->path, cause);
	if (f->dirfd == -1)
		return (-1);
	dir = status_file_split(f->path, &name);
	f->name = xstrdup(name);
	free(dir);
	return (0);
}

/*
 * Where the file goes: the path asked for (NULL or the default path: the
 * usual places), found at once, and what an earlier hinit left there
 * removed: it must not speak for this one.
 */
int
status_file_open(struct status_file *f, const char *file, char **cause)
{
	memset(f, 0, sizeof *f);
	f->dirfd = -1;
	if (file != NULL && strcmp(file, STATUS_DEFAULT_FILE) != 0)
		f->file = xstrdup(file);
	if (status_file_place(f, NULL, cause) != 0) {
		f->failed = 1;
		return (-1);
	}
	return (0);
}

/* Write the document; if that fails, look for a place again. */
void
status_file_write(struct status_file *f, const struct buf *b)
{
	char	*cause = NULL;

	if (f->dirfd != -1 && status_file_write_at(f->dirfd, f->name, b,
	    &cause) == 0) {
		f->failed = 0;
		return;
	}
	free(cause);
	cause = NULL;
	/*
	 * The file there is an older state (a full disk keeps it): readers
	 * would take it for this one until it is stale, "pass" for an app
	 * that fails. Take it away; the room it frees may be enough. Then
	 * look again, the directory may have gone or turned bad.
	 */
	if (f->dirfd != -1)
		unlinkat(f->dirfd, f->name, 0);
	if (status_file_place(f, b, &cause) == 0) {
		if (f->failed)
			log_info("status file now %s", f->path);
		f->failed = 0;
		return;
	}
	if (!f->failed)
		log_warnx("cannot write the status file: %s", cause);
	f->failed = 1;
	free(cause);
}

void
status_file_close(struct status_file *f)
{
	if (f->dirfd != -1)
		close(f->dirfd);
	f->dirfd = -1;
	free(f->file);
	free(f->path);
	free(f->name);
	f->file = f->path = f->name = NULL;
}

/* What reading looks for, and what it found. */
struct status_file_got {
	uid_t		 uid;
	struct stat	 st;
};

/* A regular file that uid owns, wherever it is: another user's is a fake. */
static int
status_file_get(int dirfd, const char *name, void *arg, char **why)
{
	struct status_file_got	*got = arg;
	int			 fd;

	fd = openat(dirfd, name, O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK);
	if (fd == -1) {
		xasprintf(why, "%s", strerror(errno));
		return (-1);
	}
	if (fstat(fd, &got->st) != 0 || !S_ISREG(got->st.st_mode))
		xasprintf(why, "not a regular file");
	else if (got->st.st_uid != got->uid) {
		xasprintf(why, "owned by uid %lu, not by hinit's user (%lu): "
		    "not hinit's", (u_long)got->st.st_uid, (u_long)got->uid);
	} else
		return (fd);
	close(fd);
	return (-1);
}

/*
 * Read the status file of the hinit that runs as uid: the file asked for,
 * else the first of the usual places that holds one. The path read and its
 * modification time come back too.
 */
int
status_file_read(const char *file, uid_t uid, struct buf *b, double *mtime,
    char **path, char **cause)
{
	struct status_file_got	 got;
	char			 chunk[8192];
	ssize_t			 r;
	int			 fd;

	memset(&got, 0, sizeof got);
	got.uid = uid;
	fd = status_file_find(file, uid, 0, status_file_get, &got, path,
	    cause);
	if (fd == -1)
		return (-1);
	*mtime = got.st.st_mtim.tv_sec + got.st.st_mtim.tv_nsec / 1e9;
	buf_reset(b);
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			xasprintf(cause, "%s: %s", *path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		if (b->len + r > STATUS_FILE_READ_MAX) {
			xasprintf(cause, "%s: too big", *path);
			goto fail;
		}
		buf_add(b, chunk, r);
	}
	close(fd);
	if (b->data == NULL)
		buf_add(b, "", 0);
	return (0);

fail:
	close(fd);
	free(*path);
	*path = NULL;
	return (-1);
}
