package io.slipway.image;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Merges image layers into one tar stream in a single pass, topmost layer first: the first
 * occurrence of a path wins, OCI whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq}) hide what
 * lower layers hold, and a non-directory hides a lower directory's contents. Nothing is unpacked
 * to disk. Every entry is neutralised on the way: paths that would leave the root are dropped,
 * leading {@code /} removed, device nodes dropped, setuid/setgid bits cleared, owner and group
 * set to 0 (the user, inside the container's user namespace), and the owner can always read.
 */
public final class LayerMerger {

    /** One layer, opened when the merge reaches it (a download may still be running then). */
    public interface Layer {
        String name();

        /** The complete layer (waiting for its download if need be). */
        Path file() throws IOException;

        /**
         * The layer's bytes for the merge's pass, which may follow its download; by default
         * the complete {@link #file}.
         */
        default TarArchiveInputStream openTar() throws IOException {
            return open(file());
        }

        /** A layer already on disk, named after its file. */
        static Layer of(Path file) {
            return new Layer() {
                @Override
                public String name() {
                    return file.getFileName().toString();
                }

                @Override
                public Path file() {
                    return file;
                }
            };
        }
    }

    /** What was dropped or changed, for one summary warning. */
    public record Report(int escaping, int devices, int setid, int orphanLinks) {
        public boolean clean() {
            return escaping + devices + setid + orphanLinks == 0;
        }
    }

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    /** For file contents: one buffer for the whole merge instead of one per entry. */
    private final byte[] copyBuffer = new byte[1 << 18];
    private final Set<String> emitted = new HashSet<>();
    private final Set<String> nonDirectories = new HashSet<>();
    private final Set<String> whiteouts = new HashSet<>();
    private final Set<String> opaque = new HashSet<>();
    private int escaping;
    private int devices;
    private int setid;
    private int orphanLinks;

    /** Writes the merged tar of {@code topFirst} to {@code out} (not closed). */
    public Report merge(List<? extends Layer> topFirst, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 1 << 16, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        for (Layer layer : topFirst) {
            mergeLayer(layer, tar);
        }
        tar.finish();
        tar.flush();
        return new Report(escaping, devices, setid, orphanLinks);
    }

    private void mergeLayer(Layer layer, TarArchiveOutputStream tar) throws IOException {
        Set<String> layerWhiteouts = new HashSet<>();
        Set<String> layerOpaque = new HashSet<>();
        Set<String> fromThisLayer = new HashSet<>();
        Map<String, List<String>> orphans = new HashMap<>();
        try (TarArchiveInputStream in = layer.openTar()) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String name = normalize(e.getName());
                if (name == null) {
                    escaping++;
                    continue;
                }
                if (name.isEmpty()) {
                    continue; // The root: its attributes come from tar2sqfs defaults.
                }
                int slash = name.lastIndexOf('/');
                String parent = slash < 0 ? "" : name.substring(0, slash);
                String base = name.substring(slash + 1);
                if (base.startsWith(WHITEOUT)) {
                    if (base.equals(OPAQUE)) {
                        layerOpaque.add(parent);
                    } else {
                        layerWhiteouts.add(join(parent, base.substring(WHITEOUT.length())));
                    }
                    continue;
                }
                if (hiddenByUpper(name) || emitted.contains(name)) {
                    continue;
                }
                if (e.isCharacterDevice() || e.isBlockDevice()) {
                    devices++;
                    continue;
                }
                if (e.isLink()) {
                    String target = normalize(e.getLinkName());
                    if (target == null || target.isEmpty()) {
                        escaping++;
                        continue;
                    }
                    if (!fromThisLayer.contains(target) || !nonDirectories.contains(target)) {
                        orphans.computeIfAbsent(target, k -> new ArrayList<>()).add(name);
                        continue;
                    }
                    TarArchiveEntry link = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    link.setLinkName(target);
                    emit(tar, link, e, null, name, fromThisLayer);
                    continue;
                }
                TarArchiveEntry out;
                if (e.isDirectory()) {
                    out = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
                } else if (e.isSymbolicLink()) {
                    out = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    out.setLinkName(e.getLinkName());
                } else if (e.isFIFO()) {
                    out = new TarArchiveEntry(name, TarConstants.LF_FIFO);
                } else if (e.isFile()) {
                    out = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
                    out.setSize(e.isSparse() ? e.getRealSize() : e.getSize());
                } else {
                    continue; // Unknown types (e.g. GNU volume headers) carry nothing to keep.
                }
                emit(tar, out, e, e.isFile() ? in : null, name, fromThisLayer);
            }
        }
        if (!orphans.isEmpty()) {
            resolveOrphans(layer.file(), orphans, tar, fromThisLayer);
        }
        whiteouts.addAll(layerWhiteouts);
        opaque.addAll(layerOpaque);
    }

    /**
     * Hard links of this layer whose target an upper layer replaced: the target's content of
     * this layer is what they mean, so a second read of the layer writes it under the first
     * link name and links the others to it.
     */
    private void resolveOrphans(Path file, Map<String, List<String>> orphans, TarArchiveOutputStream tar,
            Set<String> fromThisLayer) throws IOException {
        try (TarArchiveInputStream in = open(file)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null && !orphans.isEmpty()) {
                String name = normalize(e.getName());
                List<String> links = name == null ? null : orphans.remove(name);
                if (links == null) {
                    continue;
                }
                if (!e.isFile()) {
                    orphanLinks += links.size();
                    continue;
                }
                String first = links.get(0);
                TarArchiveEntry copy = new TarArchiveEntry(first, TarConstants.LF_NORMAL);
                copy.setSize(e.isSparse() ? e.getRealSize() : e.getSize());
                emit(tar, copy, e, in, first, fromThisLayer);
                for (String other : links.subList(1, links.size())) {
                    TarArchiveEntry link = new TarArchiveEntry(other, TarConstants.LF_LINK);
                    link.setLinkName(first);
                    emit(tar, link, e, null, other, fromThisLayer);
                }
            }
        }
        for (List<String> left : orphans.values()) {
            orphanLinks += left.size();
        }
    }

    private void emit(TarArchiveOutputStream tar, TarArchiveEntry out, TarArchiveEntry from, InputStream data,
            String name, Set<String> fromThisLayer) throws IOException {
        int mode = from.getMode() & 07777;
        if ((mode & 06000) != 0) {
            setid++;
            mode &= ~06000;
        }
        mode |= from.isDirectory() ? 0700 : 0400;
        out.setMode(mode);
        out.setIds(0, 0);
        out.setUserName("");
        out.setGroupName("");
        out.setModTime(from.getModTime());
        tar.putArchiveEntry(out);
        if (data != null) {
            long n = 0;
            for (int r; (r = data.read(copyBuffer)) > 0; n += r) {
                tar.write(copyBuffer, 0, r);
            }
            if (n != out.getSize()) {
                throw new IOException("layer entry " + name + " is truncated");
            }
        }
        tar.closeArchiveEntry();
        emitted.add(name);
        fromThisLayer.add(name);
        if (!out.isDirectory()) {
            nonDirectories.add(name);
        }
    }

    /** Whether an upper layer's whiteout, opaque directory or non-directory hides {@code name}. */
    private boolean hiddenByUpper(String name) {
        if (whiteouts.contains(name)) {
            return true;
        }
        String p = name;
        for (int slash = p.lastIndexOf('/'); ; slash = p.lastIndexOf('/')) {
            p = slash < 0 ? "" : p.substring(0, slash);
            if (opaque.contains(p) || (!p.isEmpty() && (whiteouts.contains(p) || nonDirectories.contains(p)))) {
                return true;
            }
            if (slash < 0) {
                return false;
            }
        }
    }

    private static String join(String parent, String base) {
        return parent.isEmpty() ? base : parent + "/" + base;
    }

    /**
     * The path of a tar entry relative to the root, without {@code ./}, {@code .} components or
     * trailing {@code /}; null when {@code ..} would leave the root.
     */
    public static String normalize(String raw) {
        List<String> parts = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    /** A layer's tar, decompressed by what its first bytes say: gzip, zstd or plain. */
    public static TarArchiveInputStream open(Path file) throws IOException {
        return open(Files.newInputStream(file), file.getFileName().toString(), raw -> Gunzip.open(file, raw));
    }

    /** The tar of a layer that may still be downloading, read as it arrives. */
    static TarArchiveInputStream open(ArrivingBlob.Reader arriving) throws IOException {
        return open(arriving, arriving.digest(), raw -> {
            // igzip gets the whole blob, not what the magic test buffered.
            arriving.rewind();
            return Gunzip.open(arriving);
        });
    }

    @FunctionalInterface
    private interface Decompressor {
        InputStream open(InputStream raw) throws IOException;
    }

    private static TarArchiveInputStream open(InputStream source, String name, Decompressor gunzip)
            throws IOException {
        InputStream raw = new BufferedInputStream(source, 1 << 16);
        try {
            raw.mark(4);
            byte[] magic = raw.readNBytes(4);
            raw.reset();
            InputStream plain;
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                plain = readAhead(gunzip.open(raw), name);
            } else if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                    && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
                plain = readAhead(new ZstdInputStream(raw), name);
            } else {
                plain = raw;
            }
            return new TarArchiveInputStream(plain, StandardCharsets.UTF_8.name());
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Decompression on its own thread, up to 16 MiB ahead of the merge. */
    private static InputStream readAhead(InputStream decompressed, String name) {
        return new ReadAhead(decompressed, name, 16, 1 << 20);
    }
}
