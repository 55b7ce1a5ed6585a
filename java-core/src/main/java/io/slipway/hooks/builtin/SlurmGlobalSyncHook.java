package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The Slurm global sync hook ({@code com.hooks.slurm-global-sync.enabled = "true"}): the
 * container start of a step waits until the containers of every node of the step have got this
 * far, so that no task starts before all containers exist (an SSH-based launcher would otherwise
 * connect to a node whose container is still starting). Slipway runs one container per node per
 * step, so the members are nodes: {@code SLURM_NODEID} of {@code SLURM_STEP_NUM_NODES}.
 *
 * <p>The meeting place is {@code HOOK_BASE_DIR/USER/.oci-hooks/slurm-global-sync/jobid-J-stepid-S}
 * (the hook file's {@code HOOK_BASE_DIR}, as with Sarus), or without it the same under the user's
 * home directory; it must be on a filesystem every node of the step shares.
 * {@code SYNC_TIMEOUT} (seconds, default 300) bounds the wait; then the start fails naming the
 * nodes that never arrived.
 */
final class SlurmGlobalSyncHook implements BuiltinHook {

    static final String NAME = "slurm-global-sync";
    static final int DEFAULT_TIMEOUT_S = 300;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        Map<String, String> env = ctx.env();
        String job = env.get("SLURM_JOB_ID");
        String step = SlurmStep.stepId(env);
        String node = env.get("SLURM_NODEID");
        String nodes = env.getOrDefault("SLURM_STEP_NUM_NODES", env.get("SLURM_NNODES"));
        if (job == null || step == null || node == null || nodes == null) {
            out.note("not in a Slurm step (SLURM_JOB_ID, SLURM_STEP_ID, SLURM_NODEID, SLURM_STEP_NUM_NODES): "
                    + "nothing to wait for");
            return;
        }
        int size;
        int member;
        try {
            size = Integer.parseInt(nodes.trim());
            member = Integer.parseInt(node.trim());
        } catch (NumberFormatException e) {
            throw new SlipwayException("slurm-global-sync: SLURM_NODEID '" + node + "' and SLURM_STEP_NUM_NODES '"
                    + nodes + "' must be numbers");
        }
        long timeout;
        try {
            timeout = Long.parseLong(ctx.setting("SYNC_TIMEOUT", Integer.toString(DEFAULT_TIMEOUT_S)).trim());
        } catch (NumberFormatException e) {
            throw new SlipwayException("slurm-global-sync: the hook file's SYNC_TIMEOUT must be a number of seconds, "
                    + "not '" + ctx.hookEnv().get("SYNC_TIMEOUT") + "'");
        }
        String user = System.getProperty("user.name");
        Path home = Path.of(System.getProperty("user.home"));
        String base = ctx.setting("HOOK_BASE_DIR", "");
        Path userDir = base.isEmpty() ? home : Path.of(base).resolve(user);
        Path dir = userDir.resolve(".oci-hooks/slurm-global-sync").resolve("jobid-" + job + "-stepid-" + step);
        // srun's address is the same on every node of one run of the step and differs between runs.
        String instance = job + "." + step + "@" + env.getOrDefault("SLURM_SRUN_COMM_HOST", "")
                + ":" + env.getOrDefault("SLURM_SRUN_COMM_PORT", env.getOrDefault("SLURM_STEP_LAUNCHER_PORT", ""));
        long t0 = System.nanoTime();
        new StepBarrier(dir, size, member, instance, Duration.ofSeconds(timeout), Duration.ofMillis(100),
                SlurmHostlist.expand(env.get("SLURM_STEP_NODELIST"))).await();
        out.note("node " + member + " of " + size + ": all arrived after " + (System.nanoTime() - t0) / 1_000_000
                + " ms (" + dir + ")");
    }
}
