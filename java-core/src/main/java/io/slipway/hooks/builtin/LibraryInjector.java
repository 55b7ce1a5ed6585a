package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts host libraries into the image the way the dynamic linker will find them: a host library
 * replaces (is bound over) every image library its programs would load under the same soname
 * and architecture, found through the image's linker cache; a library the image lacks is added
 * in {@value #ADDED_DIR} under its file name, with a link named after its soname. The hook then
 * refreshes the linker cache ({@link Ldconfig#refresh}, scanning {@value #ADDED_DIR}).
 */
final class LibraryInjector {

    /** Where libraries the image lacks go: a directory every distribution has, in the linker's default path. */
    static final String ADDED_DIR = "/usr/lib";

    private final HookContext ctx;
    private final HookActions out;
    private final List<LinkerCache.Entry> cache;
    private boolean added;

    LibraryInjector(HookContext ctx, HookActions out) throws IOException {
        this.ctx = ctx;
        this.out = out;
        List<LinkerCache.Entry> present = new ArrayList<>();
        for (LinkerCache.Entry e : LinkerCache.of(ctx.root())) {
            // Stale entries (a file removed after ldconfig ran) are not the image's libraries.
            if (ctx.root().resolve(e.path()).isPresent()) {
                present.add(e);
            }
        }
        this.cache = List.copyOf(present);
    }

    /** The image's linker cache, entries whose file exists. */
    List<LinkerCache.Entry> cache() {
        return cache;
    }

    /** Whether the image has a glibc linker cache at all. */
    boolean imageHasCache() {
        return Ldconfig.imageHasCache(ctx);
    }

    /** The real files (container paths) of the image's libraries with {@code soname} built for {@code arch}. */
    List<String> withSoname(String soname, Optional<ElfFile> arch) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (LinkerCache.Entry e : cache) {
            if (!e.soname().equals(soname)) {
                continue;
            }
            Optional<String> real = ctx.root().resolveLinks(e.path());
            if (real.isEmpty() || !sameArchitecture(arch, real.get())) {
                continue;
            }
            out.put(real.get(), true);
        }
        return List.copyOf(out.keySet());
    }

    /** The image's libraries of linker name {@code linkerName} (one per real file), built for {@code arch}. */
    List<SharedLibrary> withLinkerName(String linkerName, Optional<ElfFile> arch) {
        Map<String, SharedLibrary> out = new LinkedHashMap<>();
        for (LinkerCache.Entry e : cache) {
            String name = e.path().substring(e.path().lastIndexOf('/') + 1);
            if (!SharedLibrary.linkerName(name).equals(linkerName)) {
                continue;
            }
            SharedLibrary lib = SharedLibrary.inRoot(ctx.root(), e.path());
            if (sameArchitecture(arch, lib.realPath())) {
                out.putIfAbsent(lib.realPath(), lib);
            }
        }
        return List.copyOf(out.values());
    }

    private boolean sameArchitecture(Optional<ElfFile> arch, String containerPath) {
        if (arch.isEmpty()) {
            return true;
        }
        Optional<ElfFile> elf = ElfFile.read(ctx.root().viewOf(containerPath));
        return elf.isEmpty() || elf.get().sameArchitecture(arch.get());
    }

    /** The ELF facts of host library {@code hostPath}; an error naming {@code where} if it is missing. */
    static ElfFile hostElf(String hostPath, String where) {
        Path p = Path.of(hostPath);
        if (!p.isAbsolute()) {
            throw new SlipwayException(where + ": library path '" + hostPath + "' must be absolute");
        }
        if (!Files.isRegularFile(p)) {
            throw new SlipwayException(where + ": host library " + hostPath + " does not exist");
        }
        return ElfFile.read(p).orElseThrow(() -> new SlipwayException(where + ": " + hostPath
                + " is not an ELF shared library"));
    }

    /** The soname of a host library: its DT_SONAME, else its file name. */
    static String soname(String hostPath, ElfFile elf) {
        return elf.soname().orElse(hostPath.substring(hostPath.lastIndexOf('/') + 1));
    }

    /**
     * Replaces the image's libraries of the host library's soname, or adds it.
     *
     * @return one line saying what was done, for the verbose output
     */
    String inject(String hostPath, String where) {
        ElfFile elf = hostElf(hostPath, where);
        String soname = soname(hostPath, elf);
        List<String> targets = withSoname(soname, Optional.of(elf));
        if (targets.isEmpty()) {
            add(hostPath, soname);
            return hostPath + " added in " + ADDED_DIR + " as " + soname;
        }
        for (String t : targets) {
            replace(hostPath, t);
        }
        return hostPath + " replaces " + String.join(", ", targets);
    }

    /** Binds host library {@code hostPath} over image file {@code containerPath}. */
    void replace(String hostPath, String containerPath) {
        out.bindReadOnly(hostPath, containerPath);
    }

    /** Adds {@code hostPath} to {@value #ADDED_DIR}, with links from {@code names} (soname, linker name...). */
    void add(String hostPath, String... names) {
        String file = realFileName(hostPath);
        out.bindReadOnly(hostPath, ADDED_DIR + "/" + file);
        for (String name : names) {
            if (!name.equals(file)) {
                // Never replaces: an image file of that name stays.
                out.symlink(file, ADDED_DIR + "/" + name);
            }
        }
        added = true;
    }

    /** The file name of what {@code hostPath} leads to ({@code libmpich.so.12} -> {@code libmpich.so.12.2.2}). */
    private static String realFileName(String hostPath) {
        try {
            return Path.of(hostPath).toRealPath().getFileName().toString();
        } catch (IOException e) {
            return hostPath.substring(hostPath.lastIndexOf('/') + 1);
        }
    }

    /** Whether a library was added (so the linker cache must learn of {@value #ADDED_DIR}). */
    boolean addedAny() {
        return added;
    }

    /** Refreshes the linker cache when the image has one. */
    void refresh() {
        Ldconfig.refresh(ctx, out, ADDED_DIR);
    }
}
