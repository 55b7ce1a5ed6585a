package io.slipway.hooks.builtin;

import java.util.Map;

/** The step id a container's environment names, for the hooks that work per Slurm step. */
final class SlurmStep {

    private SlurmStep() {}

    /** SLURM_STEP_ID, or SLURM_STEPID as older Slurm and some launchers set it; null outside a step. */
    static String stepId(Map<String, String> env) {
        return env.getOrDefault("SLURM_STEP_ID", env.get("SLURM_STEPID"));
    }
}
