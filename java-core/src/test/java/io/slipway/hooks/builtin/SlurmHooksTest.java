package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.hooks.BundleConfig;
import io.slipway.hooks.Stage;
import io.slipway.runtime.FstabEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm and PMIx hooks' decisions, against fake Slurm installations and image roots made of
 * real host files (a host program stands in for a Slurm command, so its ELF headers and
 * libraries are real), with the host's and a real {@code ldconfig -r} linker cache.
 */
class SlurmHooksTest {

    @TempDir
    Path dir;

    Path root;
    Path bin;
    Path conf;

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectories(dir.resolve("bundle/rootfs"));
        bin = Files.createDirectories(dir.resolve("slurm/bin"));
        conf = Files.createDirectories(dir.resolve("slurm/etc"));
        // /bin/ls needs libselinux.so.1 besides glibc: the library an image may lack.
        Files.copy(Path.of("/bin/ls"), bin.resolve("squeue"));
        Files.createDirectories(dir.resolve("munge"));
        Files.writeString(dir.resolve("munge/munge.socket.2"), "");
        Files.writeString(conf.resolve("slurm.conf"), "ClusterName=x # comment\nAuthInfo=socket="
                + dir.resolve("munge/munge.socket.2") + "\nSlurmdSpoolDir=" + dir.resolve("spool/%n") + "\n"
                + "TmpFS=" + dir.resolve("tmp") + "\nInclude extra.conf\n");
        Files.writeString(conf.resolve("extra.conf"), "PlugStackConfig=" + conf.resolve("plugstack.conf") + "\n");
        Files.writeString(conf.resolve("plugstack.conf"), "optional " + bin.resolve("squeue") + " a=b\n");
    }

    /** An image root with glibc's loader and libc, its cache made by the real ldconfig. */
    private void glibcImage() throws Exception {
        Path lib = Files.createDirectories(root.resolve("lib/x86_64-linux-gnu"));
        Files.createDirectories(root.resolve("lib64"));
        Files.createDirectories(root.resolve("etc"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), lib.resolve("libc.so.6"));
        Files.copy(Path.of("/lib64/ld-linux-x86-64.so.2"), root.resolve("lib64/ld-linux-x86-64.so.2"));
        Files.writeString(root.resolve("etc/ld.so.conf"), "/lib/x86_64-linux-gnu\n");
        Process p = new ProcessBuilder(Ldconfig.path(ctx(Map.of(), Map.of())), "-r",
                root.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    private HookContext ctx(Map<String, String> env, Map<String, String> hookEnv) throws Exception {
        Path bundle = root.getParent();
        var content = new BundleConfig.Content(root.toString(), false, List.of(), List.of("sh"), env, "/", 1000, 1000,
                Map.of(), List.of());
        Files.writeString(bundle.resolve("config.json"), BundleConfig.toJson(content).toString());
        return HookContext.of(Stage.CREATE_CONTAINER, BundleConfig.state("c1", Stage.CREATE_CONTAINER, 1,
                bundle.toString(), Map.of()), List.of(), hookEnv, null);
    }

    private HookActions slurm(Map<String, String> env) throws Exception {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.putIfAbsent("SLURM_CONF", conf.resolve("slurm.conf").toString());
        e.putIfAbsent("PATH", "/bin");
        HookActions out = new HookActions();
        new SlurmHook().run(ctx(e, Map.of("SLURM_BIN_PATH", dir.resolve("none") + ":" + bin)), out);
        return out;
    }

    private static boolean binds(HookActions out, String source, String target) {
        return out.mounts().stream().anyMatch(m -> m.source().equals(source) && m.target().equals(target));
    }

    @Test
    void elfHeadersGiveInterpreterAndNeededLibraries() {
        ElfFile ls = ElfFile.read(Path.of("/bin/ls")).orElseThrow();
        assertEquals(Optional.of("/lib64/ld-linux-x86-64.so.2"), ls.interpreter());
        assertTrue(ls.needed().contains("libselinux.so.1"), ls.needed().toString());
        assertTrue(ElfFile.read(Path.of("/etc/passwd")).isEmpty());
    }

    @Test
    void theHostsLinkerCacheFindsLibc() {
        LdSoCache host = LdSoCache.read(Path.of("/etc/ld.so.cache")).orElseThrow();
        assertTrue(host.find("libc.so.6").orElseThrow().endsWith("libc.so.6"));
        assertTrue(host.find("libnonesuch.so.9").isEmpty());
    }

    @Test
    void hostLibrariesLeaveGlibcToTheImage() {
        Map<String, Path> needed = HostLibraries.ofHost().needed(List.of(Path.of("/bin/ls")), List.of());
        assertTrue(needed.containsKey("libselinux.so.1"), needed.toString());
        assertFalse(needed.containsKey("libc.so.6"));
    }

    @Test
    void slurmConfFollowsIncludesAndReplacesNodeNames() {
        SlurmConf c = SlurmConf.read(conf.resolve("slurm.conf"));
        assertEquals(dir.resolve("munge/munge.socket.2").toString(), c.mungeSocket().orElseThrow());
        assertEquals(conf.resolve("plugstack.conf"), c.plugstack());
        assertEquals(dir.resolve("spool/n7").toString(), c.get("slurmdspooldir", "n7", "h").orElseThrow());
        assertEquals(List.of(List.of(bin.resolve("squeue").toString(), "a=b")),
                SlurmConf.spankPlugins(c.plugstack(), new java.util.ArrayList<>()));
        assertEquals(List.of(conf.resolve("slurm.conf"), conf.resolve("extra.conf")), c.files());
    }

    @Test
    void aGlibcImageGetsTheCommandsConfigurationMungeAndTheLibrariesItLacks() throws Exception {
        glibcImage();
        HookActions out = slurm(Map.of());
        Path squeue = bin.resolve("squeue").toRealPath();
        assertTrue(binds(out, squeue.toString(), "/opt/slipway/slurm/bin/squeue"), out.mounts().toString());
        assertTrue(binds(out, conf.toRealPath().toString(), conf.toRealPath().toString()));
        assertTrue(binds(out, dir.resolve("munge").toRealPath().toString(), dir.resolve("munge").toString()));
        // The SPANK plugin is the same file as the command: bound once at its host path.
        assertTrue(binds(out, squeue.toString(), squeue.toString()));
        assertTrue(out.mounts().stream().anyMatch(m -> m.target().equals("/opt/slipway/slurm/lib/libselinux.so.1")));
        assertFalse(out.mounts().stream().anyMatch(m -> m.target().endsWith("/libc.so.6")));
        assertTrue(binds(out, root.getParent().resolve("hooks/slurm/ld.so.conf").toString(),
                "/etc/ld.so.conf.d/slipway-slurm.conf"));
        List<String> ldconfig = out.commands().get(0).argv();
        assertEquals(List.of(Ldconfig.path(ctx(Map.of(), Map.of())), "-i", "-r", root.toString(), "-C"),
                ldconfig.subList(0, 5));
        assertTrue(ldconfig.get(5).startsWith(Ldconfig.CACHE_PREFIX), ldconfig.toString());
        assertEquals("/opt/slipway/slurm/lib", ldconfig.get(6));
        // The mount points the runtime prepares before the start, for a user who is not root inside.
        List<String> parents = new SlurmHook().preparedPaths(new HookPlan(List.of(),
                Map.of("SLURM_BIN_PATH", bin.toString()), Map.of("SLURM_CONF", conf.resolve("slurm.conf").toString()),
                Map.of(), root.getParent()));
        assertTrue(parents.containsAll(List.of("/opt/slipway/slurm/bin", "/opt/slipway/slurm/lib", "/etc/ld.so.conf.d",
                conf.toRealPath().getParent().toString(), dir.toRealPath().toString())), parents.toString());
        assertEquals("/opt/slipway/slurm/bin:/bin", out.environment().get("PATH"));
        for (FstabEntry m : out.mounts()) {
            assertTrue(m.options().contains("ro") || m.target().equals(dir.resolve("munge").toString()), m.toString());
        }
    }

    @Test
    void theHostSideIsCachedUntilOneOfItsFilesChanges() throws Exception {
        Map<String, Path> commands = SlurmHook.commands(bin.toString());
        Map<String, String> env = Map.of("SLURM_CONF", conf.resolve("slurm.conf").toString());
        Path cache = Files.createDirectories(dir.resolve("runtime"));
        var first = SlurmHook.HostSide.of(commands, "/opt/x", Map.of(), env, cache);
        var second = SlurmHook.HostSide.of(commands, "/opt/x", Map.of(), env, cache);
        assertFalse(first.cached());
        assertTrue(second.cached());
        assertEquals(first.binds(), second.binds());
        assertEquals(first.libraries(), second.libraries());
        assertTrue(second.libraries().containsKey("libselinux.so.1"));
        // An edited included file (here: another plugstack) is seen at once.
        Files.writeString(conf.resolve("extra.conf"), "PlugStackConfig=" + dir.resolve("none.conf") + "\n");
        Files.setLastModifiedTime(conf.resolve("extra.conf"), java.nio.file.attribute.FileTime.fromMillis(1000));
        var third = SlurmHook.HostSide.of(commands, "/opt/x", Map.of(), env, cache);
        assertFalse(third.cached());
        assertTrue(third.binds().size() < first.binds().size());
    }

    @Test
    void librariesTheImageHasAreNotBoundAndNeedNoLdconfig() throws Exception {
        glibcImage();
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libselinux.so.1"), root.resolve("lib/x86_64-linux-gnu/libselinux.so.1"));
        // libselinux needs libpcre2-8 in turn: give the image that too.
        for (String l : HostLibraries.ofHost().needed(List.of(Path.of("/bin/ls")), List.of()).keySet()) {
            Path to = root.resolve("lib/x86_64-linux-gnu").resolve(l);
            if (!Files.exists(to)) {
                Files.copy(HostLibraries.ofHost().hostCache().find(l).map(Path::of).orElseThrow(), to);
            }
        }
        assertEquals(0, new ProcessBuilder(Ldconfig.path(ctx(Map.of(), Map.of())), "-r", root.toString()).start().waitFor());
        HookActions out = slurm(Map.of());
        assertTrue(out.commands().isEmpty(), out.commands().toString());
        assertFalse(out.mounts().stream().anyMatch(m -> m.target().startsWith("/opt/slipway/slurm/lib/")));
    }

    @Test
    void anImageWithoutGlibcsLoaderIsLeftAloneWithANote() throws Exception {
        HookActions out = slurm(Map.of());
        assertTrue(out.isEmpty());
        assertTrue(out.notes().get(0).contains("/lib64/ld-linux-x86-64.so.2"), out.notes().toString());
    }

    @Test
    void enrootSlurmHookFalseOrNoCommandsTurnItOff() throws Exception {
        glibcImage();
        for (String v : List.of("0", "no", "FALSE", "off")) {
            assertTrue(slurm(Map.of("ENROOT_SLURM_HOOK", v)).isEmpty(), v);
        }
        assertFalse(slurm(Map.of("ENROOT_SLURM_HOOK", "1")).isEmpty());
        HookActions out = new HookActions();
        new SlurmHook().run(ctx(Map.of(), Map.of("SLURM_BIN_PATH", dir.resolve("none").toString())), out);
        assertTrue(out.isEmpty());
    }

    @Test
    void pmixBindsSlurmsDirectoriesAndMapsTheModulesUnderMpiPmix() throws Exception {
        Path server = Files.createDirectories(dir.resolve("spool/n1/pmix.7.0"));
        Path app = Files.createDirectories(dir.resolve("tmp/spmix_appdir_1000_7.0"));
        Map<String, String> env = new LinkedHashMap<>(Map.of("SLURM_CONF", conf.resolve("slurm.conf").toString(),
                "SLURM_JOB_ID", "7", "SLURM_STEP_ID", "0", "SLURM_JOB_UID", "1000", "SLURMD_NODENAME", "n1",
                "SLURM_MPI_TYPE", "pmix_v4", "PMIX_GDS_MODULE", "ds21,hash", "PMIX_SECURITY_MODE", "native",
                "PMIX_SERVER_TMPDIR", server + "/"));
        env.put("PMIX_MCA_psec", "mine");
        HookActions out = new HookActions();
        new PmixHook().run(ctx(env, Map.of()), out);
        assertTrue(binds(out, server.toString(), server.toString()), out.mounts().toString());
        assertTrue(binds(out, app.toString(), app.toString()));
        assertEquals(2, out.mounts().size());
        assertEquals(Map.of("PMIX_MCA_gds", "ds21,hash"), out.environment());
        // Without --mpi=pmix and without the annotation: nothing.
        env.put("SLURM_MPI_TYPE", "pmi2");
        HookActions none = new HookActions();
        new PmixHook().run(ctx(env, Map.of()), none);
        assertTrue(none.isEmpty() && none.notes().isEmpty());
    }

    @Test
    void hostlistsExpandInOrderWithPadding() {
        assertEquals(List.of("n1", "n2", "login", "nid008", "nid009", "nid011"),
                SlurmHostlist.expand("n[1-2],login,nid[008-009,011]"));
    }
}
