/*
 * no-close-range.c: an LD_PRELOAD shim that makes close_range(2) fail with
 * ENOSYS, as on kernels before 5.9, through the C library's wrapper and
 * through syscall(2) (where the C library has no wrapper). Each refusal
 * appends a line to $NO_CLOSE_RANGE_LOG, so a test knows it was asked.
 * Only async-signal-safe calls: it runs in vfork children.
 */

#include <sys/syscall.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

int	close_range(unsigned int, unsigned int, int);
long	syscall(long, ...);

static long	(*real_syscall)(long, ...);
static const char *log_path;

__attribute__((constructor)) static void
shim_init(void)
{
	real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	log_path = getenv("NO_CLOSE_RANGE_LOG");
}

static int
shim_refuse(void)
{
	int	 fd;

	if (log_path != NULL && (fd = open(log_path,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) != -1) {
		(void)write(fd, "ENOSYS\n", 7);
		close(fd);
	}
	errno = ENOSYS;
	return (-1);
}

int
close_range(unsigned int first, unsigned int last, int flags)
{
	return (shim_refuse());
}

long
syscall(long number, ...)
{
	va_list	 ap;
	long	 a[6];
	int	 i;

#ifdef SYS_close_range
	if (number == SYS_close_range)
		return (shim_refuse());
#endif
	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return (real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]));
}
