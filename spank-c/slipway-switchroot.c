/*
 * slipway-switchroot [--readonly] [--sync STATUS_FIFO CONTROL_FIFO] [--envfile FILE]
 *                    [--workdir DIR] [--keeper KEEPER --ready STATUS_FIFO] ROOT -- CMD [ARGS...]
 * The last step of a container start: reads the environment (FILE holds NUL-terminated
 * NAME=VALUE entries) while the host is still visible, makes ROOT the root with pivot_root and
 * detaches the old root, creates and enters the working directory, makes the root read-only when
 * asked, optionally reports "pivoted" to the Java core and waits for it (startContainer hooks),
 * drops privileges that are not the user's, and execs CMD with exactly that environment.
 * --keeper and --ready (kept containers): the host binary KEEPER and the FIFO are opened before
 * the pivot on the fixed descriptors of helper.h, kept open across exec; a CMD that is
 * SLIPWAY_KEEPER_REF is exec'd from the descriptor (execveat), and an entrypoint in CMD reaches
 * the keeper through the same name in its "$@".
 */
#include "helper.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static void mkdirs(const char *dir)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				die("cannot create working directory %s", buf);
			*p = '/';
		}
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die("cannot create working directory %s", buf);
}

static void drop_privileges(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("cannot set no_new_privs");
	if (geteuid() == 0)
		return;	/* remapped root keeps its capabilities inside the user namespace */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("cannot drop capabilities");
}

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);
	int readonly = 0, i;
	const char *sync_out = NULL, *sync_in = NULL, *envfile = NULL, *workdir = "/";
	const char *keeper = NULL, *ready = NULL;
	char **env = NULL;

	helper_name = "slipway-switchroot";
	for (i = 1; i < next - 2; i++) {
		if (strcmp(argv[i], "--readonly") == 0) {
			readonly = 1;
		} else if (strcmp(argv[i], "--sync") == 0 && i + 2 < next - 2) {
			sync_out = argv[++i];
			sync_in = argv[++i];
		} else if (strcmp(argv[i], "--envfile") == 0 && i + 1 < next - 2) {
			envfile = argv[++i];
		} else if (strcmp(argv[i], "--workdir") == 0 && i + 1 < next - 2) {
			workdir = argv[++i];
		} else if (strcmp(argv[i], "--keeper") == 0 && i + 1 < next - 2) {
			keeper = argv[++i];
		} else if (strcmp(argv[i], "--ready") == 0 && i + 1 < next - 2) {
			ready = argv[++i];
		} else {
			die_plain("unknown option %s", argv[i]);
		}
	}
	if (i != next - 2 || next > argc)
		die_plain("usage: slipway-switchroot [options] ROOT -- CMD...");
	const char *root = argv[i];
	if (envfile != NULL)
		env = read_env(envfile);
	if (keeper != NULL) {	/* host files: open them before the pivot (see helper.h) */
		int fd = open(keeper, O_RDONLY);
		if (fd < 0)
			die("cannot open the keeper %s", keeper);
		move_fd(fd, SLIPWAY_KEEPER_FD);
	}
	if (ready != NULL) {
		int fd = open(ready, O_WRONLY);
		if (fd < 0)
			die("cannot open %s", ready);
		move_fd(fd, SLIPWAY_READY_FD);
	}
	int sync_outfd = -1, sync_infd = -1;
	if (sync_out != NULL)	/* the FIFOs live on the host: open them before the pivot */
		sync_open(sync_out, sync_in, &sync_outfd, &sync_infd);

	if (chdir(root) < 0)
		die("cannot enter %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root into %s", root);
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		die("cannot make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		die("cannot detach the old root");
	if (chdir("/") < 0)
		die("chdir /");
	mkdirs(workdir);
	if (readonly) {
		struct statvfs st;
		unsigned long keep = 0;
		if (statvfs("/", &st) == 0)
			keep = (st.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (st.f_flag & ST_NODEV ? MS_NODEV : 0)
				| (st.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
		if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
			die("cannot make the root filesystem read-only");
	}
	if (sync_out != NULL) {
		sync_fds(sync_outfd, sync_infd, "pivoted");
		close(sync_outfd);
		close(sync_infd);
	}
	if (chdir(workdir) < 0)
		die("cannot enter working directory %s", workdir);
	drop_privileges();
	if (env != NULL)
		environ = env;
	if (next >= argc)
		die_plain("no command to run");
	if (keeper != NULL && strcmp(argv[next], SLIPWAY_KEEPER_REF) == 0) {
		syscall(SYS_execveat, SLIPWAY_KEEPER_FD, "", argv + next, environ, AT_EMPTY_PATH);
		die("cannot exec the keeper");
	}
	execvp(argv[next], argv + next);
	int code = errno == ENOENT ? 127 : 126;
	fprintf(stderr, "slipway: %s: %s\n", argv[next], strerror(errno));
	exit(code);
}
