package io.slipway.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.SlipwayException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request from the plugin, as it wrote it (spank-c/plugin_local.c and plugin_remote.c).
 *
 * @param op {@code validate} (srun, sbatch, salloc), {@code start} or {@code stop} (slurmstepd)
 * @param environment the --environment value, or null when only the carried EDF names it
 * @param carry what {@code validate} answered, as the job carried it, or null
 * @param config the plugin's config= argument, or null for the default file
 * @param env the environment of the user (validate) or of the first task (start)
 * @param batchScript the batch script on the node, to be visible in the container, or null
 * @param checkCache where a clean validate answer is to be kept for the plugin to reuse, or null
 */
record PluginRequest(String op, String environment, String carry, Path cwd, String config, int verbose,
        Map<String, String> env, Job job, String batchScript, Path runtimeDir, Path checkCache) {

    /** The step a start request is for. */
    record Job(long jobId, long stepId, int uid, int gid, int localTasks, String node) {}

    static PluginRequest of(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("op").isTextual()) {
            throw new SlipwayException("the plugin's request is not a JSON object with an \"op\"");
        }
        Map<String, String> env = new LinkedHashMap<>();
        json.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        JsonNode j = json.path("job");
        Job job = j.isObject() ? new Job(j.path("job_id").asLong(), j.path("step_id").asLong(), j.path("uid").asInt(),
                j.path("gid").asInt(), j.path("local_tasks").asInt(1), j.path("node").asText("")) : null;
        String cwd = text(json, "cwd");
        if (cwd != null) {
            // A shell exports PWD; a job started by a program (or with --export=NONE) may lack it,
            // and EDFs commonly mount ${PWD}: it is the directory the job runs in either way.
            env.putIfAbsent("PWD", cwd);
        }
        String runtimeDir = text(json, "runtime_dir");
        String checkCache = text(json, "check_cache");
        return new PluginRequest(json.path("op").asText(), text(json, "environment"), text(json, "carry"),
                Path.of(cwd != null ? cwd : "/"), text(json, "config"), json.path("verbose").asInt(0), env, job,
                text(json, "batch_script"), runtimeDir != null ? Path.of(runtimeDir) : null,
                checkCache != null ? Path.of(checkCache) : null);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The caller's environment, with the plugin's config= argument standing in for SLIPWAY_CONFIG. */
    Map<String, String> configEnvironment() {
        if (config == null) {
            return env;
        }
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put("SLIPWAY_CONFIG", config);
        return copy;
    }
}
