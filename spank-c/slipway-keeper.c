/*
 * slipway-keeper
 * The last program of a kept container (the Slurm mode, docs/runtime.md): exec'd by
 * slipway-switchroot, or by the image entrypoint through "$@", with the container's final
 * environment and working directory, so /proc/PID/{ns,environ,cwd} describe the container for the
 * tasks that join it. It writes "ready PID\n" on SLIPWAY_READY_FD (the status FIFO of the Java
 * core, when that descriptor is open), then stops itself with SIGSTOP. After a SIGCONT it stays,
 * reaping children (the FUSE daemons of slipway-rootfs are its children and die with it, taking
 * the root filesystem along), until SIGTERM, SIGINT or SIGHUP (exit 0) or SIGKILL.
 * Arguments are ignored. Static, and never looked up by path: see helper.h.
 */
#include "helper.h"

#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	sigset_t wanted;
	char line[64];

	helper_name = "slipway-keeper";
	/* With execveat(AT_EMPTY_PATH) the kernel may name the process after the descriptor. */
	prctl(PR_SET_NAME, "slipway-keeper", 0, 0, 0);
	/* The descriptor it was exec'd from: nothing else needs it, and joining tasks must not see it. */
	close(SLIPWAY_KEEPER_FD);

	/*
	 * Dispositions and the mask are inherited across exec (an entrypoint may ignore SIGTERM):
	 * start from defaults and take the signals synchronously, so none is lost between the
	 * stop and the wait.
	 */
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGTERM);
	sigaddset(&wanted, SIGINT);
	sigaddset(&wanted, SIGHUP);
	sigaddset(&wanted, SIGCHLD);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	if (sigprocmask(SIG_SETMASK, &wanted, NULL) < 0)
		die("sigprocmask");

	if (fcntl(SLIPWAY_READY_FD, F_GETFD) >= 0) {
		int len = snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
		if (write(SLIPWAY_READY_FD, line, (size_t)len) != len)
			die("cannot report readiness");
		close(SLIPWAY_READY_FD);
	}
	raise(SIGSTOP);

	for (;;) {
		int sig = sigwaitinfo(&wanted, NULL);
		if (sig < 0)
			continue;	/* EINTR: a stop and continue */
		if (sig != SIGCHLD)
			return 0;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
