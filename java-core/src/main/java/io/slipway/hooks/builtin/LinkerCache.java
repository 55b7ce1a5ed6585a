package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A glibc dynamic linker cache ({@code /etc/ld.so.cache}) read without running anything: the
 * libraries an image's programs find by name, as {@code ldconfig -p} lists them. Reads the
 * current format ({@code glibc-ld.so.cache1.1}, glibc 2.32 and later), the compatible format older
 * glibc writes (the old table followed by the new one) and the old format alone.
 */
public final class LinkerCache {

    /** One entry: a soname (the name programs ask for), its path, and the cache's flags. */
    public record Entry(String soname, String path, int flags) {

        /** The ELF type and architecture bits, as ldconfig records them (libc6 x86-64 is 0x0303). */
        public int kind() {
            return flags & 0xffff;
        }
    }

    private static final String OLD_MAGIC = "ld.so-1.7.0";
    private static final String NEW_MAGIC = "glibc-ld.so.cache1.1";

    private LinkerCache() {}

    /** The entries of the cache file at {@code file} (a host path); empty when it is no cache. */
    public static List<Entry> read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    /** The entries of an image's cache; empty when it has none. */
    public static List<Entry> of(RootView root) throws IOException {
        Path file = root.viewOf("/etc/ld.so.cache");
        return Files.isRegularFile(file) ? read(file) : List.of();
    }

    static List<Entry> parse(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        if (startsWith(data, 0, NEW_MAGIC)) {
            return parseNew(b, 0);
        }
        if (!startsWith(data, 0, OLD_MAGIC) || data.length < 16) {
            return List.of();
        }
        int nlibs = b.getInt(12);
        int entries = 16;
        long end = entries + 12L * nlibs;
        if (nlibs < 0 || end > data.length) {
            return List.of();
        }
        int next = (int) ((end + 7) & ~7L);
        if (startsWith(data, next, NEW_MAGIC)) {
            return parseNew(b, next);
        }
        // Old format alone: string offsets count from the end of the table.
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < nlibs; i++) {
            int at = entries + 12 * i;
            out.add(new Entry(string(data, (int) end + b.getInt(at + 4)), string(data, (int) end + b.getInt(at + 8)),
                    b.getInt(at)));
        }
        return out;
    }

    /** The new format: a 48-byte header, then 24-byte entries; strings count from the header. */
    private static List<Entry> parseNew(ByteBuffer b, int base) {
        byte[] data = b.array();
        if (base + 48 > data.length) {
            return List.of();
        }
        int nlibs = b.getInt(base + 20);
        if (nlibs < 0 || base + 48L + 24L * nlibs > data.length) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < nlibs; i++) {
            int at = base + 48 + 24 * i;
            out.add(new Entry(string(data, base + b.getInt(at + 4)), string(data, base + b.getInt(at + 8)),
                    b.getInt(at)));
        }
        return out;
    }

    private static boolean startsWith(byte[] data, int at, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (at < 0 || at + m.length > data.length) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (data[at + i] != m[i]) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] data, int at) {
        if (at < 0 || at >= data.length) {
            return "";
        }
        int end = at;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, at, end - at, StandardCharsets.UTF_8);
    }
}
