package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sonames a glibc {@code /etc/ld.so.cache} lists and the file each resolves to: what the
 * dynamic loader finds without a search, read with {@link LinkerCache} (running
 * {@code ldconfig -p} would cost a process start on every container start). Where a soname is
 * listed for several ABIs (an i386 copy beside the 64-bit one), the entry carrying an
 * architecture flag (64-bit libraries have one) wins.
 */
public record LdSoCache(Map<String, String> libraries) {

    /** An empty cache: nothing is found. */
    public static final LdSoCache EMPTY = new LdSoCache(Map.of());

    /** The cache in {@code file}, or empty when it is missing or in no format known here. */
    public static Optional<LdSoCache> read(Path file) {
        List<LinkerCache.Entry> entries;
        try {
            entries = LinkerCache.read(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> libs = new HashMap<>();
        Map<String, Integer> flagsOf = new HashMap<>();
        for (LinkerCache.Entry e : entries) {
            Integer seen = flagsOf.get(e.soname());
            if (seen == null || (seen & 0xff00) == 0 && (e.flags() & 0xff00) != 0) {
                libs.put(e.soname(), e.path());
                flagsOf.put(e.soname(), e.flags());
            }
        }
        return Optional.of(new LdSoCache(Map.copyOf(libs)));
    }

    /** The file {@code soname} resolves to, if listed. */
    public Optional<String> find(String soname) {
        return Optional.ofNullable(libraries.get(soname));
    }
}
