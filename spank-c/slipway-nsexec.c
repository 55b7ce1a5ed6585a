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
 * --root DIR --daemon-pidfile PATH --log LOG [--pidfile FILE]... starts a server the container keeps (the
 * SSH hook's dropbear), before the container's pivot_root: after joining PID's user and mount
 * namespaces it opens each FILE (a host path: that namespace still shows the host's tree),
 * changes its root to DIR (the container's root as that namespace names it) and runs CMD there as
 * the plain user, with no capabilities (none are raised into the ambient set). CMD must daemonize
 * and write its daemon's pid to PATH (inside DIR). This waits for CMD as a child subreaper, so the
 * daemon, however many forks away, becomes our child; the daemon is the pid PATH names once that
 * process is our child (a pid in PATH alone could be stale; our orphans alone include the
 * intermediate processes of a double fork). That pid goes into each FILE. CMD's output (and so
 * the daemon's, which may keep it) is appended to the host file LOG, never to our streams, which
 * a caller reads to their end; when CMD fails, LOG is copied to stderr. Exits with CMD's status.
 */
#include "helper.h"

#include <time.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

/* The parent pid of PID, or 0. */
static pid_t parent_of(pid_t pid)
{
	char path[64], line[512];
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	/* pid (comm) state ppid: comm may hold spaces and parentheses, so parse after the last ')'. */
	char *end = strrchr(line, ')');
	if (end == NULL || sscanf(end + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

static pid_t pid_in(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

/* Copies LOG to stderr and exits with STATUS: CMD failed. */
__attribute__((noreturn)) static void fail_with_log(int log, int status)
{
	char buf[4096];
	ssize_t n;

	lseek(log, 0, SEEK_SET);
	while ((n = read(log, buf, sizeof(buf))) > 0)
		if (write(2, buf, (size_t)n) < 0)
			break;
	exit(status);
}

static void start_daemon(const char *root, const char *daemon_pidfile, const char *logfile, char **pidfiles,
			 int npidfiles, char **cmd)
{
	int fds[8];
	int status;
	pid_t daemon = 0;
	struct timespec pause = {0, 1000000};
	int log = open(logfile, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (log < 0)
		die("cannot create %s", logfile);
	for (int i = 0; i < npidfiles; i++)
		if ((fds[i] = open(pidfiles[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
			die("cannot create %s", pidfiles[i]);
	if (chroot(root) < 0 || chdir("/") < 0)
		die("cannot change root to %s", root);
	if (unlink(daemon_pidfile) < 0 && errno != ENOENT)
		die("cannot remove the old %s", daemon_pidfile);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("cannot become a child subreaper");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (dup2(log, 1) < 0 || dup2(log, 2) < 0)
			die("cannot redirect to %s", logfile);
		exec_next(cmd);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_with_log(log, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	/* The daemon writes its pidfile right after forking away; 10 s is far beyond any real delay. */
	for (int i = 0; i < 10000 && daemon == 0; i++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;	/* the intermediate processes of the daemon's forks */
		pid_t named = pid_in(daemon_pidfile);
		if (named > 0 && parent_of(named) == getpid())
			daemon = named;
		else
			nanosleep(&pause, NULL);
	}
	if (daemon == 0) {
		fprintf(stderr, "%s: %s left no daemon that wrote its pid to %s\n", helper_name, cmd[0], daemon_pidfile);
		fail_with_log(log, 125);
	}
	for (int i = 0; i < npidfiles; i++)
		if (dprintf(fds[i], "%d\n", (int)daemon) < 0 || close(fds[i]) < 0)
			die("cannot write %s", pidfiles[i]);
	exit(0);
}

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);
	int task = argc > 1 && strcmp(argv[1], "--task") == 0;
	const char *root = NULL, *daemon_pidfile = NULL, *logfile = NULL;
	char *pidfiles[8];
	int npidfiles = 0, arg = 1 + task;
	char path[64];
	int userfd, mntfd;

	helper_name = "slipway-nsexec";
	while (!task && arg + 1 < next - 1) {
		if (strcmp(argv[arg], "--root") == 0)
			root = argv[arg + 1];
		else if (strcmp(argv[arg], "--log") == 0)
			logfile = argv[arg + 1];
		else if (strcmp(argv[arg], "--daemon-pidfile") == 0)
			daemon_pidfile = argv[arg + 1];
		else if (strcmp(argv[arg], "--pidfile") == 0 && npidfiles < 8)
			pidfiles[npidfiles++] = argv[arg + 1];
		else
			break;
		arg += 2;
	}
	const char *pid = argv[arg];
	if (next != arg + 2 || (root == NULL) != (daemon_pidfile == NULL) || (root == NULL) != (logfile == NULL)
	    || (npidfiles > 0 && root == NULL))
		die_plain("usage: slipway-nsexec [--task | --root DIR --daemon-pidfile PATH --log LOG [--pidfile FILE]...] "
			  "PID -- CMD...");
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
	if (root != NULL)
		start_daemon(root, daemon_pidfile, logfile, pidfiles, npidfiles, argv + next);
	raise_ambient_caps();
	exec_next(argv + next);
}
