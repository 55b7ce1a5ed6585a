/*
 * srun, sbatch and salloc: reuse a submission check the Java core kept (io.slipway.slurm.CheckCache
 * describes the entry) instead of starting a JVM, when nothing the check read has changed: the
 * same key (EDF argument, working directory, config=, -v count), every file it looked at with
 * the same stat signature (or still absent), and the variables it could read with the same
 * values (compared by hash). Entries live in a directory only the user can write: the plugin trusts
 * what it reads there as much as the user's own EDF files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "json.h"
#include "plugin.h"

#define ENTRY_VERSION "1"
#define MAX_ENTRY (8 << 20)
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv(uint64_t hash, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		hash = (hash ^ (unsigned char)data[i]) * FNV_PRIME;
	return hash;
}

static uint64_t fnv_str0(uint64_t hash, const char *s)	/* s and its NUL */
{
	return fnv(hash, s, strlen(s) + 1);
}

/* A directory of ours that nobody else can write to. */
static int private_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && !(st.st_mode & 022);
}

int check_cache_path(char *path, size_t size, const char *environment, const char *cwd, const char *config,
		     int verbose)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR"), *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX], number[32];
	int n;

	/* The login session's tmpfs when this node has it (a batch job may carry another node's). */
	if (runtime != NULL && runtime[0] == '/' && private_dir(runtime))
		n = snprintf(dir, sizeof(dir), "%s/slipway", runtime);
	else if (cache != NULL && cache[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/slipway", cache);
	else if (home != NULL && home[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/.cache/slipway", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -1;
	snprintf(number, sizeof(number), "%d", verbose);
	uint64_t key = fnv_str0(FNV_OFFSET, environment);
	key = fnv_str0(key, cwd);
	key = fnv_str0(key, config ? config : "");
	key = fnv_str0(key, number);
	n = snprintf(path, size, "%s/check-%016" PRIx64 ".json", dir, key);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* What CheckCache.signature gives for path. */
static void signature(const char *path, char *out, size_t size)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(out, size, "-");
		return;
	}
	snprintf(out, size, "%ju:%ju:%o:%jd:%lld:%lld", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
		 (unsigned)st.st_mode, (intmax_t)st.st_size,
		 (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
		 (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
}

struct walk {
	int stale;		/* something differs */
	uint64_t hash;		/* of the variables, as CheckCache.variablesHash */
};

static void check_file(const char *entry, void *arg)
{
	struct walk *w = arg;
	const char *space = strchr(entry, ' ');
	char now[160];

	if (w->stale)
		return;
	if (space == NULL) {
		w->stale = 1;
		return;
	}
	signature(space + 1, now, sizeof(now));
	if ((size_t)(space - entry) != strlen(now) || strncmp(entry, now, (size_t)(space - entry)))
		w->stale = 1;
}

static void hash_variable(const char *name, void *arg)
{
	struct walk *w = arg;
	const char *value = getenv(name);

	w->hash = fnv_str0(w->hash, name);
	if (value == NULL) {
		w->hash = fnv_str0(w->hash, "!");
	} else {
		w->hash = fnv(w->hash, "=", 1);
		w->hash = fnv_str0(w->hash, value);
	}
}

/* Whether member key of json is the string (or scalar text) expected; NULL expects null or absent. */
static int member_is(const char *json, const char *key, const char *expected)
{
	char *value = json_member(json, key);
	int same = value == NULL ? expected == NULL : expected != NULL && !strcmp(value, expected);

	free(value);
	return same;
}

/* The entry's text when it is ours, private and a sane size. */
static char *read_private(const char *path)
{
	struct stat st;
	size_t len;
	char *dir = strdup(path), *slash, *text = NULL;

	if (dir == NULL)
		return NULL;
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && private_dir(dir) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid() &&
	    !(st.st_mode & 077) && st.st_size < MAX_ENTRY)
		text = fd_read_all(fd, &len);
	if (fd >= 0)
		close(fd);
	free(dir);
	return text;
}

char *check_cache_lookup(const char *path, const char *environment, const char *cwd, const char *config,
			 int verbose)
{
	char number[32], hash[32];
	struct walk w = {0, FNV_OFFSET};
	char *entry = read_private(path);

	if (entry == NULL)
		return NULL;
	snprintf(number, sizeof(number), "%d", verbose);
	if (!member_is(entry, "version", ENTRY_VERSION) || !member_is(entry, "environment", environment) ||
	    !member_is(entry, "cwd", cwd) || !member_is(entry, "config", config) ||
	    !member_is(entry, "verbose", number) || !member_is(entry, "ok", "true"))
		goto stale;
	if (json_each_string(entry, "files", check_file, &w) < 1 || w.stale)
		goto stale;
	if (json_each_string(entry, "variables", hash_variable, &w) < 0)
		goto stale;
	snprintf(hash, sizeof(hash), "%016" PRIx64, w.hash);
	if (!member_is(entry, "variables_hash", hash))
		goto stale;
	return entry;
stale:
	free(entry);
	return NULL;
}
