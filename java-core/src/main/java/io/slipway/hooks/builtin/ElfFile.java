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
 * What the dynamic loader reads of a 64-bit ELF file: its interpreter ({@code PT_INTERP}), the
 * libraries it needs ({@code DT_NEEDED}) and where it looks for them first
 * ({@code DT_RUNPATH}/{@code DT_RPATH}, {@code $ORIGIN} expanded). Read from the headers only, so
 * hooks can work out which host libraries a host program needs without running {@code ldd}
 * (which would start the loader once per file).
 *
 * @param interpreter the program interpreter (empty for shared libraries and static programs)
 * @param needed the sonames of {@code DT_NEEDED}, in order
 * @param runpath the directories of {@code DT_RUNPATH}, else {@code DT_RPATH}
 */
public record ElfFile(String interpreter, List<String> needed, List<String> runpath) {

    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;

    /** The file's loader view, or empty when it is not a readable 64-bit ELF file. */
    public static Optional<ElfFile> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64 || size > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (b.get(0) != 0x7f || b.get(1) != 'E' || b.get(2) != 'L' || b.get(3) != 'F' || b.get(4) != 2) {
                return Optional.empty();
            }
            b.order(b.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long phoff = b.getLong(32);
            int phentsize = Short.toUnsignedInt(b.getShort(54));
            int phnum = Short.toUnsignedInt(b.getShort(56));
            String interp = "";
            long dynOff = -1;
            long dynSize = 0;
            List<long[]> loads = new ArrayList<>();
            for (int i = 0; i < phnum; i++) {
                int ph = (int) (phoff + (long) i * phentsize);
                if (ph + 56 > size) {
                    return Optional.empty();
                }
                int type = b.getInt(ph);
                long offset = b.getLong(ph + 8);
                long vaddr = b.getLong(ph + 16);
                long filesz = b.getLong(ph + 32);
                switch (type) {
                    case PT_INTERP -> interp = cString(b, offset);
                    case PT_DYNAMIC -> {
                        dynOff = offset;
                        dynSize = filesz;
                    }
                    case PT_LOAD -> loads.add(new long[] {vaddr, offset, filesz});
                    default -> { }
                }
            }
            if (dynOff < 0) {
                return Optional.of(new ElfFile(interp, List.of(), List.of()));
            }
            List<Long> needed = new ArrayList<>();
            long strtab = -1;
            long rpath = -1;
            long runpath = -1;
            for (long d = dynOff; d + 16 <= dynOff + dynSize && d + 16 <= size; d += 16) {
                long tag = b.getLong((int) d);
                long val = b.getLong((int) d + 8);
                if (tag == 0) {
                    break;
                } else if (tag == DT_NEEDED) {
                    needed.add(val);
                } else if (tag == DT_STRTAB) {
                    strtab = val;
                } else if (tag == DT_RPATH) {
                    rpath = val;
                } else if (tag == DT_RUNPATH) {
                    runpath = val;
                }
            }
            long strOff = fileOffset(loads, strtab);
            if (strOff < 0) {
                return Optional.empty();
            }
            List<String> names = new ArrayList<>();
            for (long n : needed) {
                names.add(cString(b, strOff + n));
            }
            long path = runpath >= 0 ? runpath : rpath;
            List<String> dirs = new ArrayList<>();
            if (path >= 0) {
                String origin = file.toAbsolutePath().getParent().toString();
                for (String dir : cString(b, strOff + path).split(":")) {
                    if (!dir.isEmpty()) {
                        dirs.add(dir.replace("${ORIGIN}", origin).replace("$ORIGIN", origin));
                    }
                }
            }
            return Optional.of(new ElfFile(interp, List.copyOf(names), List.copyOf(dirs)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The file offset of virtual address {@code addr}, through the loadable segments. */
    private static long fileOffset(List<long[]> loads, long addr) {
        for (long[] l : loads) {
            if (addr >= l[0] && addr < l[0] + l[2]) {
                return addr - l[0] + l[1];
            }
        }
        return -1;
    }

    private static String cString(ByteBuffer b, long offset) {
        int start = (int) offset;
        int end = start;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        b.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
