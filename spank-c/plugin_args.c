/*
 * plugstack.conf arguments and the --environment option. Every argument is optional: the defaults
 * derive from where the plugin itself is installed (PREFIX/lib/slurm/spank_slipway.so), so the
 * single line `required PREFIX/lib/slurm/spank_slipway.so` is a working setup.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"

struct plugin_config plugin_conf;
char *option_environment;

static const char *const level_names[] = {"error", "info", "verbose", "debug"};

void plog(int level, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	if (level > plugin_conf.log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	switch (level) {
	case LOG_ERROR:
		slurm_error("slipway: %s", line);
		break;
	case LOG_INFO:
		slurm_info("slipway: %s", line);
		break;
	case LOG_VERBOSE:
		slurm_verbose("slipway: %s", line);
		break;
	default:
		slurm_debug("slipway: %s", line);
	}
}

void plugin_error_lines(const char *text)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (len > 0)
			slurm_error("slipway: %.*s", len, p);
		p = nl ? nl + 1 : NULL;
	}
}

/* PREFIX from this shared object's own path: PREFIX/lib/slurm/spank_slipway.so. */
static int find_prefix(char *out, size_t size)
{
	Dl_info info;
	char path[PATH_MAX];

	if (dladdr((void *)find_prefix, &info) == 0 || info.dli_fname == NULL
	    || realpath(info.dli_fname, path) == NULL)
		return -1;
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(path, '/');
		if (slash == NULL)
			return -1;
		*slash = '\0';
	}
	snprintf(out, size, "%s", path[0] ? path : "/");
	return 0;
}

static int parse_bool(const char *key, const char *value, int *out)
{
	if (!strcmp(value, "1") || !strcasecmp(value, "true") || !strcasecmp(value, "yes") || !strcasecmp(value, "y")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(value, "0") || !strcasecmp(value, "false") || !strcasecmp(value, "no") || !strcasecmp(value, "n")) {
		*out = 0;
		return 0;
	}
	slurm_error("slipway: plugstack.conf: %s=%s: expected 1|true|yes or 0|false|no", key, value);
	return -1;
}

static int set_path(const char *key, const char *value, char *out, size_t size)
{
	if (value[0] != '/') {
		slurm_error("slipway: plugstack.conf: %s=%s: expected an absolute path", key, value);
		return -1;
	}
	if (snprintf(out, size, "%s", value) >= (int)size) {
		slurm_error("slipway: plugstack.conf: %s: path too long", key);
		return -1;
	}
	return 0;
}

#define KNOWN_KEYS "config, libjvm, classpath, cds_archive, java_option, sbatch_support, check_cache, log_level," \
	" timeout"

static int parse_one(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[64];

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(key)) {
		slurm_error("slipway: plugstack.conf: argument '%s' is not KEY=VALUE; known keys: " KNOWN_KEYS, arg);
		return -1;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	const char *value = eq + 1;
	if (!strcmp(key, "config"))
		return set_path(key, value, plugin_conf.config_file, sizeof(plugin_conf.config_file));
	if (!strcmp(key, "libjvm"))
		return set_path(key, value, plugin_conf.libjvm, sizeof(plugin_conf.libjvm));
	if (!strcmp(key, "classpath"))
		return set_path(key, value, plugin_conf.classpath, sizeof(plugin_conf.classpath));
	if (!strcmp(key, "cds_archive")) {
		if (!strcmp(value, "none")) {
			plugin_conf.cds_archive[0] = '\0';
			return 0;
		}
		return set_path(key, value, plugin_conf.cds_archive, sizeof(plugin_conf.cds_archive));
	}
	if (!strcmp(key, "java_option")) {
		if (plugin_conf.n_java_options == (int)(sizeof(plugin_conf.java_options) / sizeof(char *))) {
			slurm_error("slipway: plugstack.conf: too many java_option= arguments");
			return -1;
		}
		plugin_conf.java_options[plugin_conf.n_java_options++] = strdup(value);
		return 0;
	}
	if (!strcmp(key, "sbatch_support"))
		return parse_bool(key, value, &plugin_conf.sbatch_support);
	if (!strcmp(key, "check_cache"))
		return parse_bool(key, value, &plugin_conf.check_cache);
	if (!strcmp(key, "log_level")) {
		for (int i = 0; i <= LOG_DEBUG; i++) {
			if (!strcmp(value, level_names[i])) {
				plugin_conf.log_level = i;
				return 0;
			}
		}
		slurm_error("slipway: plugstack.conf: log_level=%s: expected error, info, verbose or debug", value);
		return -1;
	}
	if (!strcmp(key, "timeout")) {
		char *end;
		errno = 0;
		long seconds = strtol(value, &end, 10);
		if (errno || *end || seconds < 0 || seconds > 86400 * 7) {
			slurm_error("slipway: plugstack.conf: timeout=%s: expected seconds (0 = no limit)", value);
			return -1;
		}
		plugin_conf.timeout = (int)seconds;
		return 0;
	}
	slurm_error("slipway: plugstack.conf: unknown argument '%s'; known keys: " KNOWN_KEYS, key);
	return -1;
}

int plugin_parse_arguments(int ac, char **av)
{
	plugin_free_arguments();
	memset(&plugin_conf, 0, sizeof(plugin_conf));
	plugin_conf.sbatch_support = 1;
	plugin_conf.check_cache = 1;
	plugin_conf.log_level = LOG_INFO;
	plugin_conf.timeout = 3600;
	if (find_prefix(plugin_conf.prefix, sizeof(plugin_conf.prefix)) < 0) {
		slurm_error("slipway: cannot tell where the plugin is installed (dladdr failed)");
		return -1;
	}
	snprintf(plugin_conf.classpath, sizeof(plugin_conf.classpath), "%s/share/slipway/slipway.jar",
		 plugin_conf.prefix);
	snprintf(plugin_conf.cds_archive, sizeof(plugin_conf.cds_archive), "%s/share/slipway/slipway.jsa",
		 plugin_conf.prefix);
	if (access(plugin_conf.cds_archive, R_OK) != 0)
		plugin_conf.cds_archive[0] = '\0';
	for (int i = 0; i < ac; i++)
		if (parse_one(av[i]) < 0)
			return -1;
	return 0;
}

void plugin_free_arguments(void)
{
	for (int i = 0; i < plugin_conf.n_java_options; i++)
		free(plugin_conf.java_options[i]);
	plugin_conf.n_java_options = 0;
	free(option_environment);
	option_environment = NULL;
}

/*
 * The last value wins. Slurm calls the callback once for the option's environment variable
 * (SLURM_SPANK__SLURM_SPANK_OPTION_slipway_environment, which salloc and sbatch set for the job)
 * and then once more for the command line, in that order (sbatch: #SBATCH lines first), so a
 * step inside `salloc --environment=A` may choose `srun --environment=B`, as the command line
 * wins over the environment for every other option.
 */
static int on_environment(int val, const char *optarg, int remote)
{
	(void)val;
	(void)remote;
	if (optarg == NULL || optarg[0] == '\0') {
		slurm_error("slipway: --environment needs a value: an EDF name or a path to an EDF file");
		return -1;
	}
	char *copy = strdup(optarg);
	if (copy == NULL)
		return -1;
	free(option_environment);
	option_environment = copy;
	return 0;
}

static struct spank_option options[] = {
	{"environment", "NAME|PATH",
	 "Run the tasks in the container an EDF describes: a name searched in EDF_PATH, ~/.edf and the"
	 " system EDF directories, or a path (./x.toml, /abs/x.toml). [slipway]",
	 1, 0, on_environment},
	{"edf", "NAME|PATH", "Same as --environment. [slipway]", 1, 1, on_environment},
	SPANK_OPTIONS_TABLE_END
};

int plugin_register_options(spank_t sp)
{
	for (struct spank_option *o = options; o->name != NULL; o++) {
		if (spank_option_register(sp, o) != ESPANK_SUCCESS) {
			slurm_error("slipway: cannot register the --%s option", o->name);
			return -1;
		}
	}
	return 0;
}
