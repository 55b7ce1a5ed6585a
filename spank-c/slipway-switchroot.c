/*
 * slipway-switchroot [--readonly] [--sync STATUS_FIFO CONTROL_FIFO] [--envfile FILE]
 *                    [--workdir DIR] ROOT -- CMD [ARGS...]
 * The last step of a container start: reads the environment (FILE holds NUL-terminated
 * NAME=VALUE entries) while the host is still visible, makes ROOT the root with pivot_root and
 * detaches the old root, creates and enters the working directory, makes the root read-only when
 * asked, optionally reports "pivoted" to the Java core and waits for it (startContainer hooks),
 * drops privileges that are not the user's, and execs CMD with exactly that environment.
 */
#include "helper.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static char **read_env(const char *path)
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
		} else {
			die_plain("unknown option %s", argv[i]);
		}
	}
	if (i != next - 2 || next > argc)
		die_plain("usage: slipway-switchroot [options] ROOT -- CMD...");
	const char *root = argv[i];
	if (envfile != NULL)
		env = read_env(envfile);
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
	execvp(argv[next], argv + next);
	int code = errno == ENOENT ? 127 : 126;
	fprintf(stderr, "slipway: %s: %s\n", argv[next], strerror(errno));
	exit(code);
}
