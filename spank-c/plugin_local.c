/*
 * srun, sbatch and salloc (the local and allocator contexts): resolve and check the EDF with the
 * user's environment and working directory before anything is queued, so a bad EDF fails the
 * command at once with file:line; then put the EDF's text in this process's environment, which
 * Slurm copies into the job, so the compute nodes need not read the user's files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "json.h"
#include "plugin.h"

extern char **environ;

/*
 * How many -v the user gave this command: the Java core's decisions are shown from one -v on.
 * SPANK exposes no verbosity, so read our own command line up to the first word that is not an
 * option (the command to run).
 */
static int verbosity(void)
{
	size_t n;
	int count = 0;
	char *buf = file_read_all("/proc/self/cmdline", &n);

	if (buf == NULL || n == 0) {
		free(buf);
		return 0;
	}
	for (char *p = buf + strlen(buf) + 1; p < buf + n; p += strlen(p) + 1) {
		if (p[0] != '-' || !strcmp(p, "--"))
			break;
		if (!strcmp(p, "--verbose"))
			count++;
		else if (p[1] == 'v' && strspn(p + 1, "v") == strlen(p + 1))
			count += (int)strlen(p + 1);
	}
	free(buf);
	return count;
}

static void show(const char *line, void *arg)
{
	(void)arg;
	slurm_info("slipway: %s", line);
}

/* The Java core's check of the EDF (validate), which keeps a clean answer in cache when given one. */
static char *check(const char *environment, const char *cwd, const char *config, int verbose, const char *cache,
		   char *error, size_t error_size)
{
	struct jbuf req;

	jb_init(&req);
	jb_open(&req, NULL);
	jb_string(&req, "op", "validate");
	jb_string(&req, "environment", environment);
	jb_string(&req, "cwd", cwd);
	jb_string(&req, "config", config);
	jb_number(&req, "verbose", verbose);
	jb_string(&req, "check_cache", cache);
	jb_environ(&req, "env", environ);
	jb_close(&req);
	if (req.failed) {
		jb_free(&req);
		snprintf(error, error_size, "out of memory");
		return NULL;
	}
	struct java_identity me = {getuid(), getgid(), NULL, 0};
	char *answer = java_request(req.data, &me, error, error_size);
	jb_free(&req);
	return answer;
}

int local_init_post_opt(spank_t sp)
{
	const char *environment = option_environment;
	char cwd[PATH_MAX], error[4096];

	(void)sp;
	if (environment == NULL) {
		const char *input = getenv(INPUT_VARIABLE);
		if (input != NULL && input[0] != '\0')
			environment = input;
	}
	if (environment == NULL)
		return 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		slurm_error("slipway: cannot read the working directory: %s", strerror(errno));
		return -1;
	}
	int verbose = verbosity();
	const char *config = plugin_conf.config_file[0] ? plugin_conf.config_file : NULL;
	char cache[PATH_MAX];
	int cached = plugin_conf.check_cache &&
		     check_cache_path(cache, sizeof(cache), environment, cwd, config, verbose) == 0;
	char *answer = cached ? check_cache_lookup(cache, environment, cwd, config, verbose) : NULL;
	if (answer != NULL) {
		if (verbose > 0)
			slurm_info("slipway: EDF check reused: nothing it read has changed since %s", cache);
	} else {
		answer = check(environment, cwd, config, verbose, cached ? cache : NULL, error, sizeof(error));
		if (answer == NULL) {
			slurm_error("slipway: %s", error);
			return -1;
		}
	}
	char *ok = json_member(answer, "ok");
	int rc = -1;
	if (ok != NULL && !strcmp(ok, "true")) {
		char *carry = json_member(answer, "carry");
		if (carry != NULL && setenv(CARRY_VARIABLE, carry, 1) == 0)
			rc = 0;
		else
			slurm_error("slipway: cannot pass the EDF on to the job (%s)", carry ? strerror(errno) : "no EDF in the answer");
		free(carry);
		if (verbose > 0)
			json_each_string(answer, "messages", show, NULL);
	} else {
		char *message = json_member(answer, "error");
		plugin_error_lines(message ? message : "the Java core gave a damaged answer");
		free(message);
	}
	free(ok);
	free(answer);
	return rc;
}
