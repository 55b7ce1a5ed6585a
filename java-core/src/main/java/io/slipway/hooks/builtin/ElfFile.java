package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What the library hooks need from an ELF shared object, read from its headers without loading
 * it: its class (32 or 64 bit), machine and SONAME (the {@code DT_SONAME} of its dynamic section,
 * the name the dynamic linker knows it by).
 *
 * @param is64 whether it is ELFCLASS64
 * @param machine {@code e_machine} (62 x86-64, 183 aarch64)
 * @param soname its SONAME, empty when it has none
 * @param interpreter its PT_INTERP, the dynamic loader's path (libc.so.6 has one), empty when none
 */
public record ElfFile(boolean is64, int machine, Optional<String> soname, Optional<String> interpreter) {

    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_STRTAB = 5;
    private static final long DT_SONAME = 14;

    /** Whether {@code other} runs in the same processes as this one (same class and machine). */
    public boolean sameArchitecture(ElfFile other) {
        return is64 == other.is64 && machine == other.machine;
    }

    /** The ELF facts of {@code file}; empty when it is not an ELF file (or cannot be read). */
    public static Optional<ElfFile> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64 || size > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            // Mapped, not read: only the pages of the headers and strings are touched.
            return parse(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<ElfFile> parse(ByteBuffer b) {
        if (b.limit() < 64 || b.get(0) != 0x7f || b.get(1) != 'E' || b.get(2) != 'L' || b.get(3) != 'F') {
            return Optional.empty();
        }
        boolean is64 = b.get(4) == 2;
        b.order(b.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int machine = b.getShort(18) & 0xffff;
        long phoff = is64 ? b.getLong(32) : b.getInt(28) & 0xffffffffL;
        int phentsize = b.getShort(is64 ? 54 : 42) & 0xffff;
        int phnum = b.getShort(is64 ? 56 : 44) & 0xffff;
        long dynOffset = -1;
        long dynSize = 0;
        Optional<String> interpreter = Optional.empty();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (b.getInt(at) == PT_INTERP) {
                interpreter = Optional.of(string(b, is64 ? b.getLong(at + 8) : b.getInt(at + 4) & 0xffffffffL));
            }
            if (b.getInt(at) == PT_DYNAMIC) {
                dynOffset = is64 ? b.getLong(at + 8) : b.getInt(at + 4) & 0xffffffffL;
                dynSize = is64 ? b.getLong(at + 32) : b.getInt(at + 16) & 0xffffffffL;
            }
        }
        Optional<String> soname = Optional.empty();
        if (dynOffset > 0) {
            long strtab = -1;
            long sonameAt = -1;
            int entry = is64 ? 16 : 8;
            for (long at = dynOffset; at + entry <= dynOffset + dynSize; at += entry) {
                long tag = is64 ? b.getLong((int) at) : b.getInt((int) at);
                long val = is64 ? b.getLong((int) at + 8) : b.getInt((int) at + 4) & 0xffffffffL;
                if (tag == 0) {
                    break;
                } else if (tag == DT_STRTAB) {
                    strtab = val;
                } else if (tag == DT_SONAME) {
                    sonameAt = val;
                }
            }
            long strOffset = strtab < 0 ? -1 : fileOffset(b, is64, phoff, phentsize, phnum, strtab);
            if (strOffset >= 0 && sonameAt >= 0) {
                soname = Optional.of(string(b, strOffset + sonameAt));
            }
        }
        return Optional.of(new ElfFile(is64, machine, soname, interpreter));
    }

    /** The file offset of virtual address {@code vaddr}, through the PT_LOAD segments. */
    private static long fileOffset(ByteBuffer b, boolean is64, long phoff, int phentsize, int phnum, long vaddr) {
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (b.getInt(at) != PT_LOAD) {
                continue;
            }
            long offset = is64 ? b.getLong(at + 8) : b.getInt(at + 4) & 0xffffffffL;
            long start = is64 ? b.getLong(at + 16) : b.getInt(at + 8) & 0xffffffffL;
            long filesz = is64 ? b.getLong(at + 32) : b.getInt(at + 16) & 0xffffffffL;
            if (vaddr >= start && vaddr < start + filesz) {
                return offset + (vaddr - start);
            }
        }
        return -1;
    }

    private static String string(ByteBuffer b, long at) {
        if (at < 0 || at >= b.limit()) {
            return "";
        }
        int end = (int) at;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - (int) at];
        b.get((int) at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
