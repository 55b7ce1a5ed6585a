package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The sonames a glibc {@code /etc/ld.so.cache} lists and the file each resolves to: what the
 * dynamic loader finds without a search. Read directly (the "glibc-ld.so.cache1.1" format, alone
 * or after the old "ld.so-1.7.0" table), because running {@code ldconfig -p} would cost a process
 * start on every container start. Where a soname is listed for several ABIs (an i386 copy beside
 * the 64-bit one), the entry carrying an architecture flag (64-bit libraries have one) wins.
 */
public record LdSoCache(Map<String, String> libraries) {

    private static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_HEADER = 48;
    private static final int NEW_ENTRY = 24;
    private static final int OLD_ENTRY = 12;

    /** An empty cache: nothing is found. */
    public static final LdSoCache EMPTY = new LdSoCache(Map.of());

    /** The cache in {@code file}, or empty when it is missing or in no format known here. */
    public static Optional<LdSoCache> read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        int start = 0;
        if (startsWith(data, 0, OLD_MAGIC)) {
            if (data.length < 16) {
                return Optional.empty();
            }
            int n = b.getInt(12);
            // The new table follows the old one, aligned to 8 bytes.
            start = (16 + n * OLD_ENTRY + 7) & ~7;
        }
        if (!startsWith(data, start, NEW_MAGIC) || data.length < start + NEW_HEADER) {
            return Optional.empty();
        }
        int n = b.getInt(start + 20);
        Map<String, String> libs = new HashMap<>();
        Map<String, Integer> flagsOf = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int e = start + NEW_HEADER + i * NEW_ENTRY;
            if (e + NEW_ENTRY > data.length) {
                break;
            }
            int flags = b.getInt(e);
            String key = string(data, start + b.getInt(e + 4));
            String value = string(data, start + b.getInt(e + 8));
            Integer seen = flagsOf.get(key);
            if (seen == null || (seen & 0xff00) == 0 && (flags & 0xff00) != 0) {
                libs.put(key, value);
                flagsOf.put(key, flags);
            }
        }
        return Optional.of(new LdSoCache(Map.copyOf(libs)));
    }

    /** The file {@code soname} resolves to, if listed. */
    public Optional<String> find(String soname) {
        return Optional.ofNullable(libraries.get(soname));
    }

    private static boolean startsWith(byte[] data, int at, byte[] magic) {
        if (data.length < at + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data[at + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] data, int offset) {
        if (offset < 0 || offset >= data.length) {
            return "";
        }
        int end = offset;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }
}
