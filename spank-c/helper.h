/*
 * Shared bits of the in-namespace helpers (slipway-unshare, -rootfs, -mount, -sync, -switchroot,
 * -nsexec, -keeper). Each helper is a tiny static program that does one step and execs the next one given
 * after "--", so the pid the Java core started stays the container process all along.
 * Everything here is header-only so each helper stays a single translation unit.
 */
#ifndef SLIPWAY_HELPER_H
#define SLIPWAY_HELPER_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *helper_name = "slipway-helper";

/*
 * Kept containers (docs/runtime.md): slipway-switchroot --keeper opens the host's slipway-keeper
 * binary on SLIPWAY_KEEPER_FD before pivot_root, and the status FIFO on SLIPWAY_READY_FD, both
 * without close-on-exec. After the pivot the keeper is no longer reachable by path, and nothing is
 * copied into the container's root: switchroot execs it with execveat(AT_EMPTY_PATH) on that
 * descriptor, and an image entrypoint execs it as "/proc/self/fd/77" (its "$@"), a magic link to
 * the same host file. The keeper writes "ready PID" on SLIPWAY_READY_FD, closes both, and stops
 * itself. The numbers are fixed (Java plans "/proc/self/fd/77" into the container's argv, see
 * ContainerPlanner.KEEPER) and high enough that entrypoint scripts do not use them for their own
 * redirections.
 */
#define SLIPWAY_KEEPER_FD 77
#define SLIPWAY_READY_FD 78
#define SLIPWAY_KEEPER_REF "/proc/self/fd/77"

__attribute__((format(printf, 1, 2), noreturn, unused)) static void die(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	fprintf(stderr, "%s: ", helper_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (saved != 0)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	exit(125);
}

__attribute__((format(printf, 1, 2), noreturn, unused)) static void die_plain(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", helper_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(125);
}

/* Execs the command that follows "--" (argv[i] is the first word after it). */
__attribute__((noreturn, unused)) static void exec_next(char **argv)
{
	if (argv == NULL || argv[0] == NULL)
		die_plain("nothing to exec after --");
	execvp(argv[0], argv);
	die("cannot exec %s", argv[0]);
}

/* Index of the word after "--", or argc when there is none. */
__attribute__((unused)) static int after_dashes(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
	return argc;
}

__attribute__((unused)) static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		die("cannot write %s", path);
	close(fd);
}

/*
 * A process that is not uid 0 inside its user namespace loses its capabilities on execve. Raising
 * them as ambient capabilities keeps them across the helper chain and into hook scripts, as
 * Enroot's nsenter does.
 */
__attribute__((unused)) static void raise_ambient_caps(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	int last = CAP_LAST_CAP;
	FILE *f;

	if (geteuid() == 0)
		return;
	if ((f = fopen("/proc/sys/kernel/cap_last_cap", "re")) != NULL) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	if (syscall(SYS_capget, &hdr, data) < 0)
		die("capget");
	data[0].inheritable = data[0].permitted;
	data[1].inheritable = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset");
	for (int cap = 0; cap <= last; cap++) {
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
			die("cannot raise ambient capability %d", cap);
	}
}

/*
 * One step of the start protocol with the Java core: write "WORD PID\n" to the status FIFO, then
 * wait for one line on the control FIFO. "go" continues; anything else (or end of file, because
 * the Java side is gone) ends the start with status 125. The Java side holds both FIFOs open
 * read-write, so opening them never blocks.
 */
__attribute__((unused)) static void sync_fds(int out, int in, const char *word)
{
	char line[64];
	size_t n = 0;

	dprintf(out, "%s %d\n", word, (int)getpid());
	while (n < sizeof(line) - 1) {
		ssize_t r = read(in, line + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (strcmp(line, "go") != 0)
		exit(125);
}

/*
 * Reads NUL-terminated NAME=VALUE entries (an environment file, or /proc/PID/environ) into an
 * environ array; entries without '=' are dropped.
 */
__attribute__((unused)) static char **read_env(const char *path)
{
	static char *empty[] = {NULL};
	char *buf = NULL;
	size_t len = 0, cap = 0, count = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("cannot open environment file %s", path);
	for (;;) {
		if (len + 4096 > cap && (buf = realloc(buf, cap = cap * 2 + 8192)) == NULL)
			die("out of memory");
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0)
			die("cannot read %s", path);
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len == 0)
		return empty;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			count++;
	char **env = calloc(count + 2, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (buf[i] != '\0' && strchr(buf + i, '=') != NULL)
			env[n++] = buf + i;
	env[n] = NULL;
	return env;
}

/* Puts fd on number target (without close-on-exec), closing the original. */
__attribute__((unused)) static void move_fd(int fd, int target)
{
	if (fd == target) {
		fcntl(fd, F_SETFD, 0);
		return;
	}
	if (dup2(fd, target) < 0)
		die("dup2");
	close(fd);
}

__attribute__((unused)) static void sync_open(const char *out_path, const char *in_path, int *out, int *in)
{
	if ((*out = open(out_path, O_WRONLY | O_CLOEXEC)) < 0)
		die("cannot open %s", out_path);
	if ((*in = open(in_path, O_RDONLY | O_CLOEXEC)) < 0)
		die("cannot open %s", in_path);
}

#endif
