/*
 * slurmstepd (the remote context): one container per node and step, started by the first task
 * through the Java core, joined by every task in C, stopped by the last task to exit.
 *
 * user_init runs once before the tasks fork: it records the job's facts and maps the shared block
 * (a process-shared robust mutex and counters) that every task inherits. It never fails the step
 * itself, because Slurm does not pass user_init failures on to srun; a problem is stored and
 * reported by task_init instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurm.h>

#include "fdio.h"
#include "json.h"
#include "plugin.h"

struct shared {
	pthread_mutex_t mutex;
	int started_tasks;		/* tasks that joined: the last one resumes the keeper */
	int completed_tasks;		/* tasks that exited: the last one stops the container */
	pid_t pid;			/* the container's keeper: 0 not yet, -1 the start failed */
	unsigned long long start_time;	/* the keeper's start time, so a reused pid is never signalled */
	int stop_in_c;			/* no poststop hooks: stop without starting a JVM */
	char runtime_dir[PATH_MAX];
	char error[8192];
};

static struct shared *shm;

static struct {
	int enabled;
	struct java_identity id;
	uint32_t jobid, stepid, local_tasks;
	char *carry;
	char *batch_script;
	char failure[1024];	/* a user_init problem, reported by task_init */
} step;

/* A variable of the job's environment, whole (spank_getenv needs a buffer size up front). */
static const char *job_getenv(spank_t sp, const char *name)
{
	char **env = NULL;
	size_t len = strlen(name);

	if (spank_get_item(sp, S_JOB_ENV, &env) != ESPANK_SUCCESS || env == NULL)
		return NULL;
	for (; *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

int remote_user_init(spank_t sp)
{
	const char *carry = job_getenv(sp, CARRY_VARIABLE);

	if (option_environment == NULL && carry == NULL)
		return 0;
	if (spank_get_item(sp, S_JOB_STEPID, &step.stepid) != ESPANK_SUCCESS)
		return 0;
	/* The extern step holds no tasks, and the interactive step is the user's shell on the node. */
	if (step.stepid == SLURM_EXTERN_CONT || step.stepid == SLURM_INTERACTIVE_STEP) {
		plog(LOG_DEBUG, "not containerizing step %u", step.stepid);
		return 0;
	}
	step.enabled = 1;
	if (carry != NULL && (step.carry = strdup(carry)) == NULL)
		snprintf(step.failure, sizeof(step.failure), "out of memory");
	/* The tasks must not see it, and steps started inside a batch job must not inherit it. */
	spank_unsetenv(sp, CARRY_VARIABLE);
	if (spank_get_item(sp, S_JOB_UID, &step.id.uid) != ESPANK_SUCCESS
	    || spank_get_item(sp, S_JOB_GID, &step.id.gid) != ESPANK_SUCCESS
	    || spank_get_item(sp, S_JOB_ID, &step.jobid) != ESPANK_SUCCESS
	    || spank_get_item(sp, S_JOB_LOCAL_TASK_COUNT, &step.local_tasks) != ESPANK_SUCCESS) {
		snprintf(step.failure, sizeof(step.failure), "cannot read the job's user, id or task count from Slurm");
	}
	gid_t *gids = NULL;
	int ngids = 0;
	if (spank_get_item(sp, S_JOB_SUPPLEMENTARY_GIDS, &gids, &ngids) == ESPANK_SUCCESS && ngids > 0) {
		step.id.gids = malloc(sizeof(gid_t) * (size_t)ngids);
		if (step.id.gids != NULL) {
			memcpy(step.id.gids, gids, sizeof(gid_t) * (size_t)ngids);
			step.id.ngids = ngids;
		}
	}
	if (step.stepid == SLURM_BATCH_SCRIPT) {
		int argc = 0;
		char **argv = NULL;
		if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) == ESPANK_SUCCESS && argc > 0 && argv[0][0] == '/')
			step.batch_script = strdup(argv[0]);
	}
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		shm = NULL;
		snprintf(step.failure, sizeof(step.failure), "cannot map shared memory: %s", strerror(errno));
		return 0;
	}
	memset(shm, 0, sizeof(*shm));
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (pthread_mutex_init(&shm->mutex, &attr) != 0)
		snprintf(step.failure, sizeof(step.failure), "cannot initialise the shared mutex");
	pthread_mutexattr_destroy(&attr);
	return 0;
}

/* What the plugin reads of /proc/PID/stat. */
struct proc_stat {
	char state;			/* R, S, T, Z... */
	pid_t ppid, pgrp;
	unsigned long long start_time;	/* clock ticks since boot: with the pid, names one process */
};

static int read_proc_stat(pid_t pid, struct proc_stat *st)
{
	char path[64];
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *buf = file_read_all(path, &len);
	char *p = buf ? strrchr(buf, ')') : NULL;	/* the command name may hold spaces and ')' */
	int ok = p != NULL && sscanf(p + 1, " %c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d"
				   " %*d %*d %llu", &st->state, &st->ppid, &st->pgrp, &st->start_time) == 4;
	free(buf);
	return ok ? 0 : -1;
}

/* The process's start time, 0 when it is gone. */
static unsigned long long start_time_of(pid_t pid)
{
	struct proc_stat st;
	return read_proc_stat(pid, &st) == 0 ? st.start_time : 0;
}

static void show(const char *line, void *arg)
{
	plog(LOG_INFO, "%s", line);
	if (*(const int *)arg)
		dprintf(STDERR_FILENO, "slipway: %s\n", line);
}

/* Kills, with their process groups, the children this subreaper adopted, until none is left. */
static void kill_adopted_children(void)
{
	pid_t self = getpid();

	for (int round = 0; round < 100; round++) {
		int found = 0;
		DIR *proc = opendir("/proc");
		if (proc == NULL)
			return;
		struct dirent *e;
		while ((e = readdir(proc)) != NULL) {
			pid_t pid = (pid_t)atoi(e->d_name);
			struct proc_stat st;
			if (pid <= 0 || read_proc_stat(pid, &st) < 0 || st.ppid != self)
				continue;
			found = 1;
			if (st.pgrp == pid)
				kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, WNOHANG);
		}
		closedir(proc);
		if (!found)
			return;
		usleep(20000);
	}
}

/* The first task: asks the Java core to import the image and start the container. */
static void start_container(spank_t sp)
{
	char cwd[PATH_MAX], node[256], error[4096];
	char **env = NULL;
	struct jbuf req;

	spank_get_item(sp, S_JOB_ENV, &env);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "/");
	/*
	 * Slurm's node name, not the host name: it names the container and its runtime directory,
	 * and several slurmds on one host (a test cluster, or multiple-slurmd) share the host name.
	 */
	const char *slurm_node = job_getenv(sp, "SLURMD_NODENAME");
	if (slurm_node != NULL && slurm_node[0] != '\0')
		snprintf(node, sizeof(node), "%s", slurm_node);
	else if (gethostname(node, sizeof(node)) != 0)
		snprintf(node, sizeof(node), "localhost");
	jb_init(&req);
	jb_open(&req, NULL);
	jb_string(&req, "op", "start");
	jb_string(&req, "environment", option_environment);
	jb_string(&req, "carry", step.carry);
	jb_string(&req, "cwd", cwd);
	jb_string(&req, "config", plugin_conf.config_file[0] ? plugin_conf.config_file : NULL);
	jb_string(&req, "batch_script", step.batch_script);
	jb_open(&req, "job");
	jb_number(&req, "job_id", step.jobid);
	jb_number(&req, "step_id", step.stepid);
	jb_number(&req, "uid", step.id.uid);
	jb_number(&req, "gid", step.id.gid);
	jb_number(&req, "local_tasks", step.local_tasks);
	jb_string(&req, "node", node);
	jb_close(&req);
	jb_environ(&req, "env", env);
	jb_close(&req);
	if (req.failed) {
		jb_free(&req);
		snprintf(shm->error, sizeof(shm->error), "out of memory");
		shm->pid = -1;
		return;
	}
	/*
	 * While the Java core starts the container, this task is a child subreaper: whatever the JVM
	 * started is re-parented here, not to init, if the JVM dies. On failure it is all killed, so
	 * a crashed or killed JVM leaves no stray process even under proctrack/linuxproc; on success
	 * the keeper stays this task's child, inside the step, as the container is under Pyxis.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	char *answer = java_request(req.data, &step.id, error, sizeof(error));
	jb_free(&req);
	if (answer == NULL) {
		kill_adopted_children();
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		snprintf(shm->error, sizeof(shm->error), "%s", error);
		shm->pid = -1;
		return;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	char *ok = json_member(answer, "ok");
	char *pid = json_member(answer, "pid");
	char *dir = json_member(answer, "runtime_dir");
	char *verbose = json_member(answer, "verbose");
	if (ok != NULL && !strcmp(ok, "true") && pid != NULL && atol(pid) > 0 && dir != NULL) {
		int to_stderr = verbose != NULL && !strcmp(verbose, "true");
		shm->pid = (pid_t)atol(pid);
		shm->start_time = start_time_of(shm->pid);
		snprintf(shm->runtime_dir, sizeof(shm->runtime_dir), "%s", dir);
		char *stop = json_member(answer, "stop");
		shm->stop_in_c = stop != NULL && !strcmp(stop, "signal");
		free(stop);
		json_each_string(answer, "messages", show, &to_stderr);
	} else {
		char *message = json_member(answer, "error");
		snprintf(shm->error, sizeof(shm->error), "%s", message ? message : "the Java core gave a damaged answer");
		free(message);
		shm->pid = -1;
	}
	free(ok);
	free(pid);
	free(dir);
	free(verbose);
	free(answer);
}

static int passes_through(const char *name)
{
	return !strncmp(name, "SLURM_", 6) || !strncmp(name, "PMI", 3);
}

static int in_environ(const char *environ_buf, size_t len, const char *name, size_t name_len)
{
	for (const char *p = environ_buf; p < environ_buf + len; p += strlen(p) + 1)
		if (!strncmp(p, name, name_len) && p[name_len] == '=')
			return 1;
	return 0;
}

/*
 * The task's environment becomes the container's: its values win, names it lacks are removed,
 * and Slurm's per-task variables (SLURM_*, PMI*, PMIX*) stay as Slurm set them for this task.
 * Such names that Slurm did not set for the task come from the container (the PMIx hook's
 * PMIX_MCA_*, an EDF's SLURM_* setting).
 */
static int apply_environment(spank_t sp, pid_t pid)
{
	char path[64];
	size_t len;
	char **env = NULL;
	char probe[2];

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	char *container = file_read_all(path, &len);
	if (container == NULL)
		return -1;
	for (char *p = container; p < container + len; p += strlen(p) + 1) {
		char *eq = strchr(p, '=');
		if (eq == NULL || eq == p)
			continue;
		*eq = '\0';
		if (!passes_through(p) || spank_getenv(sp, p, probe, sizeof(probe)) == ESPANK_ENV_NOEXIST)
			spank_setenv(sp, p, eq + 1, 1);
		*eq = '=';
	}
	if (spank_get_item(sp, S_JOB_ENV, &env) == ESPANK_SUCCESS && env != NULL) {
		char *doomed[1024];
		int n = 0;
		for (char **e = env; *e && n < 1024; e++) {
			char *eq = strchr(*e, '=');
			if (eq == NULL || passes_through(*e) || in_environ(container, len, *e, (size_t)(eq - *e)))
				continue;
			doomed[n++] = strndup(*e, (size_t)(eq - *e));
		}
		for (int i = 0; i < n; i++) {
			if (doomed[i] != NULL)
				spank_unsetenv(sp, doomed[i]);
			free(doomed[i]);
		}
	}
	free(container);
	return 0;
}

/* setns into the keeper's namespaces: user first (it grants the rights for the rest), never pid. */
static int join_namespaces(pid_t pid, char *error, size_t size)
{
	static const char *const kinds[] = {"user", "cgroup", "mnt", "ipc", "uts", "net"};
	int fds[6];
	char path[64];
	struct stat theirs, ours;

	for (int i = 0; i < 6; i++) {
		fds[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT && i != 0 && i != 2)
				continue;
			snprintf(error, size, "cannot open %s: %s", path, strerror(errno));
			goto fail;
		}
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
		if (fstat(fd, &theirs) == 0 && stat(path, &ours) == 0 && theirs.st_ino == ours.st_ino
		    && theirs.st_dev == ours.st_dev) {
			close(fd);
			continue;
		}
		fds[i] = fd;
	}
	if (fds[2] < 0) {
		snprintf(error, size, "the container has no mount namespace of its own");
		goto fail;
	}
	for (int i = 0; i < 6; i++) {
		if (fds[i] >= 0 && setns(fds[i], 0) < 0) {
			snprintf(error, size, "cannot join the container's %s namespace: %s", kinds[i], strerror(errno));
			goto fail;
		}
	}
	for (int i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
fail:
	for (int i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -1;
}

int remote_task_init(spank_t sp)
{
	char error[1024], path[64], cwd[PATH_MAX];

	if (!step.enabled)
		return 0;
	if (step.failure[0] || shm == NULL) {
		slurm_error("slipway: %s", step.failure[0] ? step.failure : "no shared memory");
		return -1;
	}
	int rc = pthread_mutex_lock(&shm->mutex);
	if (rc == EOWNERDEAD) {
		/* A task was killed while starting the container: whatever it left is not usable. */
		pthread_mutex_consistent(&shm->mutex);
		if (shm->pid == 0) {
			shm->pid = -1;
			snprintf(shm->error, sizeof(shm->error), "the task starting the container died");
		}
	} else if (rc != 0) {
		slurm_error("slipway: cannot lock the shared mutex: %s", strerror(rc));
		return -1;
	}
	int first = 0;
	if (shm->pid == 0) {
		first = 1;
		start_container(sp);
	}
	pid_t pid = shm->pid;
	pthread_mutex_unlock(&shm->mutex);

	if (pid <= 0) {
		if (first)
			plugin_error_lines(shm->error);
		else
			slurm_error("slipway: the container was not started (another task on this node reported why)");
		return -1;
	}
	if (apply_environment(sp, pid) < 0) {
		slurm_error("slipway: cannot read the container's environment (/proc/%d/environ): %s", (int)pid,
			    strerror(errno));
		return -1;
	}
	if (join_namespaces(pid, error, sizeof(error)) < 0) {
		slurm_error("slipway: %s", error);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	ssize_t n = readlink(path, cwd, sizeof(cwd) - 1);
	cwd[n > 0 ? n : 0] = '\0';
	if (n <= 0 || chdir(cwd) < 0) {
		slurm_error("slipway: cannot enter the container's working directory %s: %s", n > 0 ? cwd : "?",
			    strerror(errno));
		return -1;
	}
	if (__atomic_add_fetch(&shm->started_tasks, 1, __ATOMIC_SEQ_CST) == (int)step.local_tasks)
		kill(pid, SIGCONT);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* poll(2) on one descriptor, resumed after a signal; 0 when the time ran out. */
static int poll_quietly(struct pollfd *p, int timeout_ms)
{
	int n;

	while ((n = poll(p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return n;
}

/* Kernels before 5.3 have no pidfd: watch /proc every 10 ms, SIGKILL after a second. */
static void wait_gone_by_polling(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		struct proc_stat st;
		if (read_proc_stat(pid, &st) < 0 || st.state == 'Z' || st.start_time != shm->start_time)
			break;
		if (i == 199 || (i >= 100 && i % 50 == 0)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		usleep(10000);
	}
}

/*
 * What ContainerStarter.stopKept does when there are no poststop hooks, without a JVM: the
 * keeper gets SIGTERM (after 2 s its whole session gets SIGKILL; the FUSE daemons die with it),
 * and the runtime directory is removed as the job user. The mounts live only in the container's
 * mount namespace, so on this side they are plain directories.
 */
static void stop_in_c(void)
{
	pid_t pid = shm->pid;

	/* Opened before the start time is checked, so it cannot name a process that reused the pid. */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (shm->start_time != 0 && start_time_of(pid) == shm->start_time) {
		kill(pid, SIGTERM);
		kill(pid, SIGCONT);
		if (pidfd >= 0) {
			/* Readable once the keeper has exited: no polling interval to wait out. */
			struct pollfd gone = {.fd = pidfd, .events = POLLIN};
			if (poll_quietly(&gone, 1000) == 0) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				poll_quietly(&gone, 1000);
			}
		} else {
			wait_gone_by_polling(pid);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	pid_t child = fork();
	if (child == 0) {
		if ((geteuid() == 0 && setgroups((size_t)step.id.ngids, step.id.gids) < 0)
		    || setresgid(step.id.gid, step.id.gid, step.id.gid) < 0
		    || setresuid(step.id.uid, step.id.uid, step.id.uid) < 0)
			_exit(1);
		_exit(nftw(shm->runtime_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : 1);
	}
	int status;
	while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (child < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(shm->runtime_dir, F_OK) == 0)
		plog(LOG_ERROR, "could not remove the container's runtime directory %s", shm->runtime_dir);
}

/* The last task out stops the container: poststop hooks, the keeper, the runtime directory. */
int remote_task_exit(spank_t sp)
{
	char error[4096];
	struct jbuf req;

	(void)sp;
	if (!step.enabled || shm == NULL)
		return 0;
	if (__atomic_add_fetch(&shm->completed_tasks, 1, __ATOMIC_SEQ_CST) != (int)step.local_tasks || shm->pid <= 0)
		return 0;
	if (shm->stop_in_c) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		stop_in_c();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		plog(LOG_INFO, "container stopped in %ld ms (keeper pid %d, %s)",
		     (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000), (int)shm->pid,
		     shm->runtime_dir);
		shm->pid = -1;
		return 0;
	}
	jb_init(&req);
	jb_open(&req, NULL);
	jb_string(&req, "op", "stop");
	jb_string(&req, "runtime_dir", shm->runtime_dir);
	jb_string(&req, "config", plugin_conf.config_file[0] ? plugin_conf.config_file : NULL);
	jb_close(&req);
	char *answer = req.failed ? NULL : java_request(req.data, &step.id, error, sizeof(error));
	jb_free(&req);
	if (answer == NULL) {
		plog(LOG_ERROR, "stopping the container: %s", error);
	} else {
		char *ok = json_member(answer, "ok");
		if (ok == NULL || strcmp(ok, "true") != 0) {
			char *message = json_member(answer, "error");
			plog(LOG_ERROR, "stopping the container: %s", message ? message : "damaged answer");
			free(message);
		} else {
			plog(LOG_INFO, "container stopped (keeper pid %d, %s)", (int)shm->pid, shm->runtime_dir);
		}
		free(ok);
		free(answer);
	}
	/* Whatever the Java core managed, the keeper must not outlive the step. */
	if (shm->start_time != 0 && start_time_of(shm->pid) == shm->start_time)
		kill(shm->pid, SIGKILL);
	shm->pid = -1;
	return 0;
}

int remote_exit(spank_t sp)
{
	(void)sp;
	if (shm != NULL) {
		munmap(shm, sizeof(*shm));
		shm = NULL;
	}
	free(step.carry);
	free(step.batch_script);
	free(step.id.gids);
	memset(&step, 0, sizeof(step));
	return 0;
}
