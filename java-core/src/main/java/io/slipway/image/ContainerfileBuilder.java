package io.slipway.image;

import io.slipway.SlipwayException;
import io.slipway.posix.FileTrees;
import io.slipway.posix.Posix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds an EDF's {@code containerfile} with buildah or podman (paper section V-D) and writes the
 * squashfs at the EDF's {@code image} path, once: concurrent callers (tasks, nodes) wait on a lock
 * beside that path and reuse the file. The build runs as the calling user with chroot isolation
 * and a private vfs storage in a temporary directory that goes with the build, whatever its end;
 * the builder's output streams to the user line by line.
 */
final class ContainerfileBuilder {

    private final ImageService.Context ctx;
    private final ImageService service;

    ContainerfileBuilder(ImageService.Context ctx, ImageService service) {
        this.ctx = ctx;
        this.service = service;
    }

    ImportedImage build(Path containerfile, Path image) {
        Path recipe = ctx.cwd().resolve(containerfile).normalize();
        Path out = ctx.cwd().resolve(image).normalize();
        if (!Files.isRegularFile(recipe)) {
            throw new SlipwayException("containerfile " + recipe + " (the recipe for " + out + ") does not exist"
                    + (Files.exists(recipe) ? " as a regular file" : ""));
        }
        if (!Files.isDirectory(out.getParent())) {
            throw new SlipwayException("cannot build " + out + " from " + recipe + ": the directory " + out.getParent()
                    + " does not exist");
        }
        FileLock lock = lockBeside(out);
        try {
            if (Files.isRegularFile(out)) {
                ctx.listener().info(out + " was built meanwhile; using it");
            } else {
                return buildLocked(recipe, out);
            }
        } finally {
            ImageStore.unlock(lock);
        }
        return new ImportedImage(out, ImageConfig.readBeside(out).orElse(ImageConfig.empty()));
    }

    /** The lock of one image path: {@code .NAME.lock} beside it, held for the whole build. */
    private FileLock lockBeside(Path out) {
        Path lockFile = out.resolveSibling("." + out.getFileName() + ".lock");
        try {
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    ctx.listener().info("waiting for another build of " + out);
                    lock = ch.lock();
                }
                return lock;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new SlipwayException("cannot lock " + lockFile + " to build " + out + ": " + e.getMessage(), e);
        }
    }

    private ImportedImage buildLocked(Path recipe, Path out) {
        String key = keyOf(out);
        Path base = temporaryBase();
        String program = ctx.config().image().builder();
        // Only a killed build of this image on this node can have left these: its lock is ours.
        sweep(base, key, program);
        deleteStaleSquashfs(out);
        Path work;
        try {
            work = Files.createTempDirectory(base, "slipway-build-" + key + "-");
        } catch (IOException e) {
            throw new SlipwayException("cannot create a build directory in " + base + ": " + e.getMessage(), e);
        }
        BuilderCommands commands = commandsFor(program, work, key);
        Path squashfs = out.resolveSibling("." + out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        BuildRun run = new BuildRun(commands, work, squashfs);
        Thread onSignal = new Thread(run::abandon, "slipway-build-cleanup");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            Map<String, String> env = buildEnvironment(work, commands);
            Optional<Path> authFile = writeAuthFile(recipe, work);
            boolean subordinate = checkSubordinateIds();
            Path layout = work.resolve("layout");
            ctx.listener().info("building " + out + " from " + recipe + " with " + commands.program());
            run.execute("build", commands.build(recipe, layout, authFile, certDir(work)), env, recipe, subordinate);
            Optional<List<String>> export = commands.export(layout);
            if (export.isPresent()) {
                run.execute("push", export.get(), env, recipe, subordinate);
            }
            try (LocalImage built = LocalImage.ociDirectory(layout, "", ctx.platform())) {
                service.squash(built.layersTopFirst(), squashfs, recipe.toString());
                built.config().writeBeside(out);
                Files.move(squashfs, out, StandardCopyOption.ATOMIC_MOVE);
                return new ImportedImage(out, built.config());
            }
        } catch (IOException e) {
            throw new SlipwayException("cannot build " + out + " from " + recipe + ": " + e.getMessage(), e);
        } finally {
            run.cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway; cleanUp is idempotent.
            }
        }
    }

    private Map<String, String> buildEnvironment(Path work, BuilderCommands commands) throws IOException {
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Path registries = work.resolve("registries.conf");
        Files.writeString(registries, BuildRegistries.conf(ctx.config().insecureRegistries()));
        Map<String, String> env = new java.util.HashMap<>(ctx.env());
        // The builder's large temporaries (layer diffs, the committed image) stay in the build tree.
        env.put("TMPDIR", tmp.toString());
        env.put("CONTAINERS_REGISTRIES_CONF", registries.toString());
        Path runtime = commands.podmanRuntimeDir();
        if (runtime != null) {
            Files.createDirectories(runtime, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            env.put("XDG_RUNTIME_DIR", runtime.toString());
        }
        return env;
    }

    /** Stops podman's pause process of this build, which would outlive it (podman only). */
    private static void stopPodmanPause(BuilderCommands commands) {
        if (!commands.isPodman()) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(commands.podmanPausePidFile()).trim());
            ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("catatonit")).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | NumberFormatException e) {
            // No pause process was started.
        }
    }

    /** A 0600 auth.json in the build tree with what Slipway knows for the recipe's registries. */
    private Optional<Path> writeAuthFile(Path recipe, Path work) throws IOException {
        Optional<String> json = BuildAuth.authJson(BaseImages.registries(Files.readString(recipe)), service.credentials());
        if (json.isEmpty()) {
            return Optional.empty();
        }
        Path file = Files.createFile(work.resolve("auth.json"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, json.get());
        return Optional.of(file);
    }

    /** image_ca_file as the builder takes extra CAs: a {@code .crt} file in a directory. */
    private Optional<Path> certDir(Path work) throws IOException {
        Optional<Path> ca = ctx.config().image().caFile();
        if (ca.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Files.createDirectory(work.resolve("certs"));
        Files.copy(ca.get(), dir.resolve("image_ca_file.crt"));
        return Optional.of(dir);
    }

    /** Warns an unprivileged user without subordinate ids; false then, so a failure can say why. */
    private boolean checkSubordinateIds() {
        int uid = Posix.getuid();
        if (uid == 0) {
            return true;
        }
        String user = ctx.env().getOrDefault("USER", ctx.env().getOrDefault("LOGNAME", Integer.toString(uid)));
        if (SubordinateIds.present(Path.of("/etc"), user, uid)) {
            return true;
        }
        ctx.listener().warning("no subordinate ids for " + user + " in /etc/subuid and /etc/subgid: RUN steps will fail; "
                + SubordinateIds.advice(user));
        return false;
    }

    private Path temporaryBase() {
        String tmp = ctx.env().getOrDefault("TMPDIR", "");
        return Path.of(tmp.isEmpty() ? "/tmp" : tmp);
    }

    private void sweep(Path base, String key, String program) {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(base, "slipway-build-" + key + "-*")) {
            for (Path dir : stale) {
                removeTree(dir, commandsFor(program, dir, key));
            }
        } catch (IOException ignored) {
            // Nothing to sweep, or nothing we may sweep.
        }
        BuilderCommands commands = commandsFor(program, base.resolve("none"), key);
        if (!commands.runRoot().startsWith(base) && Files.exists(commands.runRoot())) {
            stopPodmanPause(commands);
            FileTrees.deleteQuietly(commands.runRoot());
        }
    }

    private static BuilderCommands commandsFor(String program, Path work, String key) {
        Path storage = work.resolve("storage");
        return new BuilderCommands(program, storage, BuilderCommands.runRootFor(program, storage, Posix.getuid(), key));
    }

    private static void deleteStaleSquashfs(Path out) {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(out.getParent(), "." + out.getFileName() + ".tmp-*")) {
            stale.forEach(ImageService::deleteQuietly);
        } catch (IOException ignored) {
            // Nothing to delete.
        }
    }

    /** Stable for one image path, so a later build of it finds what a killed one left. */
    private static String keyOf(Path out) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes a build tree, in the builder's user namespace when plain removal cannot. */
    private void removeTree(Path dir, BuilderCommands commands) {
        FileTrees.deleteQuietly(dir);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(commands.removeInNamespace(dir)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            if (commands.podmanRuntimeDir() != null && Files.isDirectory(commands.podmanRuntimeDir())) {
                pb.environment().put("XDG_RUNTIME_DIR", commands.podmanRuntimeDir().toString());
            }
            Process p = pb.start();
            p.waitFor();
        } catch (IOException e) {
            // Reported below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (Files.exists(dir)) {
            ctx.listener().warning("cannot remove the build directory " + dir + "; remove it with `"
                    + commands.program() + " unshare rm -rf " + dir + "`");
        }
    }

    /**
     * The processes and files of one build. {@link #cleanUp} runs when the build ends; on SIGTERM
     * or Ctrl-C the JVM skips that {@code finally}, so {@link #abandon} (a shutdown hook) stops
     * the builder and does it.
     */
    private final class BuildRun {
        private final BuilderCommands commands;
        private final Path work;
        private final Path squashfs;
        private volatile Process process;
        private boolean cleaned;

        BuildRun(BuilderCommands commands, Path work, Path squashfs) {
            this.commands = commands;
            this.work = work;
            this.squashfs = squashfs;
        }

        void execute(String step, List<String> cmd, Map<String, String> env, Path recipe, boolean subordinate) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(work.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            int rc;
            try {
                process = pb.start();
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        ctx.listener().buildOutput(line);
                    }
                }
                rc = process.waitFor();
            } catch (IOException e) {
                throw new SlipwayException("cannot run " + cmd.get(0) + " to build " + recipe + " (image_builder; install"
                        + " the Debian package buildah or podman): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlipwayException("interrupted while building " + recipe, e);
            }
            if (rc != 0) {
                throw new SlipwayException("building " + recipe + " failed: " + Path.of(cmd.get(0)).getFileName() + " "
                        + step + " exited with status " + rc + " (its output is above)"
                        + (subordinate ? "" : "; " + SubordinateIds.advice(ctx.env().getOrDefault("USER", "the user"))));
            }
        }

        synchronized void cleanUp() {
            if (cleaned) {
                return;
            }
            cleaned = true;
            ImageService.deleteQuietly(squashfs);
            removeTree(work, commands);
            // The build's pause process, or the one `podman unshare` started to remove the tree.
            stopPodmanPause(commands);
            if (!commands.runRoot().startsWith(work)) {
                FileTrees.deleteQuietly(commands.runRoot());
            }
        }

        void abandon() {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.destroy();
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            cleanUp();
        }
    }
}
