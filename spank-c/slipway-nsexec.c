/*
 * slipway-nsexec PID -- CMD [ARGS...]
 * Joins the user and mount namespaces of container process PID (both opened before either is
 * joined, since joining the mount namespace changes what /proc shows), keeps full capabilities in
 * that user namespace across exec, and execs CMD. Shell hooks and OCI hooks that run "in the
 * container" use it; so will Slurm tasks.
 */
#include "helper.h"

#include <sched.h>
#include <sys/stat.h>

static int same_ns(const char *type, int fd)
{
	char path[64];
	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	if (stat(path, &mine) < 0 || fstat(fd, &theirs) < 0)
		return 0;
	return mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);
	char path[64];
	int userfd, mntfd;

	helper_name = "slipway-nsexec";
	if (next != 3)
		die_plain("usage: slipway-nsexec PID -- CMD...");
	snprintf(path, sizeof(path), "/proc/%s/ns/user", argv[1]);
	if ((userfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("cannot open %s", path);
	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", argv[1]);
	if ((mntfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("cannot open %s", path);
	if (!same_ns("user", userfd) && setns(userfd, CLONE_NEWUSER) < 0)
		die("cannot join the user namespace of %s", argv[1]);
	if (setns(mntfd, CLONE_NEWNS) < 0)
		die("cannot join the mount namespace of %s", argv[1]);
	close(userfd);
	close(mntfd);
	raise_ambient_caps();
	exec_next(argv + next);
}
