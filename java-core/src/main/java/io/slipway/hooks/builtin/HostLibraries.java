package io.slipway.hooks.builtin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shared libraries host programs need, found the way the host's loader finds them (the
 * object's RUNPATH, the host's {@code ld.so.cache}, the default directories), minus glibc's own
 * libraries: those must come from the image, since replacing an image's C library is the glibc
 * hook's decision, never a side effect. Used by hooks that bring host programs into a container
 * to work out which libraries the image lacks.
 *
 * @param hostCache the host's linker cache
 * @param defaultDirs where the loader looks last (the trusted directories)
 */
public record HostLibraries(LdSoCache hostCache, List<String> defaultDirs) {

    /** Sonames that belong to glibc: never taken from the host. */
    private static final Set<String> GLIBC = Set.of("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0",
            "librt.so.1", "libresolv.so.2", "libutil.so.1", "libanl.so.1", "libnsl.so.1", "libmvec.so.1",
            "libBrokenLocale.so.1", "libthread_db.so.1", "libc_malloc_debug.so.0", "libmemusage.so",
            "libpcprofile.so", "libSegFault.so");

    /** The host's: its {@code /etc/ld.so.cache} and the usual trusted directories. */
    public static HostLibraries ofHost() {
        return new HostLibraries(LdSoCache.read(Path.of("/etc/ld.so.cache")).orElse(LdSoCache.EMPTY),
                List.of("/lib64", "/usr/lib64", "/lib/" + multiarch(), "/usr/lib/" + multiarch(), "/lib", "/usr/lib"));
    }

    /** Debian's multiarch directory name for this machine. */
    static String multiarch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            default -> arch + "-linux-gnu";
        };
    }

    /** Whether {@code soname} is part of glibc (or its loader). */
    public static boolean isGlibc(String soname) {
        return GLIBC.contains(soname) || soname.startsWith("ld-linux") || soname.startsWith("ld64.so")
                || soname.startsWith("libnss_");
    }

    /**
     * The libraries {@code objects} need, directly or through each other, as soname to host file
     * (symbolic links resolved), in discovery order. Libraries under {@code reachable} (directories
     * the container gets at their host paths, where RUNPATH finds them) are followed but not listed;
     * sonames found nowhere on the host are left out (the program would fail on the host too).
     */
    public Map<String, Path> needed(Collection<Path> objects, Collection<String> reachable) {
        Map<String, Path> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        Deque<Path> todo = new ArrayDeque<>(objects);
        Set<Path> visited = new HashSet<>();
        while (!todo.isEmpty()) {
            Path object = todo.pop();
            if (!visited.add(object)) {
                continue;
            }
            Optional<ElfFile> elf = ElfFile.read(object);
            if (elf.isEmpty()) {
                continue;
            }
            for (String soname : elf.get().needed()) {
                if (isGlibc(soname) || !seen.add(soname)) {
                    continue;
                }
                Optional<Path> found = find(soname, elf.get().runpath());
                if (found.isEmpty()) {
                    seen.remove(soname);
                    continue;
                }
                Path file = found.get();
                if (!under(file, reachable)) {
                    out.put(soname, file);
                }
                todo.add(file);
            }
        }
        return out;
    }

    private Optional<Path> find(String soname, List<String> runpath) {
        if (soname.contains("/")) {
            return real(Path.of(soname));
        }
        for (String dir : runpath) {
            Optional<Path> p = real(Path.of(dir, soname));
            if (p.isPresent()) {
                return p;
            }
        }
        Optional<Path> cached = hostCache.find(soname).flatMap(f -> real(Path.of(f)));
        if (cached.isPresent()) {
            return cached;
        }
        for (String dir : defaultDirs) {
            Optional<Path> p = real(Path.of(dir, soname));
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> real(Path p) {
        try {
            return Files.isRegularFile(p) ? Optional.of(p.toRealPath()) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static boolean under(Path file, Collection<String> dirs) {
        for (String d : dirs) {
            if (file.startsWith(Path.of(d))) {
                return true;
            }
        }
        return false;
    }
}
