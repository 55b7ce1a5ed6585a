package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What hooks need from an ELF file, read from its headers without loading it (no {@code ldd},
 * which would start the loader once per file): class and machine, SONAME, interpreter, the
 * libraries it needs and where it looks for them first.
 *
 * @param is64 whether it is ELFCLASS64
 * @param machine {@code e_machine} (62 x86-64, 183 aarch64)
 * @param soname its {@code DT_SONAME}, the name the dynamic linker knows it by
 * @param interpreter its {@code PT_INTERP}, the dynamic loader's path (programs, and libc.so.6)
 * @param needed the sonames of {@code DT_NEEDED}, in order
 * @param runpath the directories of {@code DT_RUNPATH}, else {@code DT_RPATH}, {@code $ORIGIN} expanded
 */
public record ElfFile(boolean is64, int machine, Optional<String> soname, Optional<String> interpreter,
        List<String> needed, List<String> runpath) {

    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_SONAME = 14;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;

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
            return parse(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), file);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<ElfFile> parse(ByteBuffer b, Path file) {
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
        List<long[]> loads = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            int type = b.getInt(at);
            long offset = is64 ? b.getLong(at + 8) : b.getInt(at + 4) & 0xffffffffL;
            long vaddr = is64 ? b.getLong(at + 16) : b.getInt(at + 8) & 0xffffffffL;
            long filesz = is64 ? b.getLong(at + 32) : b.getInt(at + 16) & 0xffffffffL;
            if (type == PT_INTERP) {
                interpreter = Optional.of(string(b, offset));
            } else if (type == PT_DYNAMIC) {
                dynOffset = offset;
                dynSize = filesz;
            } else if (type == PT_LOAD) {
                loads.add(new long[] {vaddr, offset, filesz});
            }
        }
        long strtab = -1;
        long sonameAt = -1;
        long rpath = -1;
        long runpathAt = -1;
        List<Long> neededAt = new ArrayList<>();
        int entry = is64 ? 16 : 8;
        for (long at = dynOffset; dynOffset > 0 && at + entry <= dynOffset + dynSize && at + entry <= b.limit();
                at += entry) {
            long tag = is64 ? b.getLong((int) at) : b.getInt((int) at);
            long val = is64 ? b.getLong((int) at + 8) : b.getInt((int) at + 4) & 0xffffffffL;
            if (tag == 0) {
                break;
            } else if (tag == DT_NEEDED) {
                neededAt.add(val);
            } else if (tag == DT_STRTAB) {
                strtab = val;
            } else if (tag == DT_SONAME) {
                sonameAt = val;
            } else if (tag == DT_RPATH) {
                rpath = val;
            } else if (tag == DT_RUNPATH) {
                runpathAt = val;
            }
        }
        long strOffset = strtab < 0 ? -1 : fileOffset(loads, strtab);
        Optional<String> soname = Optional.empty();
        List<String> needed = new ArrayList<>();
        List<String> runpath = new ArrayList<>();
        if (strOffset >= 0) {
            if (sonameAt >= 0) {
                soname = Optional.of(string(b, strOffset + sonameAt));
            }
            for (long n : neededAt) {
                needed.add(string(b, strOffset + n));
            }
            long path = runpathAt >= 0 ? runpathAt : rpath;
            if (path >= 0) {
                String origin = file.toAbsolutePath().getParent().toString();
                for (String dir : string(b, strOffset + path).split(":")) {
                    if (!dir.isEmpty()) {
                        runpath.add(dir.replace("${ORIGIN}", origin).replace("$ORIGIN", origin));
                    }
                }
            }
        }
        return Optional.of(new ElfFile(is64, machine, soname, interpreter, List.copyOf(needed),
                List.copyOf(runpath)));
    }

    /** The file offset of virtual address {@code vaddr}, through the loadable segments. */
    private static long fileOffset(List<long[]> loads, long vaddr) {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[2]) {
                return vaddr - l[0] + l[1];
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
