package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The glibc replacement hook ({@code com.hooks.glibc.enabled}): when the image's glibc is older
 * than the host's, and has the same soname, the host's glibc libraries replace the image's, so
 * host libraries injected by other hooks (MPI, libfabric), built against the host's glibc, can
 * run in an old image. Otherwise (the image's glibc is as new or newer, it is musl, or it has no
 * libc) nothing happens.
 *
 * <p>Versions are read from the files, nothing runs in the container: libc.so.6 carries the
 * banner it prints when executed ({@code GNU C Library ... release version 2.36}); without one,
 * the highest {@code GLIBC_2.N} symbol version it defines. The host's libraries are the hook
 * file's {@code GLIBC_LIBS} (colon-separated), else those of the host's linker cache whose soname
 * is one of glibc's and whose architecture is the host libc's.
 */
final class GlibcHook implements BuiltinHook {

    /** The sonames glibc 2.17 to 2.40 install (libraries, the dynamic loaders, NSS modules). */
    static final Set<String> GLIBC_SONAMES = Set.of("libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2",
            "librt.so.1", "libresolv.so.2", "libutil.so.1", "libanl.so.1", "libnsl.so.1", "libBrokenLocale.so.1",
            "libmvec.so.1", "libthread_db.so.1", "libc_malloc_debug.so.0", "libnss_files.so.2", "libnss_dns.so.2",
            "libnss_compat.so.2", "libnss_hesiod.so.2", "libcidn.so.1", "libcrypt.so.1",
            "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld64.so.2", "ld-linux.so.2");
    private static final Pattern LIBC = Pattern.compile("libc(-\\d+\\.\\d+)?\\.so(\\.\\d+)?");
    private static final Pattern BANNER = Pattern.compile("GNU C Library [^\\n]*?version (\\d+)\\.(\\d+)");
    private static final Pattern SYMBOL_VERSION = Pattern.compile("GLIBC_(\\d+)\\.(\\d+)");

    @Override
    public String name() {
        return "glibc";
    }

    @Override
    public List<String> preparedPaths(HookPlan plan) {
        return List.of(LibraryInjector.ADDED_DIR);
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        String where = "hook glibc";
        List<String> hostLibs = hostLibraries(ctx, where);
        String hostLibc = hostLibs.stream().filter(p -> LIBC.matcher(fileName(p)).matches()).findFirst()
                .orElseThrow(() -> new SlipwayException(where + ": no libc among the host's glibc libraries "
                        + String.join(":", hostLibs)));
        ElfFile hostElf = LibraryInjector.hostElf(hostLibc, where);
        LibraryInjector libs = new LibraryInjector(ctx, out);
        if (!libs.imageHasCache()) {
            out.note("glibc: the image has no /etc/ld.so.cache (not glibc, such as musl): nothing to do");
            return;
        }
        Optional<String> imageLibc = libs.cache().stream().filter(e -> LIBC.matcher(fileName(e.path())).matches())
                .map(e -> ctx.root().resolveLinks(e.path()).orElse(e.path()))
                .filter(p -> ElfFile.read(ctx.root().viewOf(p)).map(hostElf::sameArchitecture).orElse(false))
                .findFirst();
        if (imageLibc.isEmpty()) {
            out.note("glibc: the image has no " + (hostElf.is64() ? "64" : "32") + "-bit libc in its linker cache: "
                    + "nothing to do");
            return;
        }
        int[] host = version(Path.of(hostLibc)).orElseThrow(() -> new SlipwayException(where
                + ": cannot read the glibc version of the host's " + hostLibc));
        Path imageView = ctx.root().viewOf(imageLibc.get());
        Optional<int[]> image = version(imageView);
        if (image.isEmpty()) {
            out.note("glibc: no glibc version in the image's " + imageLibc.get() + " (not glibc): nothing to do");
            return;
        }
        String versions = text(image.get()) + " in the container, " + text(host) + " on the host";
        if (compare(image.get(), host) >= 0) {
            out.note("glibc: " + versions + ": the container's is kept");
            return;
        }
        String hostSoname = LibraryInjector.soname(hostLibc, hostElf);
        String imageSoname = ElfFile.read(imageView).flatMap(ElfFile::soname).orElse(fileName(imageLibc.get()));
        if (!hostSoname.equals(imageSoname)) {
            throw new SlipwayException(where + ": Host's glibc is not ABI compatible with the container's: "
                    + hostLibc + " is " + hostSoname + ", the container's " + imageLibc.get() + " is " + imageSoname);
        }
        out.note("glibc: " + versions + ": replacing the container's glibc with the host's");
        for (String lib : hostLibs) {
            ElfFile elf = LibraryInjector.hostElf(lib, where);
            String soname = LibraryInjector.soname(lib, elf);
            List<String> targets = new ArrayList<>(libs.withSoname(soname, Optional.of(elf)));
            // Programs name the dynamic loader by its fixed path (PT_INTERP, which libc.so.6 has
            // too), whether the image's linker cache lists it or not.
            if (hostElf.interpreter().map(i -> fileName(i).equals(soname)).orElse(false)) {
                ctx.root().resolveLinks(hostElf.interpreter().get()).filter(p -> !targets.contains(p))
                        .ifPresent(targets::add);
            }
            if (targets.isEmpty()) {
                libs.add(lib, soname);
            } else {
                targets.forEach(t -> libs.replace(lib, t));
            }
        }
        if (libs.addedAny()) {
            libs.refresh();
        }
    }

    /** The host's glibc libraries: GLIBC_LIBS, else found in the host's linker cache. */
    static List<String> hostLibraries(HookContext ctx, String where) throws IOException {
        String configured = ctx.hookEnv().getOrDefault("GLIBC_LIBS", "");
        if (!configured.isBlank()) {
            return Arrays.stream(configured.split(":")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        List<LinkerCache.Entry> cache = LinkerCache.read(Path.of("/etc/ld.so.cache"));
        Optional<LinkerCache.Entry> libc = cache.stream().filter(e -> e.soname().equals("libc.so.6")).findFirst();
        if (libc.isEmpty()) {
            throw new SlipwayException(where + ": no libc.so.6 in the host's /etc/ld.so.cache; set GLIBC_LIBS");
        }
        int kind = libc.get().kind();
        Map<String, String> bySoname = new LinkedHashMap<>();
        for (LinkerCache.Entry e : cache) {
            if (e.kind() == kind && GLIBC_SONAMES.contains(e.soname())) {
                bySoname.putIfAbsent(e.soname(), e.path());
            }
        }
        return List.copyOf(bySoname.values());
    }

    /** The glibc version of a libc file: its banner, else its highest GLIBC_ symbol version. */
    static Optional<int[]> version(Path libc) throws IOException {
        String text = new String(Files.readAllBytes(libc), StandardCharsets.ISO_8859_1);
        Matcher m = BANNER.matcher(text);
        if (m.find()) {
            return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        }
        int[] best = null;
        Matcher s = SYMBOL_VERSION.matcher(text);
        while (s.find()) {
            int[] v = {Integer.parseInt(s.group(1)), Integer.parseInt(s.group(2))};
            if (best == null || compare(v, best) > 0) {
                best = v;
            }
        }
        return Optional.ofNullable(best);
    }

    static int compare(int[] a, int[] b) {
        return a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
    }

    private static String text(int[] v) {
        return v[0] + "." + v[1];
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
