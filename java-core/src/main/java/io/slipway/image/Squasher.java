package io.slipway.image;

import io.slipway.SlipwayException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Turns layers into a squashfs file in one stream: {@link LayerMerger} writes the merged tar
 * straight into {@code tar2sqfs} (squashfs-tools-ng), which compresses blocks on all cores while
 * the next layer is still being decompressed. Chosen over {@code mksquashfs} on an unpacked tree
 * by measurement (docs/images.md): no tree is written to disk and the stages overlap.
 */
public final class Squasher {

    /** {@code compression} is {@code NAME[:LEVEL]}, e.g. {@code zstd:3}, {@code lz4}, {@code gzip:6}. */
    public record Settings(String tar2sqfs, String compression, int jobs) {
        public static final String DEFAULT_COMPRESSION = "zstd:1";
    }

    private final Settings settings;

    public Squasher(Settings settings) {
        this.settings = settings;
    }

    public LayerMerger.Report squash(List<? extends LayerMerger.Layer> topFirst, Path output, String image) {
        List<String> cmd = new ArrayList<>(List.of(settings.tar2sqfs(), "--quiet", "--force", "--no-xattr",
                "--num-jobs", String.valueOf(Math.max(1, settings.jobs()))));
        String[] comp = settings.compression().split(":", 2);
        cmd.add("--compressor");
        cmd.add(comp[0]);
        if (comp.length == 2 && !comp[1].isEmpty()) {
            cmd.add("--comp-extra");
            cmd.add("level=" + comp[1]);
        }
        cmd.add(output.toString());
        Process p;
        OutputStream stdin;
        try {
            PipedProcess started = PipedProcess.start(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD));
            p = started.process();
            stdin = started.stdin();
        } catch (IOException e) {
            throw new SlipwayException("cannot run " + settings.tar2sqfs() + " (install squashfs-tools-ng): "
                    + e.getMessage(), e);
        }
        CompletableFuture<String> stderr = ProcessStderr.collect(p);
        LayerMerger.Report report;
        try (OutputStream out = new BufferedOutputStream(stdin, 1 << 20)) {
            report = new LayerMerger().merge(topFirst, out);
        } catch (IOException e) {
            p.destroyForcibly();
            String why = stderr.join();
            throw new SlipwayException("squashing " + image + " failed: " + e.getMessage()
                    + (why.isEmpty() ? "" : " (tar2sqfs: " + why + ")"), e);
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlipwayException("squashing " + image + " was interrupted", e);
        }
        if (rc != 0) {
            throw new SlipwayException("squashing " + image + " failed: tar2sqfs exited with " + rc + ": "
                    + stderr.join());
        }
        return report;
    }
}
