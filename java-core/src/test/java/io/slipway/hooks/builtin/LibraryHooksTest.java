package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.hooks.BundleConfig;
import io.slipway.hooks.Stage;
import io.slipway.runtime.FstabEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library hooks' logic on fake roots: dummy libraries built with cc, caches built by the real ldconfig -r. */
class LibraryHooksTest {

    @TempDir
    Path dir;

    // --- arguments --------------------------------------------------------------------------

    @Test
    void mountArgumentsTakeEverySpelling() {
        MountArgs a = MountArgs.parse(List.of("--mount=type=bind,src=/a,dst=/b", "--mount=type=bind,source=/c,"
                + "destination=/d,readonly", "--mount=type=bind,src=/e,target=/f", "--device=/dev/x",
                "--device=/dev/y:/dev/z", "--device=/dev/w:r", "--device=/dev/v:/dev/u:rw", "--env=A=b=c",
                "--variant=cuda12:/opt/p", "--library=/l/libx.so.1"), "hook mount");
        assertEquals(List.of(new MountArgs.Bind("/a", "/b", false), new MountArgs.Bind("/c", "/d", true),
                new MountArgs.Bind("/e", "/f", false)), a.binds());
        assertEquals(List.of(new MountArgs.Device("/dev/x", "/dev/x", "rwm"), new MountArgs.Device("/dev/y", "/dev/z",
                "rwm"), new MountArgs.Device("/dev/w", "/dev/w", "r"), new MountArgs.Device("/dev/v", "/dev/u", "rw")),
                a.devices());
        assertEquals(Map.of("A", "b=c"), a.env());
        assertEquals(Map.of("cuda12", "/opt/p"), a.variants());
        assertEquals(List.of("/l/libx.so.1"), a.libraries());
    }

    @Test
    void badMountArgumentsSayWhatIsWrong() {
        assertMessage("unknown key 'mode'", "--mount=type=bind,src=/a,dst=/b,mode=1");
        assertMessage("type=bind is required", "--mount=type=volume,src=/a,dst=/b");
        assertMessage("type=bind is required", "--mount=src=/a,dst=/b");
        assertMessage("a source (src=) and a destination (dst=) are required", "--mount=type=bind,src=/a");
        assertMessage("'b' is not an absolute path", "--mount=type=bind,src=/a,dst=b");
        assertMessage("source given twice", "--mount=type=bind,src=/a,source=/c,dst=/b");
        assertMessage("must be a combination of r, w and m", "--device=/dev/x:rr");
        assertMessage("must be a combination of r, w and m", "--device=/dev/x:/dev/y:q");
        assertMessage("expected SRC[:DST][:ACCESS]", "--device=/a:/b:r:w");
        assertMessage("'dev/x' is not an absolute path", "--device=dev/x");
        assertMessage("unknown argument '--nonsense'", "--nonsense");
        assertMessage("expected --variant=NAME:DIR", "--variant=nodir");
    }

    private static void assertMessage(String expected, String arg) {
        var e = assertThrows(SlipwayException.class, () -> MountArgs.parse(List.of(arg), "hook mount"));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().startsWith("hook mount"), e.getMessage());
    }

    // --- naming model and ABI rules -----------------------------------------------------------

    @Test
    void linkerNamesAndVersions() {
        assertEquals("libmpi.so", SharedLibrary.linkerName("libmpi.so.12.5.5"));
        assertEquals("libfoo-2.0.so", SharedLibrary.linkerName("libfoo-2.0.so.0"));
        assertEquals("libc.so", SharedLibrary.linkerName("libc.so"));
        assertEquals(List.of(12, 5, 5), SharedLibrary.versionOf("libmpi.so.12.5.5"));
        assertEquals(List.of(440, 33, 1), SharedLibrary.versionOf("libvdpau_nvidia.so.440.33.01"));
        assertEquals(List.of(), SharedLibrary.versionOf("libmpi.so"));
    }

    @Test
    void versionsFollowTheLinkChainInsideTheRoot() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("root/usr/lib"));
        Files.createSymbolicLink(dir.resolve("root/lib"), Path.of("usr/lib"));
        Files.writeString(lib.resolve("libmpich.so.12.2.2"), "x");
        Files.createSymbolicLink(lib.resolve("libmpich.so.12"), Path.of("libmpich.so.12.2.2"));
        Files.writeString(lib.resolve("libmpich_gnu_71.so.3"), "x");
        Files.createSymbolicLink(lib.resolve("libmpi.so.12"), Path.of("/lib/libmpich_gnu_71.so.3"));
        Files.writeString(lib.resolve("libvdpau_nvidia.so.440.33.01"), "x");
        Files.createSymbolicLink(lib.resolve("libvdpau_nvidia.so.1"), Path.of("libvdpau_nvidia.so.440.33.01"));
        RootView root = new RootView(dir.resolve("root"));
        SharedLibrary mpich = SharedLibrary.inRoot(root, "/lib/libmpich.so.12");
        assertEquals(List.of(12, 2, 2), mpich.version());
        assertEquals("/usr/lib/libmpich.so.12.2.2", mpich.realPath());
        SharedLibrary cray = SharedLibrary.inRoot(root, "/lib/libmpi.so.12");
        assertEquals(List.of(12), cray.version());
        assertEquals("/usr/lib/libmpich_gnu_71.so.3", cray.realPath());
        assertEquals(List.of(1), SharedLibrary.inRoot(root, "/lib/libvdpau_nvidia.so.1").version());
    }

    private static SharedLibrary lib(String name) {
        return SharedLibrary.named("/x/" + name);
    }

    /** host 12.5.5 against images of versions: the seed's matrices, per compatibility type. */
    @Test
    void compatibilityMatrices() {
        SharedLibrary host = lib("libmpi.so.12.5.5");
        String[] images = {"libmpi.so.12.5.5", "libmpi.so.12.5", "libmpi.so.12.4", "libmpi.so.12.6", "libmpi.so.12",
            "libmpi.so.11.5.5", "libmpi.so.13.0.0", "libmpich.so.12.5.5"};
        boolean[] major = {true, true, true, true, true, false, false, false};
        boolean[] full = {true, true, true, true, true, false, false, false};
        boolean[] fullWarns = {false, false, false, true, false, false, false, false};
        boolean[] strict = {true, true, false, false, false, false, false, false};
        for (int i = 0; i < images.length; i++) {
            SharedLibrary image = lib(images[i]);
            assertEquals(major[i], AbiCompatibility.MAJOR.check(host, image).compatible(), "major " + images[i]);
            assertEquals(full[i], AbiCompatibility.FULL.check(host, image).compatible(), "full " + images[i]);
            assertEquals(fullWarns[i], AbiCompatibility.FULL.check(host, image).warning().isPresent(), "full " + images[i]);
            assertEquals(strict[i], AbiCompatibility.STRICT.check(host, image).compatible(), "strict " + images[i]);
        }
        // A host library without a version is compatible with nothing; 12 is not 12.0 for strict.
        assertFalse(AbiCompatibility.MAJOR.check(lib("libmpi.so"), lib("libmpi.so.12")).compatible());
        assertFalse(AbiCompatibility.STRICT.check(lib("libmpi.so.12"), lib("libmpi.so.12.0")).compatible());
        assertEquals(AbiCompatibility.FULL, AbiCompatibility.parse("Full", "x"));
        assertEquals(AbiCompatibility.MAJOR, AbiCompatibility.parse("", "x"));
        assertThrows(SlipwayException.class, () -> AbiCompatibility.parse("dependencies", "x"));
    }

    @Test
    void bestMatchPrefersExactThenNewestOlderThenOldestNewer() {
        SharedLibrary host = lib("libmpi.so.12.5.5");
        assertEquals("libmpi.so.12.5.5", best(host, "libmpi.so.12.1", "libmpi.so.12.5.5", "libmpi.so.12.7"));
        assertEquals("libmpi.so.12.4", best(host, "libmpi.so.12.1", "libmpi.so.12.4", "libmpi.so.12.7"));
        assertEquals("libmpi.so.12.6", best(host, "libmpi.so.12.8", "libmpi.so.12.6"));
        // Numbers, not strings: 2.10 is newer than 2.2.
        assertEquals("libfoo.so.2.10", best(lib("libfoo.so.2.20"), "libfoo.so.2.10", "libfoo.so.2.2"));
        assertEquals(Optional.empty(), AbiCompatibility.bestMatch(host, List.of()));
    }

    private static String best(SharedLibrary host, String... names) {
        return AbiCompatibility.bestMatch(host, java.util.Arrays.stream(names).map(LibraryHooksTest::lib).toList())
                .orElseThrow().fileName();
    }

    // --- linker cache, ELF, and the MPI hook on a fake root ------------------------------------

    private Path so(Path file, String soname) throws Exception {
        Files.createDirectories(file.getParent());
        Path src = dir.resolve("empty.c");
        Files.writeString(src, "int f" + Math.abs(file.hashCode()) + "(void) { return 1; }\n");
        Process p = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", file.toString(), "-Wl,-soname," + soname,
                src.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        return file;
    }

    private void ldconfig(Path root, String... dirs) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/ld.so.conf"), String.join("\n", dirs) + "\n");
        Process p = new ProcessBuilder("/sbin/ldconfig", "-r", root.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @Test
    void linkerCacheAndElfAreReadFromTheFiles() throws Exception {
        Path root = dir.resolve("root");
        so(root.resolve("opt/lib/libfabric.so.1.3.0"), "libfabric.so.1");
        so(root.resolve("usr/lib/libother.so.2.0"), "libother.so.2");
        ldconfig(root, "/opt/lib");
        List<LinkerCache.Entry> cache = LinkerCache.of(new RootView(root));
        assertEquals(List.of("libother.so.2 /usr/lib/libother.so.2", "libfabric.so.1 /opt/lib/libfabric.so.1"),
                cache.stream().map(e -> e.soname() + " " + e.path()).sorted(java.util.Comparator.reverseOrder())
                        .toList());
        ElfFile elf = ElfFile.read(root.resolve("opt/lib/libfabric.so.1.3.0")).orElseThrow();
        assertEquals(Optional.of("libfabric.so.1"), elf.soname());
        assertTrue(elf.is64());
        assertTrue(ElfFile.read(root.resolve("etc/ld.so.conf")).isEmpty());
        assertEquals(List.of(), LinkerCache.parse("not a cache".getBytes()));
    }

    private HookContext context(Path root, Map<String, String> hookEnv, Map<String, String> env,
            Map<String, String> annotations, List<String> args) throws Exception {
        var content = new BundleConfig.Content(root.toString(), false, List.of(), List.of("sh"), env, "/", 1000, 1000,
                annotations, List.of());
        Files.writeString(dir.resolve("config.json"), BundleConfig.toJson(content).toString());
        String state = BundleConfig.state("c1", Stage.CREATE_CONTAINER, 1, dir.toString(), annotations);
        return HookContext.of(Stage.CREATE_CONTAINER, state, args, hookEnv, null);
    }

    private static List<String> mounts(HookActions out) {
        List<String> lines = new ArrayList<>();
        for (FstabEntry e : out.mounts()) {
            lines.add(e.source() + " " + e.target() + " " + e.type());
        }
        return lines;
    }

    @Test
    void mpiHookReplacesTheBestMatchAddsWhatIsMissingAndRefreshesTheCache() throws Exception {
        Path host = dir.resolve("host");
        Path mpi = so(host.resolve("libmpi.so.12.5.5"), "libmpi.so.12");
        Path cxx = so(host.resolve("libmpicxx.so.12.5.5"), "libmpicxx.so.12");
        Path dep = so(host.resolve("libdep.so.1.2"), "libdep.so.1");
        Path root = dir.resolve("root");
        so(root.resolve("usr/lib64/libmpi.so.12.4.0"), "libmpi.so.12");
        so(root.resolve("usr/local/lib/libmpi.so.12.1"), "libmpi.so.12");
        so(root.resolve("usr/lib64/libdep.so.1.3"), "libdep.so.1");
        ldconfig(root, "/usr/lib64", "/usr/local/lib");
        HookContext ctx = context(root, Map.of("MPI_LIBS", mpi + ":" + cxx, "MPI_DEPENDENCY_LIBS", dep.toString()),
                Map.of(), Map.of(), List.of());
        HookActions out = new HookActions();
        new MpiHook().run(ctx, out);
        assertEquals(List.of(mpi + " /usr/lib64/libmpi.so.12.4.0 none",
                cxx + " /usr/lib/libmpicxx.so.12.5.5 none",
                "libmpicxx.so.12.5.5 /usr/lib/libmpicxx.so.12 symlink",
                "libmpicxx.so.12.5.5 /usr/lib/libmpicxx.so symlink",
                // The image's libdep is newer (1.3): not fully compatible, so added beside it.
                dep + " /usr/lib/libdep.so.1.2 none",
                "libdep.so.1.2 /usr/lib/libdep.so.1 symlink"), mounts(out));
        assertEquals(1, out.commands().size());
        assertTrue(out.commands().get(0).argv().contains("/usr/lib"), out.commands().toString());
        assertEquals(1, out.lateMounts().size());
        assertEquals("/etc/ld.so.cache", out.lateMounts().get(0).target());
    }

    @Test
    void mpiHookRefusesAnIncompatibleImageLibraryEvenBesideACompatibleOne() throws Exception {
        Path mpi = so(dir.resolve("host/libmpi.so.12.5.5"), "libmpi.so.12");
        Path root = dir.resolve("root");
        so(root.resolve("usr/lib64/libmpi.so.12.4.0"), "libmpi.so.12");
        so(root.resolve("usr/lib64/libmpi.so.13.0.0"), "libmpi.so.13");
        ldconfig(root, "/usr/lib64");
        HookContext ctx = context(root, Map.of("MPI_LIBS", mpi.toString()), Map.of(), Map.of(), List.of());
        var e = assertThrows(SlipwayException.class, () -> new MpiHook().run(ctx, new HookActions()));
        assertTrue(e.getMessage().contains("is not ABI compatible with container's MPI library "
                + "/usr/lib64/libmpi.so.13 (13.0.0)"), e.getMessage());
        HookContext strict = context(root, Map.of("MPI_LIBS", mpi.toString(), "MPI_COMPATIBILITY_TYPE", "strict"),
                Map.of(), Map.of(), List.of());
        assertThrows(SlipwayException.class, () -> new MpiHook().run(strict, new HookActions()));
    }

    @Test
    void mpiHookWithoutImageMpiSaysToRunLdconfig() throws Exception {
        Path mpi = so(dir.resolve("host/libmpi.so.12.5.5"), "libmpi.so.12");
        Path root = dir.resolve("root");
        so(root.resolve("usr/lib64/libother.so.1"), "libother.so.1");
        ldconfig(root, "/usr/lib64");
        HookContext ctx = context(root, Map.of("MPI_LIBS", mpi.toString()), Map.of(), Map.of(), List.of());
        var e = assertThrows(SlipwayException.class, () -> new MpiHook().run(ctx, new HookActions()));
        assertTrue(e.getMessage().contains("No MPI libraries found in the container"), e.getMessage());
        assertTrue(e.getMessage().contains("run ldconfig when building the image"), e.getMessage());
        HookContext other = context(root, Map.of("MPI_LIBS", mpi.toString()), Map.of(),
                Map.of("com.hooks.mpi.type", "openmpi"), List.of("--type=mpich", "--default"));
        HookActions out = new HookActions();
        new MpiHook().run(other, out);
        assertTrue(out.isEmpty());
    }

    @Test
    void providerPathWildcard() throws Exception {
        Path root = dir.resolve("root");
        so(root.resolve("libfabricInstall/lib/libfabric.so.1.20.0"), "libfabric.so.1");
        ldconfig(root, "/libfabricInstall/lib");
        HookContext cached = context(root, Map.of(), Map.of(), Map.of(), List.of());
        assertEquals("/libfabricInstall/lib/libfabric",
                MountHook.providerPath(cached, new LibraryInjector(cached, new HookActions())));
        HookContext env = context(root, Map.of(), Map.of("FI_PROVIDER_PATH", "/fi/env"), Map.of(), List.of());
        assertEquals("/fi/env", MountHook.providerPath(env, new LibraryInjector(env, new HookActions())));
        HookContext empty = context(root, Map.of(), Map.of("FI_PROVIDER_PATH", ""), Map.of(), List.of());
        assertEquals("/libfabricInstall/lib/libfabric",
                MountHook.providerPath(empty, new LibraryInjector(empty, new HookActions())));
        Files.delete(root.resolve("etc/ld.so.cache"));
        HookContext none = context(root, Map.of(), Map.of(), Map.of(), List.of());
        assertEquals("/usr/lib", MountHook.providerPath(none, new LibraryInjector(none, new HookActions())));
    }

    @Test
    void glibcVersionFromTheBannerElseTheSymbolVersions() throws Exception {
        Path banner = dir.resolve("libc-banner");
        Files.writeString(banner, "\u0000GLIBC_2.2.5\u0000GNU C Library (Debian GLIBC 2.36-9) stable release version "
                + "2.36.\n");
        assertEquals(List.of(2, 36), List.of(GlibcHook.version(banner).orElseThrow()[0],
                GlibcHook.version(banner).orElseThrow()[1]));
        Path symbols = dir.resolve("libc-symbols");
        Files.writeString(symbols, "GLIBC_2.2.5\u0000GLIBC_2.17\u0000GLIBC_2.9\u0000");
        assertEquals(17, GlibcHook.version(symbols).orElseThrow()[1]);
        Path musl = dir.resolve("libc.musl");
        Files.writeString(musl, "musl libc");
        assertTrue(GlibcHook.version(musl).isEmpty());
        assertTrue(GlibcHook.compare(new int[] {2, 9}, new int[] {2, 17}) < 0);
    }

    @Test
    void glibcHookLeavesImagesWithoutCacheOrLibcAlone() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        HookContext noCache = context(root, Map.of(), Map.of(), Map.of(), List.of());
        HookActions out = new HookActions();
        new GlibcHook().run(noCache, out);
        assertTrue(out.isEmpty());
        assertTrue(out.notes().get(0).contains("no /etc/ld.so.cache"), out.notes().toString());
        so(root.resolve("usr/lib/libother.so.1"), "libother.so.1");
        ldconfig(root, "/usr/lib");
        HookActions out2 = new HookActions();
        new GlibcHook().run(context(root, Map.of(), Map.of(), Map.of(), List.of()), out2);
        assertTrue(out2.isEmpty());
        assertTrue(out2.notes().get(0).contains("no 64-bit libc"), out2.notes().toString());
    }
}
