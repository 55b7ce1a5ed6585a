/*
 * slipway-mount ROOT FSTAB [-- CMD [ARGS...]]
 * Performs the mounts of an fstab-style plan (FSTAB, or "-" for stdin) under ROOT, in order, then
 * execs CMD if given. One entry per line: SOURCE TARGET [TYPE [OPTIONS]], octal escapes (\040)
 * in fields, '#' comments. A lone SOURCE means "SOURCE SOURCE none rbind,x-create=auto".
 * TARGET is resolved inside ROOT with openat2(RESOLVE_IN_ROOT): symlinks never lead out of it.
 * Options: the usual flags (ro rw nosuid nodev noexec bind rbind private rprivate slave rslave
 * shared rshared...), x-create=dir|file|auto (create a missing TARGET), nofail (errors only
 * warn); anything else is passed to the filesystem. TYPE "symlink" creates a symbolic link
 * TARGET -> SOURCE instead of mounting. Bind remounts keep the flags the kernel locks in a user
 * namespace.
 */
#include "helper.h"

#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

enum create { CREATE_NONE, CREATE_DIR, CREATE_FILE, CREATE_AUTO };

struct entry {
	char *source, *target, *type;
	unsigned long flags, propagation;
	unsigned long set;	/* flags to apply by a bind remount */
	int bind, nofail;
	enum create create;
	char data[4096];
};

static const char *plan_name;
static int line_no;

static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Opens TARGET as an O_PATH descriptor, creating it (and missing parents) inside the root. */
static int open_target(int rootfd, const char *target, enum create create, int fail_is_fatal)
{
	char buf[4096];
	int fd = open_in_root(rootfd, target, O_PATH);

	if (fd >= 0 || errno != ENOENT || create == CREATE_NONE)
		return fd;
	snprintf(buf, sizeof(buf), "%s", target);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		int last = saved == '\0';
		*p = '\0';
		char *slash = strrchr(buf, '/');
		int dirfd;
		if (slash == buf) {
			dirfd = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
		} else {
			*slash = '\0';
			dirfd = open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
			*slash = '/';
		}
		if (dirfd < 0)
			return -1;
		const char *name = slash + 1;
		if (*name != '\0') {
			if (last && create == CREATE_FILE) {
				int f = openat(dirfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (f >= 0)
					close(f);
				else if (errno != EEXIST)
					return close(dirfd), -1;
			} else if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
				return close(dirfd), -1;
			}
		}
		close(dirfd);
		*p = saved;
		if (last)
			break;
	}
	(void)fail_is_fatal;
	return open_in_root(rootfd, target, O_PATH);
}

static void unescape(char *s)
{
	char *out = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static const struct {
	const char *name;
	unsigned long set, clear;
} FLAGS[] = {
	{"ro", MS_RDONLY, 0}, {"rw", 0, MS_RDONLY}, {"nosuid", MS_NOSUID, 0}, {"suid", 0, MS_NOSUID},
	{"nodev", MS_NODEV, 0}, {"dev", 0, MS_NODEV}, {"noexec", MS_NOEXEC, 0}, {"exec", 0, MS_NOEXEC},
	{"noatime", MS_NOATIME, 0}, {"nodiratime", MS_NODIRATIME, 0}, {"relatime", MS_RELATIME, 0},
	{"strictatime", MS_STRICTATIME, 0}, {"defaults", 0, 0},
};

static const struct {
	const char *name;
	unsigned long flags;
} PROPAGATION[] = {
	{"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"slave", MS_SLAVE},
	{"rslave", MS_SLAVE | MS_REC}, {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
	{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static void parse_options(struct entry *e, char *opts)
{
	for (char *opt = strtok(opts, ","); opt != NULL; opt = strtok(NULL, ",")) {
		int known = 0;
		for (size_t i = 0; i < sizeof(FLAGS) / sizeof(FLAGS[0]); i++) {
			if (strcmp(opt, FLAGS[i].name) == 0) {
				e->flags = (e->flags | FLAGS[i].set) & ~FLAGS[i].clear;
				e->set |= FLAGS[i].set | FLAGS[i].clear;
				known = 1;
			}
		}
		for (size_t i = 0; i < sizeof(PROPAGATION) / sizeof(PROPAGATION[0]); i++) {
			if (strcmp(opt, PROPAGATION[i].name) == 0) {
				e->propagation = PROPAGATION[i].flags;
				known = 1;
			}
		}
		if (known)
			continue;
		if (strcmp(opt, "bind") == 0) {
			e->bind = 1;
		} else if (strcmp(opt, "rbind") == 0) {
			e->bind = 2;
		} else if (strcmp(opt, "nofail") == 0 || strcmp(opt, "silent") == 0) {
			e->nofail = 1;
		} else if (strncmp(opt, "x-create=", 9) == 0) {
			const char *v = opt + 9;
			e->create = strcmp(v, "dir") == 0 ? CREATE_DIR : strcmp(v, "file") == 0 ? CREATE_FILE
				: strcmp(v, "auto") == 0 ? CREATE_AUTO : CREATE_NONE;
			if (e->create == CREATE_NONE)
				die_plain("%s:%d: x-create must be dir, file or auto", plan_name, line_no);
		} else if (strncmp(opt, "x-", 2) == 0) {
			/* Other extension options are for other tools. */
		} else {
			size_t len = strlen(e->data);
			snprintf(e->data + len, sizeof(e->data) - len, "%s%s", len ? "," : "", opt);
		}
	}
}

/* Flags a bind remount must keep because the kernel locks them in a user namespace. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs st;
	unsigned long out = 0;

	if (statvfs(path, &st) < 0)
		return 0;
	if (st.f_flag & ST_NOSUID)
		out |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		out |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		out |= MS_NOEXEC;
	if (st.f_flag & ST_RDONLY)
		out |= MS_RDONLY;
	if (st.f_flag & ST_NOATIME)
		out |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME)
		out |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME)
		out |= MS_RELATIME;
	return out;
}

static int fail(struct entry *e, const char *what)
{
	int saved = errno;
	fprintf(stderr, "%s: %s:%d: %s %s: %s: %s\n", helper_name, plan_name, line_no, e->source,
		e->target, what, strerror(saved));
	return e->nofail ? 0 : -1;
}

static int apply(int rootfd, struct entry *e)
{
	char path[64];
	struct stat st;
	int fd;

	if (strcmp(e->type, "symlink") == 0) {
		char *slash = strrchr(e->target, '/');
		int dirfd;
		if (slash == NULL || slash[1] == '\0')
			return errno = EINVAL, fail(e, "bad symlink target");
		*slash = '\0';
		dirfd = open_target(rootfd, *e->target ? e->target : "/", CREATE_DIR, 1);
		*slash = '/';
		if (dirfd < 0)
			return fail(e, "cannot open the link's directory");
		if (symlinkat(e->source, dirfd, slash + 1) < 0 && errno != EEXIST)
			return close(dirfd), fail(e, "cannot create symlink");
		close(dirfd);
		return 0;
	}
	if (e->create == CREATE_AUTO)
		e->create = (e->bind && stat(e->source, &st) == 0 && !S_ISDIR(st.st_mode)) ? CREATE_FILE : CREATE_DIR;
	if (e->bind && stat(e->source, &st) < 0)
		return fail(e, "source");
	if ((fd = open_target(rootfd, e->target, e->create, 1)) < 0)
		return fail(e, "cannot resolve the target in the root");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (e->bind) {
		if (mount(e->source, path, NULL, MS_BIND | (e->bind == 2 ? MS_REC : 0), NULL) < 0)
			return close(fd), fail(e, "bind mount");
	} else if (mount(e->source, path, e->type, e->flags, e->data[0] ? e->data : NULL) < 0) {
		return close(fd), fail(e, "mount");
	}
	close(fd);
	/* Remount and propagation changes act on the new mount, so open the target again. */
	if ((fd = open_target(rootfd, e->target, CREATE_NONE, 1)) < 0)
		return fail(e, "cannot reopen the target");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (e->bind && e->set != 0) {
		unsigned long keep = locked_flags(path) & ~e->set;
		if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | e->flags | keep, NULL) < 0)
			return close(fd), fail(e, "remount with flags");
	}
	if (e->propagation != 0 && mount(NULL, path, NULL, e->propagation, NULL) < 0)
		return close(fd), fail(e, "set propagation");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);
	int nargs = next <= argc && strcmp(argv[next - 1], "--") == 0 ? next - 1 : argc;
	char *line = NULL;
	size_t cap = 0;
	FILE *plan;
	int rootfd;

	helper_name = "slipway-mount";
	if (nargs != 3)
		die_plain("usage: slipway-mount ROOT FSTAB|- [-- CMD...]");
	plan_name = argv[2];
	if ((rootfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("cannot open root %s", argv[1]);
	plan = strcmp(plan_name, "-") == 0 ? stdin : fopen(plan_name, "re");
	if (plan == NULL)
		die("cannot open %s", plan_name);
	while (getline(&line, &cap, plan) >= 0) {
		struct entry e = {0};
		char *fields[4] = {0};
		int n = 0;
		line_no++;
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		for (char *tok = strtok(line, " \t\n"); tok != NULL && n < 4; tok = strtok(NULL, " \t\n"))
			fields[n++] = tok;
		if (n == 0)
			continue;
		char *opts = n >= 4 ? strdup(fields[3]) : NULL;
		for (int i = 0; i < n; i++)
			unescape(fields[i]);
		e.source = fields[0];
		e.target = n >= 2 ? fields[1] : fields[0];
		e.type = n >= 3 ? fields[2] : "none";
		if (n == 1) {
			e.bind = 2;
			e.create = CREATE_AUTO;
		}
		if (opts != NULL) {
			parse_options(&e, opts);
			free(opts);
		}
		if (apply(rootfd, &e) < 0)
			exit(125);
	}
	if (next < argc)
		exec_next(argv + next);
	return 0;
}
