/*
 * slipway-nsexec [--task] PID -- CMD [ARGS...]
 * Joins the user and mount namespaces of container process PID (both opened before either is
 * joined, since joining the mount namespace changes what /proc shows), keeps full capabilities in
 * that user namespace across exec, and execs CMD. Shell hooks and OCI hooks that run "in the
 * container" use it.
 * --task joins the way a Slurm task joins a kept container (what the SPANK plugin does in C, and
 * `slipway container exec`): every namespace of PID that differs from ours, in the order user,
 * cgroup, mnt, ipc, uts, net (never pid), then the working directory of PID (readlink of
 * /proc/PID/cwd) and exactly its environment (/proc/PID/environ), both read before joining, and
 * no capabilities beyond what the user has inside.
 */
#include "helper.h"

#include <sched.h>
#include <sys/stat.h>

static const struct {
	const char *type;
	int flag;
} namespaces[] = {
	{"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
	{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
};
#define NAMESPACES (sizeof(namespaces) / sizeof(namespaces[0]))

static int same_ns(const char *type, int fd)
{
	char path[64];
	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	if (stat(path, &mine) < 0 || fstat(fd, &theirs) < 0)
		return 0;
	return mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

static int open_ns(const char *pid, const char *type, int optional)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, type);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && !(optional && errno == ENOENT))
		die("cannot open %s", path);
	return fd;
}

static void join_as_task(const char *pid)
{
	int fds[NAMESPACES];
	char cwdlink[64], cwd[4096], envpath[64];
	ssize_t n;

	for (size_t i = 0; i < NAMESPACES; i++)
		fds[i] = open_ns(pid, namespaces[i].type, namespaces[i].flag == CLONE_NEWCGROUP);
	snprintf(cwdlink, sizeof(cwdlink), "/proc/%s/cwd", pid);
	if ((n = readlink(cwdlink, cwd, sizeof(cwd) - 1)) < 0)
		die("cannot read %s", cwdlink);
	cwd[n] = '\0';
	snprintf(envpath, sizeof(envpath), "/proc/%s/environ", pid);
	char **env = read_env(envpath);
	for (size_t i = 0; i < NAMESPACES; i++) {
		if (fds[i] < 0 || same_ns(namespaces[i].type, fds[i]))
			continue;
		if (setns(fds[i], namespaces[i].flag) < 0)
			die("cannot join the %s namespace of %s", namespaces[i].type, pid);
		close(fds[i]);
	}
	if (chdir(cwd) < 0)
		die("cannot enter the container's working directory %s", cwd);
	environ = env;
}

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);
	int task = argc > 1 && strcmp(argv[1], "--task") == 0;
	const char *pid = argv[1 + task];
	char path[64];
	int userfd, mntfd;

	helper_name = "slipway-nsexec";
	if (next != 3 + task)
		die_plain("usage: slipway-nsexec [--task] PID -- CMD...");
	if (task) {
		join_as_task(pid);
		exec_next(argv + next);
	}
	snprintf(path, sizeof(path), "/proc/%s/ns/user", pid);
	if ((userfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("cannot open %s", path);
	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	if ((mntfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("cannot open %s", path);
	if (!same_ns("user", userfd) && setns(userfd, CLONE_NEWUSER) < 0)
		die("cannot join the user namespace of %s", pid);
	if (setns(mntfd, CLONE_NEWNS) < 0)
		die("cannot join the mount namespace of %s", pid);
	close(userfd);
	close(mntfd);
	raise_ambient_caps();
	exec_next(argv + next);
}
