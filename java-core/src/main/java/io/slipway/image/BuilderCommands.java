package io.slipway.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command lines of one Containerfile build with buildah or podman. Every call names the
 * build's own storage (vfs under {@code storage}, so nothing touches the user's containers
 * storage and the whole tree goes with the build) and chroot isolation (no runc, no root, no
 * network namespace: what an unprivileged user in a job can do).
 *
 * @param program {@code image_builder}: buildah or podman, by name on PATH or a path
 * @param storage the build's private storage directory
 */
record BuilderCommands(String program, Path storage) {

    /** The tag a podman build gives the image before it is pushed into the layout. */
    static final String PODMAN_TAG = "localhost/slipway-build:latest";

    boolean isPodman() {
        return Path.of(program).getFileName().toString().startsWith("podman");
    }

    /**
     * Builds {@code containerfile} with its directory as context; buildah writes {@code layout}
     * directly. {@code certDir} holds CA certificates ({@code *.crt}) trusted besides the system's.
     */
    List<String> build(Path containerfile, Path layout, Optional<Path> authFile, Optional<Path> certDir) {
        List<String> cmd = withStorage("build");
        cmd.addAll(List.of("--isolation=chroot", "--file", containerfile.toString()));
        authFile.ifPresent(a -> cmd.addAll(List.of("--authfile", a.toString())));
        certDir.ifPresent(d -> cmd.addAll(List.of("--cert-dir", d.toString())));
        cmd.addAll(List.of("--tag", isPodman() ? PODMAN_TAG : "oci:" + layout, containerfile.getParent().toString()));
        return cmd;
    }

    /** podman cannot tag into a layout: the image is pushed there from its storage. Empty for buildah. */
    Optional<List<String>> export(Path layout) {
        if (!isPodman()) {
            return Optional.empty();
        }
        List<String> cmd = withStorage("push");
        cmd.addAll(List.of("--quiet", PODMAN_TAG, "oci:" + layout));
        return Optional.of(cmd);
    }

    /**
     * Removes {@code dir} in the builder's user namespace: rootless storage holds files owned by
     * subordinate ids that the user may not delete directly.
     */
    List<String> removeInNamespace(Path dir) {
        return List.of(program, "unshare", "rm", "-rf", "--", dir.toString());
    }

    private List<String> withStorage(String subcommand) {
        return new ArrayList<>(List.of(program, "--root", storage.resolve("root").toString(),
                "--runroot", storage.resolve("run").toString(), "--storage-driver", "vfs", subcommand));
    }
}
