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
 * @param runRoot the builder's run-time state (locks, sockets): see {@link #runRootFor}
 */
record BuilderCommands(String program, Path storage, Path runRoot) {

    /** The tag a podman build gives the image before it is pushed into the layout. */
    static final String PODMAN_TAG = "localhost/slipway-build:latest";

    boolean isPodman() {
        return isPodman(program);
    }

    static boolean isPodman(String program) {
        return Path.of(program).getFileName().toString().startsWith("podman");
    }

    /**
     * Inside the build's own storage for buildah. podman refuses a run root longer than 50
     * characters, which a build tree under TMPDIR easily is, so its run root is
     * {@code /tmp/slipway-run-UID-KEY}: one per user and image path, whose builds a lock serializes.
     */
    static Path runRootFor(String program, Path storage, int uid, String key) {
        return isPodman(program) ? Path.of("/tmp", "slipway-run-" + uid + "-" + key) : storage.resolve("run");
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
        // podman must not use the storage being removed, nor the user's own: a scratch one in the run root.
        List<String> cmd = isPodman() ? withStorage(runRoot.resolve("unshare-storage"), "unshare")
                : new ArrayList<>(List.of(program, "unshare"));
        cmd.addAll(List.of("rm", "-rf", "--", dir.toString()));
        return cmd;
    }

    /**
     * podman's own run-time directory (XDG_RUNTIME_DIR), which it would otherwise create as
     * /tmp/podman-run-UID and leave behind. Null for buildah.
     */
    Path podmanRuntimeDir() {
        return isPodman() ? runRoot.resolve("xdg") : null;
    }

    /** Where podman records its pause process, which holds the rootless user namespace after it exits. */
    Path podmanPausePidFile() {
        return runRoot.resolve("tmp/pause.pid");
    }

    private List<String> withStorage(String subcommand) {
        return withStorage(storage.resolve("root"), subcommand);
    }

    private List<String> withStorage(Path root, String subcommand) {
        List<String> cmd = new ArrayList<>(List.of(program, "--root", root.toString(),
                "--runroot", runRoot.toString(), "--storage-driver", "vfs"));
        if (isPodman()) {
            cmd.addAll(List.of("--tmpdir", runRoot.resolve("tmp").toString()));
        }
        cmd.add(subcommand);
        return cmd;
    }
}
