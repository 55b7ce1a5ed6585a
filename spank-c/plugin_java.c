/*
 * Running the Java core: fork, switch to the job user, exec the JNI host with one request, read
 * its answer. Nothing between fork and exec allocates: slurmstepd and srun are multi-threaded, so
 * the child may only make async-signal-safe calls. The wait forwards SIGTERM and SIGINT (scancel,
 * Ctrl-C) to the host, enforces the timeout, and turns a crash, an OOM exit or a silent exit into
 * a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "plugin.h"

#define HOST_PATH "%s/libexec/slipway/slipway-jvmhost"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* JAVA_HOME's libjvm, for a JDK or a JRE layout. */
static int from_java_home(const char *home, char *out, size_t size)
{
	if (home == NULL || home[0] == '\0')
		return -1;
	snprintf(out, size, "%s/lib/server/libjvm.so", home);
	if (is_file(out))
		return 0;
	snprintf(out, size, "%s/jre/lib/server/libjvm.so", home);
	return is_file(out) ? 0 : -1;
}

/*
 * libjvm, in the documented order: libjvm=, then JAVA_HOME, then the `java` on PATH (its real
 * path is JAVA_HOME/bin/java), then the distribution's default locations.
 */
static int find_libjvm(char *out, size_t size)
{
	char path[PATH_MAX], resolved[PATH_MAX];
	const char *search = getenv("PATH");

	if (plugin_conf.libjvm[0]) {
		snprintf(out, size, "%s", plugin_conf.libjvm);
		return 0;
	}
	if (from_java_home(getenv("JAVA_HOME"), out, size) == 0)
		return 0;
	for (const char *p = search ? search : DEFAULT_PATH; p && *p;) {
		const char *colon = strchr(p, ':');
		int len = colon ? (int)(colon - p) : (int)strlen(p);
		snprintf(path, sizeof(path), "%.*s/java", len, p);
		if (len > 0 && access(path, X_OK) == 0 && realpath(path, resolved) != NULL) {
			char *bin = strrchr(resolved, '/');
			if (bin && bin > resolved) {
				*bin = '\0';
				char *home = strrchr(resolved, '/');
				if (home) {
					*home = '\0';
					if (from_java_home(resolved, out, size) == 0)
						return 0;
				}
			}
		}
		p = colon ? colon + 1 : NULL;
	}
	const char *defaults[] = {"/usr/lib/jvm/default-java", "/usr/lib/jvm/java-17-openjdk-amd64",
				  "/usr/lib/jvm/java-17-openjdk-arm64", "/usr/lib/jvm/jre-17", "/usr/lib/jvm/java-17", NULL};
	for (int i = 0; defaults[i]; i++)
		if (from_java_home(defaults[i], out, size) == 0)
			return 0;
	glob_t g;
	if (glob("/usr/lib/jvm/*/lib/server/libjvm.so", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(out, size, "%s", g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
		return 0;
	}
	snprintf(out, size, "/usr/lib/jvm/default-java/lib/server/libjvm.so");
	return -1;
}

static volatile sig_atomic_t pending_signal;

static void remember(int sig)
{
	pending_signal = sig;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Kills the host and waits for it, however it went. */
static int reap(pid_t pid, int sig)
{
	int status = 0;

	if (sig)
		kill(pid, sig);
	for (int i = 0; sig && i < 40; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(50000);
	}
	if (sig)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

char *java_request(const char *request, const struct java_identity *id, char *error, size_t error_size)
{
	char libjvm[PATH_MAX], host[PATH_MAX], classpath[PATH_MAX + 64], prefix[PATH_MAX + 64];
	char cds[PATH_MAX + 64], native[PATH_MAX + 64];
	char *argv[48];
	int argc = 0;
	char *envp[] = {"PATH=" DEFAULT_PATH, "LANG=C.UTF-8", NULL};
	int sv[2];

	if (find_libjvm(libjvm, sizeof(libjvm)) < 0 && !is_file(libjvm)) {
		snprintf(error, error_size, "no Java 17 runtime found on this node (looked at libjvm=, JAVA_HOME,"
			 " the java on PATH and /usr/lib/jvm); install one or set libjvm= in plugstack.conf");
		return NULL;
	}
	snprintf(host, sizeof(host), HOST_PATH, plugin_conf.prefix);
	snprintf(classpath, sizeof(classpath), "-Djava.class.path=%s", plugin_conf.classpath);
	snprintf(prefix, sizeof(prefix), "-Dslipway.prefix=%s", plugin_conf.prefix);
	snprintf(native, sizeof(native), "-Dslipway.native.library=%s/lib/slipway/libslipway.so", plugin_conf.prefix);
	argv[argc++] = host;
	argv[argc++] = libjvm;
	argv[argc++] = classpath;
	argv[argc++] = prefix;
	argv[argc++] = native;
	/*
	 * Start-up matters more than peak speed for one request: C1 only, one compiler thread (more
	 * compete with the request's own thread on small nodes: ~10 ms), serial GC, CDS.
	 */
	argv[argc++] = "-XX:TieredStopAtLevel=1";
	argv[argc++] = "-XX:CICompilerCount=1";
	argv[argc++] = "-XX:+UseSerialGC";
	argv[argc++] = "-XX:-UsePerfData";
	argv[argc++] = "-XX:+ExitOnOutOfMemoryError";
	argv[argc++] = "-Xss1m";
	if (plugin_conf.cds_archive[0]) {
		snprintf(cds, sizeof(cds), "-XX:SharedArchiveFile=%s", plugin_conf.cds_archive);
		argv[argc++] = cds;
		argv[argc++] = "-Xlog:cds=off";
		argv[argc++] = "-Xlog:cds+dynamic=off";
	}
	for (int i = 0; i < plugin_conf.n_java_options; i++)
		argv[argc++] = plugin_conf.java_options[i];
	argv[argc] = NULL;
	if (access(host, X_OK) != 0) {
		snprintf(error, error_size, "the JNI host %s is missing (is Slipway installed under %s?)", host,
			 plugin_conf.prefix);
		return NULL;
	}
	long started = now_ms();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(error, error_size, "socketpair: %s", strerror(errno));
		return NULL;
	}
	int as_other = geteuid() != id->uid || getuid() != id->uid;
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(error, error_size, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		/* slurmd and slurmstepd run with oom_score_adj -1000; the Java core must not. */
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "0", 1) < 0) {
				/* Not fatal: only the OOM killer's preference. */
			}
			close(fd);
		}
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 3) < 0)
			_exit(126);
		if (fcntl(2, F_GETFD) < 0) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0 && null != 2)
				dup2(null, 2);
		}
		syscall(SYS_close_range, 4, ~0U, 0);
		if (as_other) {
			if ((geteuid() == 0 && setgroups((size_t)id->ngids, id->gids) < 0)
			    || setresgid(id->gid, id->gid, id->gid) < 0 || setresuid(id->uid, id->uid, id->uid) < 0)
				_exit(126);
		}
		signal(SIGPIPE, SIG_DFL);
		execve(host, argv, envp);
		_exit(127);
	}
	close(sv[1]);

	struct sigaction act = {.sa_handler = remember}, old_term, old_int;
	sigemptyset(&act.sa_mask);
	pending_signal = 0;
	sigaction(SIGTERM, &act, &old_term);
	sigaction(SIGINT, &act, &old_int);

	char *answer = NULL;
	size_t len = 0, cap = 0;
	int killed_by_us = 0, timed_out = 0;
	if (fd_write_all(sv[0], request, strlen(request)) < 0 || shutdown(sv[0], SHUT_WR) < 0) {
		/* The host died early: its status tells why. */
	}
	long deadline = plugin_conf.timeout > 0 ? now_ms() + plugin_conf.timeout * 1000L : 0;
	for (;;) {
		if (pending_signal) {
			kill(pid, pending_signal);
			killed_by_us = pending_signal;
			pending_signal = 0;
		}
		int wait_ms = 1000;
		if (deadline) {
			long left = deadline - now_ms();
			if (left <= 0) {
				timed_out = 1;
				break;
			}
			wait_ms = left < wait_ms ? (int)left : wait_ms;
		}
		struct pollfd pfd = {sv[0], POLLIN, 0};
		int r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (len + 4096 > cap) {
			char *grown = realloc(answer, cap = cap ? cap * 2 : 65536);
			if (grown == NULL)
				break;
			answer = grown;
		}
		ssize_t n = recv(sv[0], answer + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(sv[0]);
	int status = reap(pid, timed_out ? SIGTERM : 0);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);

	plog(LOG_DEBUG, "Java core request took %ld ms", now_ms() - started);
	if (timed_out) {
		snprintf(error, error_size, "the Java core did not answer within %d s (timeout= in plugstack.conf)",
			 plugin_conf.timeout);
		free(answer);
		return NULL;
	}
	if (answer != NULL && len > 0) {
		answer[len] = '\0';
		return answer;
	}
	free(answer);
	if (WIFSIGNALED(status))
		snprintf(error, error_size, "the Java core was killed by signal %d%s", WTERMSIG(status),
			 killed_by_us ? " (the step was cancelled)" : " (a JVM crash or the OOM killer; see the slurmd log)");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(error, error_size, "cannot run the JNI host %s", host);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		snprintf(error, error_size, "cannot switch to the job user (uid %u) to run the Java core", (unsigned)id->uid);
	else
		snprintf(error, error_size, "the Java core exited with status %d without answering%s",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			 WIFEXITED(status) && WEXITSTATUS(status) == 3 ? " (out of memory: raise -Xmx with java_option=)" : "");
	return NULL;
}
