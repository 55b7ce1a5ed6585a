package io.slipway.image;

import io.slipway.SlipwayException;
import io.slipway.posix.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds an EDF's {@code containerfile} with buildah or podman (paper section V-D) into an
 * {@code oci-archive}, imports it and writes the squashfs at the EDF's {@code image} path. The
 * build context is the Containerfile's directory; build output streams to the user through the
 * listener, line by line.
 */
final class ContainerfileBuilder {

    private final ImageService.Context ctx;
    private final ImageService service;

    ContainerfileBuilder(ImageService.Context ctx, ImageService service) {
        this.ctx = ctx;
        this.service = service;
    }

    ImportedImage build(Path containerfile, Path output) {
        Path file = ctx.cwd().resolve(containerfile).normalize();
        if (!Files.isRegularFile(file)) {
            throw new SlipwayException("containerfile " + file + " does not exist");
        }
        String builder = ctx.config().image().builder();
        Path work;
        try {
            work = Files.createTempDirectory(output.toAbsolutePath().getParent(), ".slipway-build-");
        } catch (IOException e) {
            throw new SlipwayException("cannot build " + output + ": " + e.getMessage(), e);
        }
        try {
            Path archive = work.resolve("image.tar");
            List<String> cmd = new ArrayList<>(List.of(builder, "build", "--file", file.toString()));
            if (builder.endsWith("buildah")) {
                cmd.add("--isolation=chroot");
            }
            cmd.addAll(List.of("--tag", "oci-archive:" + archive, file.getParent().toString()));
            if (builder.endsWith("podman")) {
                cmd.removeIf(a -> a.startsWith("oci-archive:"));
                cmd.add(cmd.indexOf("--tag") + 1, "localhost/slipway-build-" + ProcessHandle.current().pid());
            }
            ctx.listener().info("building " + output + " from " + file + " with " + builder);
            run(cmd, work);
            if (builder.endsWith("podman")) {
                run(List.of(builder, "save", "--format", "oci-archive", "-o", archive.toString(),
                        "localhost/slipway-build-" + ProcessHandle.current().pid()), work);
                run(List.of(builder, "rmi", "localhost/slipway-build-" + ProcessHandle.current().pid()), work);
            }
            ImportedImage imported = service.ensure(new ImageSource.OciArchive(archive, ""));
            Path tmp = work.resolve("out.sqsh");
            Files.copy(imported.squashfs(), tmp, StandardCopyOption.REPLACE_EXISTING);
            imported.config().writeBeside(output);
            Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
            imported.discardIfEphemeral();
            return new ImportedImage(output, imported.config());
        } catch (IOException e) {
            throw new SlipwayException("cannot build " + output + ": " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    private void run(List<String> cmd, Path work) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(ctx.env());
        env.putIfAbsent("TMPDIR", work.toString());
        try {
            Process p = pb.start();
            try (InputStream in = p.getInputStream()) {
                var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null) {
                    ctx.listener().info(line);
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new SlipwayException(cmd.get(0) + " " + cmd.get(1) + " failed with exit status " + rc
                        + " (its output is above)");
            }
        } catch (IOException e) {
            throw new SlipwayException("cannot run " + cmd.get(0) + " (install buildah or podman, or set image_builder): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlipwayException("interrupted while building", e);
        }
    }
}
