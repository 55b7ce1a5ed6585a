/*
 * slipway-unshare [--remap-root] [--setsid] -- CMD [ARGS...]
 * Creates a user and a mount namespace, maps the caller's uid and gid to themselves (or to 0 with
 * --remap-root), makes every mount a slave so nothing propagates back to the host, keeps the
 * capabilities across exec, and execs CMD. Needs no privilege: no setuid, no subuid ranges.
 * --setsid (kept containers) first starts a new session: the container then outlives its starter
 * without the SIGHUP and SIGCONT the kernel sends to a stopped process whose process group
 * becomes orphaned, and its process group (its pid) holds the whole container.
 */
#include "helper.h"

#include <sched.h>
#include <sys/mount.h>

int main(int argc, char **argv)
{
	int remap = 0, session = 0;
	int next = after_dashes(argc, argv);
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	helper_name = "slipway-unshare";
	for (int i = 1; i < next - 1; i++) {
		if (strcmp(argv[i], "--remap-root") == 0)
			remap = 1;
		else if (strcmp(argv[i], "--setsid") == 0)
			session = 1;
		else
			die_plain("unknown option %s", argv[i]);
	}
	if (session && setsid() < 0)
		die("setsid");
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		die("cannot create user and mount namespaces (are unprivileged user namespaces enabled?)");
	if (access("/proc/self/setgroups", F_OK) == 0)
		write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1\n", remap ? 0U : (unsigned)gid, (unsigned)gid);
	write_file("/proc/self/gid_map", map);
	snprintf(map, sizeof(map), "%u %u 1\n", remap ? 0U : (unsigned)uid, (unsigned)uid);
	write_file("/proc/self/uid_map", map);
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		die("cannot make / a slave mount");
	raise_ambient_caps();
	exec_next(argv + next);
}
