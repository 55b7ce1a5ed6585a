/*
 * The Slipway SPANK plugin (spank_slipway.so): what its context files share. The plugin is a thin
 * shim: it parses its plugstack.conf arguments and the --environment option, and hands every
 * decision to the Java core, which it reaches by exec'ing the JNI host (slipway-jvmhost) as the
 * job user. One file per context, like Pyxis: plugin_dispatch.c (the slurm_spank_* symbols),
 * plugin_args.c (options and plugstack arguments), plugin_local.c (srun, sbatch, salloc),
 * plugin_remote.c (slurmstepd), plugin_java.c (running the JNI host), check_cache.c (reusing an
 * unchanged submission check without the JNI host).
 */
#ifndef SLIPWAY_PLUGIN_H
#define SLIPWAY_PLUGIN_H

#include <limits.h>
#include <sys/types.h>

#include <slurm/spank.h>

/* The job's copy of the EDF, set by srun/sbatch/salloc in their environment so it travels with the job. */
#define CARRY_VARIABLE "SLIPWAY_EDF_CARRIED"
/* The input variable equivalent of --environment for scripts (a command-line option wins). */
#define INPUT_VARIABLE "SLIPWAY_ENVIRONMENT"

enum log_level { LOG_ERROR, LOG_INFO, LOG_VERBOSE, LOG_DEBUG };

struct plugin_config {
	char prefix[PATH_MAX - 256];	/* the installation, from the plugin's own path */
	char config_file[PATH_MAX];	/* config=: the Slipway configuration file ("" = the default) */
	char libjvm[PATH_MAX];		/* libjvm=, else found at first use */
	char classpath[PATH_MAX];	/* classpath= */
	char cds_archive[PATH_MAX];	/* cds_archive=: "" = none */
	char *java_options[32];		/* java_option= (repeatable) */
	int n_java_options;
	int sbatch_support;		/* sbatch_support= */
	int check_cache;		/* check_cache=: reuse unchanged submission checks (check_cache.c) */
	int log_level;			/* log_level= */
	int timeout;			/* timeout=: seconds a Java request may take, 0 = no limit */
};

extern struct plugin_config plugin_conf;

/* The --environment value given on this command line (or forwarded to slurmstepd), or NULL. */
extern char *option_environment;

/* plugin_args.c */
int plugin_parse_arguments(int ac, char **av);
int plugin_register_options(spank_t sp);
void plugin_free_arguments(void);
void plog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* plugin_local.c: srun, sbatch and salloc */
int local_init_post_opt(spank_t sp);

/* plugin_remote.c: slurmstepd */
int remote_user_init(spank_t sp);
int remote_task_init(spank_t sp);
int remote_task_exit(spank_t sp);
int remote_exit(spank_t sp);

/* check_cache.c: submission checks kept by the Java core, reused while nothing they read changed */
/* The entry for this check in path (0), or -1 when the user has no private place for one. */
int check_cache_path(char *path, size_t size, const char *environment, const char *cwd, const char *config,
		     int verbose);
/* The kept answer (malloc'ed JSON, as java_request gives) when it still holds, else NULL. */
char *check_cache_lookup(const char *path, const char *environment, const char *cwd, const char *config,
			 int verbose);

/* plugin_java.c */
struct java_identity {
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	int ngids;
};
/*
 * Runs one request through the JNI host as identity (a no-op switch when already that user) and
 * returns the answer (malloc'ed), or NULL with a message in error. The host's stderr is ours, so
 * the Java core's warnings and progress reach the user directly.
 */
char *java_request(const char *request, const struct java_identity *identity, char *error, size_t error_size);
/* Logs each line of text through slurm_error with the "slipway: " prefix. */
void plugin_error_lines(const char *text);

#endif
