package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PMIx hook: what an MPI program in the container needs to reach Slurm's PMIx server
 * ({@code srun --mpi=pmix}). The server talks TCP, but its data store and the per-application
 * directory live in node directories the container does not have: {@code PMIX_SERVER_TMPDIR}
 * (SlurmdSpoolDir/pmix.JOB.STEP) and TmpFS/spmix_appdir_[UID_]JOB.STEP, bound at their host
 * paths. Slurm tells the client which server-side modules it runs with {@code PMIX_GDS_MODULE},
 * {@code PMIX_SECURITY_MODE} and {@code PMIX_PTL_MODULE}; a PMIx client of another build only
 * follows the {@code PMIX_MCA_*} forms, so those are set from them unless already set.
 *
 * <p>Active with {@code com.hooks.pmix.enabled = "true"}, or by itself when the step runs under
 * {@code --mpi=pmix*} ({@code SLURM_MPI_TYPE}); off with {@code com.hooks.pmix.enabled = "false"}.
 * The directories come from slurm.conf (no scontrol round trip); missing ones are skipped.
 */
final class PmixHook implements BuiltinHook {

    static final String NAME = "pmix";

    /** Slurm's variable and the PMIx MCA parameter it maps to. */
    static final Map<String, String> MCA = new LinkedHashMap<>();

    static {
        MCA.put("PMIX_GDS_MODULE", "PMIX_MCA_gds");
        MCA.put("PMIX_SECURITY_MODE", "PMIX_MCA_psec");
        MCA.put("PMIX_PTL_MODULE", "PMIX_MCA_ptl");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        Map<String, String> env = ctx.env();
        if (!active(env, ctx.annotations())) {
            return;
        }
        String job = env.get("SLURM_JOB_ID");
        String step = SlurmStep.stepId(env);
        if (job == null || step == null) {
            out.note("not in a Slurm step (no SLURM_JOB_ID/SLURM_STEP_ID): nothing to do");
            return;
        }
        List<String> bound = new ArrayList<>();
        for (Path d : directories(ctx.hookEnv(), env, job, step)) {
            if (Files.isDirectory(d) && !bound.contains(d.toString())) {
                out.bind(d.toString(), d.toString(), "nodev");
                bound.add(d.toString());
            }
        }
        List<String> set = new ArrayList<>();
        MCA.forEach((from, to) -> {
            String v = env.get(from);
            if (v != null && !v.isEmpty() && !env.containsKey(to)) {
                out.setenv(to, v);
                set.add(to + "=" + v);
            }
        });
        out.note("PMIx directories " + (bound.isEmpty() ? "none found" : String.join(" ", bound)) + "; "
                + (set.isEmpty() ? "no variables set" : String.join(" ", set)));
    }

    /** Asked for by the annotation, or a step under --mpi=pmix*. */
    private static boolean active(Map<String, String> env, Map<String, String> annotations) {
        return "true".equalsIgnoreCase(annotations.getOrDefault("com.hooks." + NAME + ".enabled", "").trim())
                || env.getOrDefault("SLURM_MPI_TYPE", "").startsWith("pmix");
    }

    @Override
    public List<String> preparedPaths(HookPlan plan) {
        Map<String, String> env = plan.env();
        Map<String, String> annotations = plan.annotations();
        Map<String, String> hookEnv = plan.hookEnv();
        String job = env.get("SLURM_JOB_ID");
        String step = SlurmStep.stepId(env);
        if (!active(env, annotations) || job == null || step == null) {
            return List.of();
        }
        return directories(hookEnv, env, job, step).stream().map(Path::getParent).filter(p -> p != null)
                .map(Path::toString).distinct().toList();
    }

    /** PMIX_SERVER_TMPDIR, SlurmdSpoolDir/pmix.J.S and the application directory in TmpFS. */
    static List<Path> directories(Map<String, String> hookEnv, Map<String, String> env, String job, String step) {
        List<Path> out = new ArrayList<>();
        String server = env.get("PMIX_SERVER_TMPDIR");
        if (server != null && server.startsWith("/")) {
            out.add(Path.of(server).normalize());
        }
        Map<String, String> lookup = new LinkedHashMap<>(hookEnv);
        lookup.putAll(env);
        SlurmConf conf = SlurmConf.read(SlurmConf.locate(lookup));
        String node = env.getOrDefault("SLURMD_NODENAME", host());
        String host = host();
        String spool = conf.get("SlurmdSpoolDir", node, host).orElse("/var/spool/slurmd");
        out.add(Path.of(spool, "pmix." + job + "." + step));
        String tmpfs = conf.get("TmpFS", node, host).orElse("/tmp");
        String uid = env.get("SLURM_JOB_UID");
        Path withUid = Path.of(tmpfs, "spmix_appdir_" + uid + "_" + job + "." + step);
        out.add(uid != null && Files.isDirectory(withUid) ? withUid
                : Path.of(tmpfs, "spmix_appdir_" + job + "." + step));
        return out;
    }

    /** The short host name (Slurm's %h), from the kernel: no name service lookup. */
    private static String host() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            return "localhost";
        }
    }
}
