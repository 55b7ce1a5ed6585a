/*
 * slipway-rootfs [--fuse-overlayfs] [--prepare FILE] IMAGE DIR -- CMD [ARGS...]
 * Mounts the squashfs IMAGE, without extracting it, as the container's root filesystem at
 * DIR/rootfs: squashfuse_ll (else squashfuse) on DIR/lower, a tmpfs on DIR/rw for the upper layer,
 * and an overlay of the two (the kernel's, else fuse-overlayfs), so changes vanish at exit. Runs
 * inside the namespaces slipway-unshare made. The FUSE daemons are children of this process with
 * PR_SET_PDEATHSIG, so they die with the container process and the mounts go with the namespace,
 * each in a process group of its own, so terminal signals reach the command only.
 * --prepare FILE lists container directories (one per line) in which the container's user must be
 * able to create mount points: each existing directory on the way is copied (mode only) into the
 * upper layer before the overlay is mounted, so the overlay shows it owned by the user. Without
 * this, an unmapped owner (root in the image, when the user is not remapped to root) would make
 * them read-only even to the namespace's capabilities. A line naming a regular file copies the
 * file too (content and mode), so the user may replace it (/etc/ld.so.cache for ldconfig).
 */
#include "helper.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* Starts a FUSE daemon in the foreground as a child that dies with us. */
static pid_t spawn_daemon(char *const argv[], const char *fallback)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid > 0)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(125);
	/* Out of the terminal's foreground group: a Ctrl-C, Ctrl-\ or Ctrl-Z meant for the command
	 * must not end or stop the daemon that serves its root filesystem. */
	setpgid(0, 0);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	execvp(argv[0], argv);
	if (fallback != NULL) {
		((char **)argv)[0] = (char *)fallback;
		execvp(argv[0], argv);
	}
	die("cannot exec %s", argv[0]);
}

/* Waits until something is mounted on dir, or fails if the daemon died or 10 s passed. */
static void wait_mounted(const char *dir, pid_t daemon, const char *what)
{
	struct stat parent_st, st;
	char parent[4096];
	struct timespec pause = {0, 200000};

	snprintf(parent, sizeof(parent), "%s/..", dir);
	if (stat(parent, &parent_st) < 0)
		die("cannot stat %s", parent);
	for (int i = 0; i < 50000; i++) {
		int status;
		if (stat(dir, &st) == 0 && st.st_dev != parent_st.st_dev)
			return;
		if (waitpid(daemon, &status, WNOHANG) == daemon) {
			errno = 0;
			die_plain("%s exited before mounting %s", what, dir);
		}
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 5000000)
			pause.tv_nsec *= 2;
	}
	kill(daemon, SIGKILL);
	die_plain("%s did not mount %s within 10 seconds", what, dir);
}

/*
 * Copies the regular file L into the upper layer at U (content and mode), so the overlay shows it
 * owned by the user, who may then replace it (ldconfig renames a new /etc/ld.so.cache over the
 * old one: a rename over a lower file copies it up first, which fails for an unmapped owner).
 */
static void prepare_file_copy(const char *l, const char *u, mode_t mode)
{
	int in = open(l, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(u, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	char buf[65536];
	ssize_t n;

	if (in < 0 || out < 0) {
		if (in >= 0)
			close(in);
		if (errno == EEXIST)
			return;
		die("cannot prepare %s", u);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t done = 0, w; done < n; done += w)
			if ((w = write(out, buf + done, (size_t)(n - done))) < 0)
				die("cannot prepare %s", u);
	if (n < 0)
		die("cannot prepare %s", u);
	close(in);
	close(out);
}

/*
 * Copies each existing directory on the way to PATH from the lower layer into the upper one, and
 * PATH itself when it is a regular file.
 */
static void prepare_path(const char *lower, const char *upper, const char *path)
{
	char rel[4096], l[8192], u[8192];
	struct stat st;

	snprintf(rel, sizeof(rel), "%s", path);
	for (char *p = rel; *p; p++) {
		if (p[1] != '/' && p[1] != '\0')
			continue;
		char saved = p[1];
		p[1] = '\0';
		snprintf(l, sizeof(l), "%s/%s", lower, rel);
		snprintf(u, sizeof(u), "%s/%s", upper, rel);
		p[1] = saved;
		if (lstat(l, &st) == 0 && S_ISREG(st.st_mode) && saved == '\0') {
			prepare_file_copy(l, u, st.st_mode);
			return;
		}
		if (lstat(l, &st) < 0 || !S_ISDIR(st.st_mode))
			return;	/* missing, a file on the way or a symlink: nothing to do on this path */
		if (mkdir(u, st.st_mode & 07777) < 0 && errno != EEXIST)
			die("cannot prepare %s", u);
		chmod(u, st.st_mode & 07777);
	}
}

static void prepare(const char *lower, const char *upper, const char *file)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(file, "re");

	if (f == NULL)
		die("cannot open %s", file);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (line[0] == '/')
			prepare_path(lower, upper, line);
	}
	free(line);
	fclose(f);
}

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);
	int fuse_overlay = 0;
	int first = 1;
	char lower[4096], rw[4096], upper[4096], work[4096], root[4096], opts[16384];
	struct stat lst;

	helper_name = "slipway-rootfs";
	const char *prepare_file = NULL;
	for (;;) {
		if (first < next && strcmp(argv[first], "--fuse-overlayfs") == 0) {
			fuse_overlay = 1;
			first++;
		} else if (first + 1 < next && strcmp(argv[first], "--prepare") == 0) {
			prepare_file = argv[first + 1];
			first += 2;
		} else {
			break;
		}
	}
	if (next - 1 - first != 2)
		die_plain("usage: slipway-rootfs [--fuse-overlayfs] [--prepare FILE] IMAGE DIR -- CMD...");
	const char *image = argv[first];
	const char *dir = argv[first + 1];
	snprintf(lower, sizeof(lower), "%s/lower", dir);
	snprintf(rw, sizeof(rw), "%s/rw", dir);
	snprintf(upper, sizeof(upper), "%s/rw/upper", dir);
	snprintf(work, sizeof(work), "%s/rw/work", dir);
	snprintf(root, sizeof(root), "%s/rootfs", dir);

	char *squash[] = {"squashfuse_ll", "-f", (char *)image, lower, NULL};
	pid_t daemon = spawn_daemon(squash, "squashfuse");
	wait_mounted(lower, daemon, "squashfuse");

	if (mount("tmpfs", rw, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		die("cannot mount a tmpfs on %s", rw);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		die("cannot create the overlay directories in %s", rw);
	/* The root directory of the container takes its mode from the upper layer. */
	if (stat(lower, &lst) == 0)
		chmod(upper, lst.st_mode & 07777);
	if (prepare_file != NULL)
		prepare(lower, upper, prepare_file);

	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (fuse_overlay || mount("overlay", root, "overlay", 0, opts) < 0) {
		strncat(opts, ",noxattrs=1", sizeof(opts) - strlen(opts) - 1);
		char *overlay[] = {"fuse-overlayfs", "-f", "-o", opts, root, NULL};
		pid_t ov = spawn_daemon(overlay, NULL);
		wait_mounted(root, ov, "fuse-overlayfs");
	}
	exec_next(argv + next);
}
