/*
 * The slurm_spank_* entry points: each one sends the call to the file of its context. These are
 * the only symbols the plugin exports (see the version script in the Makefile).
 */
#include <string.h>

#include "plugin.h"

SPANK_PLUGIN(slipway, 1)

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t context = spank_context();

	if (plugin_parse_arguments(ac, av) < 0)
		return -1;
	switch (context) {
	case S_CTX_LOCAL:
	case S_CTX_REMOTE:
		return plugin_register_options(sp);
	case S_CTX_ALLOCATOR:
		return plugin_conf.sbatch_support ? plugin_register_options(sp) : 0;
	default:
		return 0;
	}
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	switch (spank_context()) {
	case S_CTX_LOCAL:
		return local_init_post_opt(sp);
	case S_CTX_ALLOCATOR:
		return plugin_conf.sbatch_support ? local_init_post_opt(sp) : 0;
	default:
		return 0;
	}
}

int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return spank_context() == S_CTX_REMOTE ? remote_user_init(sp) : 0;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return spank_context() == S_CTX_REMOTE ? remote_task_init(sp) : 0;
}

int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return spank_context() == S_CTX_REMOTE ? remote_task_exit(sp) : 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	if (spank_context() == S_CTX_REMOTE)
		remote_exit(sp);
	plugin_free_arguments();
	return 0;
}

/* Must exist: without it Slurm 20.02+ does not call slurm_spank_init in slurmd. */
int slurm_spank_slurmd_exit(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	return 0;
}
