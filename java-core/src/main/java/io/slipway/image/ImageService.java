package io.slipway.image;

import io.slipway.SlipwayException;
import io.slipway.config.SlipwayConfig;
import io.slipway.image.registry.CredentialStore;
import io.slipway.image.registry.RegistryClient;
import io.slipway.image.registry.RegistryHttp;
import io.slipway.posix.FileTrees;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What the runtime and the CLI call: {@link #ensure} turns an EDF's {@code image} into an
 * {@link ImportedImage}, from the store when the resolved digest is there, else by pulling once
 * (under the image's lock) and squashing. Everything the caller's session decides (environment,
 * working directory, platform) comes in through {@link Context}; nothing is read from this
 * process's own environment.
 */
public final class ImageService {

    /** The caller's world. {@code env} is the user's or job's environment. */
    public record Context(Map<String, String> env, Path cwd, SlipwayConfig config, Platform platform,
            ImportListener listener) {
        public Context {
            env = Map.copyOf(env);
        }
    }

    private final Context ctx;
    private final ImportListener listener;
    private RegistryHttp http;
    private CredentialStore credentials;
    private Optional<ImageStore> store;
    private boolean storeResolved;

    public ImageService(Context ctx) {
        this.ctx = ctx;
        this.listener = ctx.listener();
    }

    /** The image for an EDF: {@code image} and, when the path is missing, a {@code containerfile}. */
    public ImportedImage ensure(String image, Optional<Path> containerfile) {
        ImageSource source = ImageSource.parse(image, ctx.cwd());
        if (source instanceof ImageSource.SquashfsFile f && !Files.exists(f.file()) && containerfile.isPresent()) {
            return new ContainerfileBuilder(ctx, this).build(containerfile.get(), f.file());
        }
        return ensure(source);
    }

    public ImportedImage ensure(String image) {
        return ensure(image, Optional.empty());
    }

    public ImportedImage ensure(ImageSource source) {
        if (source instanceof ImageSource.SquashfsFile f) {
            return squashfsFile(f.file());
        } else if (source instanceof ImageSource.Registry r) {
            return fromRegistry(r.reference());
        } else if (source instanceof ImageSource.DockerArchive a) {
            return fromLocal(LocalImage.dockerArchive(a.file(), a.tag()));
        } else if (source instanceof ImageSource.OciArchive a) {
            return fromLocal(LocalImage.ociArchive(a.file(), a.tag(), ctx.platform()));
        } else if (source instanceof ImageSource.OciDirectory d) {
            return fromLocal(LocalImage.ociDirectory(d.dir(), d.tag(), ctx.platform()));
        }
        throw new IllegalStateException("unknown image source " + source);
    }

    /** {@code slipway image import -o}: the image written to {@code output} (which must not exist). */
    public ImportedImage importTo(String image, Path output) {
        Path out = ctx.cwd().resolve(output).normalize();
        if (Files.exists(out)) {
            throw new SlipwayException(out + " already exists; remove it or choose another -o");
        }
        ImportedImage imported = ensure(image);
        Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try {
                Files.createLink(tmp, imported.squashfs());
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(imported.squashfs(), tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            imported.config().writeBeside(out);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SlipwayException("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // Nothing visible was left.
            }
        }
        imported.discardIfEphemeral();
        return new ImportedImage(out, imported.config());
    }

    private ImportedImage squashfsFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SlipwayException("image file " + file + " does not exist"
                    + (Files.exists(file) ? " as a regular file" : ""));
        }
        return new ImportedImage(file, ImageConfig.readBeside(file).orElse(ImageConfig.empty()));
    }

    /** The store, or empty in cache-free mode (announced once). */
    public Optional<ImageStore> store() {
        if (!storeResolved) {
            storeResolved = true;
            store = openStore();
        }
        return store;
    }

    private Optional<ImageStore> openStore() {
        String arch = ctx.platform().storeDirectory();
        String configured = ctx.env().getOrDefault("EDF_IMAGESTORE", "");
        if (!configured.isEmpty()) {
            Path root = Path.of(configured);
            if (!root.isAbsolute() || !Files.isDirectory(root)) {
                throw new SlipwayException("EDF_IMAGESTORE=" + configured + " must be an absolute path to an existing directory");
            }
            return tryCreate(new ImageStore(root, arch));
        }
        String scratch = ctx.env().getOrDefault("SCRATCH", "");
        if (!scratch.isEmpty()) {
            return tryCreate(new ImageStore(Path.of(scratch, ".edf_imagestore"), arch));
        }
        Optional<String> site = ctx.config().image().store();
        if (site.isPresent()) {
            return tryCreate(new ImageStore(Path.of(siteStore(site.get())), arch));
        }
        listener.info("SCRATCH and EDF_IMAGESTORE are not set: working without an image cache (the image is "
                + "pulled for this step and deleted afterwards)");
        return Optional.empty();
    }

    /** The administrator's image_store with the caller's ${USER}, ${HOME} and ${UID} put in. */
    private String siteStore(String template) {
        String path = template.replace("${HOME}", ctx.env().getOrDefault("HOME", "/"));
        String user = ctx.env().get("USER");
        // The uid needs the native library: ask only when the template needs it.
        if (path.contains("${UID}") || user == null && path.contains("${USER}")) {
            String uid = String.valueOf(io.slipway.posix.Posix.getuid());
            path = path.replace("${UID}", uid);
            user = user == null ? uid : user;
        }
        return user == null ? path : path.replace("${USER}", user);
    }

    private Optional<ImageStore> tryCreate(ImageStore s) {
        try {
            s.create();
            return Optional.of(s);
        } catch (IOException e) {
            listener.info("cannot create the image store " + s.directory() + " (" + e.getMessage() + "): working "
                    + "without an image cache (the image is pulled for this step and deleted afterwards)");
            return Optional.empty();
        }
    }

    RegistryHttp http() {
        if (http == null) {
            http = new RegistryHttp(ctx.config().image().caFile(), ctx.env(), Duration.ofSeconds(30));
        }
        return http;
    }

    CredentialStore credentials() {
        if (credentials == null) {
            credentials = CredentialStore.load(ctx.env(), listener::warning);
        }
        return credentials;
    }

    RegistryClient client(ImageReference ref) {
        boolean insecure = ctx.config().insecureRegistries().contains(ref.registry());
        var s = ctx.config().image();
        return new RegistryClient(http(), ref, insecure, this::credentials,
                new RegistryClient.Settings(s.transferAttempts(), Duration.ofMillis(500), Duration.ofSeconds(60)));
    }

    /** Resolves the reference to a platform manifest; the digest identifies the image. */
    private ResolvedImage resolve(RegistryClient client) {
        ImageReference ref = client.image();
        RegistryClient.FetchedManifest top = client.pullManifest(ref.manifestReference());
        ManifestDocument doc = ManifestDocument.parse(top.body(), top.contentType(), ref.toString());
        String digest = top.digest();
        if (doc.isIndex()) {
            Descriptor chosen = ctx.platform().select(doc.manifests(), Descriptor::platform, ref.toString());
            RegistryClient.FetchedManifest m = client.pullManifest(chosen.digest());
            doc = ManifestDocument.parse(m.body(), m.contentType(), ref + "@" + chosen.digest());
            if (doc.isIndex()) {
                throw new SlipwayException(ref + ": nested indexes are not supported");
            }
            digest = m.digest();
        }
        return new ResolvedImage(digest, doc);
    }

    private record ResolvedImage(String digest, ManifestDocument manifest) {}

    private ImportedImage fromRegistry(ImageReference ref) {
        RegistryClient client = client(ref);
        ResolvedImage resolved = resolve(client);
        String name = ref.withoutUser().toString();
        Optional<ImageStore> s = store();
        if (s.isEmpty()) {
            Path dir = ephemeralDir();
            Unfinished.add(dir);
            boolean pulled = false;
            try {
                BlobCache blobs = new BlobCache(dir.resolve("blobs"));
                Path out = dir.resolve(resolved.digest().replace(':', '-') + ".sqsh");
                ImageConfig config = pullAndSquash(client, resolved, blobs, out, out, name);
                FileTrees.deleteQuietly(dir.resolve("blobs"));
                pulled = true;
                return new ImportedImage(out, config);
            } finally {
                // A failed pull leaves no directory behind; a good one is the caller's to discard.
                Unfinished.done(dir);
                if (!pulled) {
                    FileTrees.deleteQuietly(dir);
                }
            }
        }
        ImageStore st = s.get();
        Path file = st.imageFile(resolved.digest());
        List<String> layers = resolved.manifest().layers().stream().map(Descriptor::digest).toList();
        if (!Files.isRegularFile(file)) {
            FileLock lock;
            try {
                lock = st.lockImage(resolved.digest(), () -> listener.info("waiting for another import of " + name));
            } catch (IOException e) {
                throw new SlipwayException("cannot lock the image store " + st.directory() + ": " + e.getMessage(), e);
            }
            try {
                if (!Files.isRegularFile(file)) {
                    st.deleteTemporaries(resolved.digest());
                    Path tmp = st.temporaryFile(resolved.digest());
                    Unfinished.add(tmp);
                    try {
                        pullAndSquash(client, resolved, st.blobs(), tmp, file, name);
                        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        throw new SlipwayException("cannot publish " + file + ": " + e.getMessage(), e);
                    } finally {
                        deleteQuietly(tmp);
                        Unfinished.done(tmp);
                    }
                }
            } finally {
                ImageStore.unlock(lock);
            }
        }
        st.record(name, resolved.digest(), layers);
        ImageConfig config = ImageConfig.readBeside(file).orElseGet(() -> {
            ImageConfig c = readConfig(client, resolved, st.blobs());
            c.writeBeside(file);
            return c;
        });
        return new ImportedImage(file, config);
    }

    private ImageConfig readConfig(RegistryClient client, ResolvedImage resolved, BlobCache blobs) {
        Descriptor cd = resolved.manifest().config();
        Path p = blobs.get(cd.digest(), tmp -> client.pullBlob(cd, tmp, n -> { }));
        try {
            return ImageConfig.fromOciConfig(Files.readAllBytes(p), client.image().toString());
        } catch (IOException e) {
            throw new SlipwayException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Downloads the missing layers in parallel while the merge consumes them top first, each
     * followed as it downloads, squashes into {@code out}, and writes the configuration beside
     * {@code configFor}. Returns only once every layer was verified.
     */
    private ImageConfig pullAndSquash(RegistryClient client, ResolvedImage resolved, BlobCache blobs, Path out,
            Path configFor, String name) {
        ImageConfig config = readConfig(client, resolved, blobs);
        List<Descriptor> layers = resolved.manifest().layers();
        int parallel = ctx.config().image().parallelDownloads();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, layers.size())), r -> {
            Thread t = new Thread(r, "slipway-download");
            t.setDaemon(true);
            return t;
        });
        try {
            List<ArrivingBlob> arriving = new ArrayList<>();
            List<CompletableFuture<Path>> files = new ArrayList<>();
            for (Descriptor d : layers) {
                boolean cached = blobs.contains(d.digest());
                listener.layerStarted(d.digest(), d.size(), cached);
                if (cached) {
                    listener.layerDone(d.digest());
                    arriving.add(ArrivingBlob.completed(d.digest(), blobs.path(d.digest())));
                    files.add(CompletableFuture.completedFuture(blobs.path(d.digest())));
                    continue;
                }
                ArrivingBlob blob = new ArrivingBlob(d.digest());
                arriving.add(blob);
                files.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        Path p = blobs.get(d.digest(), tmp -> {
                            blob.writing(tmp);
                            client.pullBlob(d, tmp, n -> {
                                blob.progress(n);
                                listener.layerProgress(d.digest(), n);
                            });
                        });
                        blob.complete(p);
                        listener.layerDone(d.digest());
                        return p;
                    } catch (RuntimeException e) {
                        blob.failed(e);
                        throw e;
                    }
                }, pool));
            }
            List<LayerMerger.Layer> following = new ArrayList<>();
            List<LayerMerger.Layer> complete = new ArrayList<>();
            for (int i = layers.size() - 1; i >= 0; i--) {
                following.add(new RegistryLayer(arriving.get(i), files.get(i), true));
                complete.add(new RegistryLayer(arriving.get(i), files.get(i), false));
            }
            LayerMerger.Report report;
            try {
                report = squashing(following, out, name);
            } catch (RuntimeException e) {
                if (arriving.stream().noneMatch(ArrivingBlob::restartedWhileRead)) {
                    // A failed download is what to report, not the merge it broke.
                    throw arriving.stream().map(ArrivingBlob::failure).filter(Objects::nonNull).findFirst().orElse(e);
                }
                report = null;
            }
            // Nothing is published before every layer is verified: wait for the downloads (a
            // failed one fails the import), and squash again from the complete files when a
            // download started again from zero while the merge was reading it.
            files.forEach(ImageService::join);
            if (report == null || arriving.stream().anyMatch(ArrivingBlob::restartedWhileRead)) {
                report = squashing(complete, out, name);
            }
            warnNeutralised(name, report);
            config.writeBeside(configFor);
            return config;
        } catch (RuntimeException e) {
            pool.shutdownNow();
            awaitStopped(pool);
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Waits for interrupted downloads to end, which removes their temporary files: the process may
     * end as soon as the failure is reported (the plugin's JVM host leaves with _exit, without
     * shutdown hooks), and a half-written blob must not stay in the store.
     */
    private static void awaitStopped(ExecutorService pool) {
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A layer of a registry image. With {@code follow}, the merge reads it while it downloads
     * ({@link ArrivingBlob}); {@link #file} waits for the verified blob in the cache.
     */
    private record RegistryLayer(ArrivingBlob arriving, CompletableFuture<Path> download, boolean follow)
            implements LayerMerger.Layer {
        @Override
        public String name() {
            return arriving.digest();
        }

        @Override
        public Path file() {
            return join(download);
        }

        @Override
        public TarArchiveInputStream openTar() throws IOException {
            if (!follow || arriving.isComplete()) {
                return LayerMerger.open(file());
            }
            return LayerMerger.open(arriving.open());
        }
    }

    void squash(List<LayerMerger.Layer> topFirst, Path out, String name) {
        warnNeutralised(name, squashing(topFirst, out, name));
    }

    private LayerMerger.Report squashing(List<LayerMerger.Layer> topFirst, Path out, String name) {
        listener.squashing(name);
        var s = ctx.config().image();
        return new Squasher(new Squasher.Settings("tar2sqfs", s.compression(),
                Runtime.getRuntime().availableProcessors())).squash(topFirst, out, name);
    }

    private void warnNeutralised(String name, LayerMerger.Report report) {
        if (!report.clean()) {
            listener.warning(name + ": neutralised " + report.escaping() + " entries escaping the root, "
                    + report.devices() + " device nodes, " + report.setid() + " setuid/setgid bits, "
                    + report.orphanLinks() + " dangling hard links");
        }
    }

    private static Path join(CompletableFuture<Path> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private ImportedImage fromLocal(LocalImage local) {
        try {
            String name = local.name();
            Optional<ImageStore> s = store();
            if (s.isEmpty()) {
                Path out = ephemeralDir().resolve(local.id().replace(':', '-') + ".sqsh");
                squash(local.layersTopFirst(), out, name);
                local.config().writeBeside(out);
                return new ImportedImage(out, local.config());
            }
            ImageStore st = s.get();
            Path file = st.imageFile(local.id());
            if (!Files.isRegularFile(file)) {
                FileLock lock = st.lockImage(local.id(), () -> listener.info("waiting for another import of " + name));
                try {
                    if (!Files.isRegularFile(file)) {
                        st.deleteTemporaries(local.id());
                        Path tmp = st.temporaryFile(local.id());
                        try {
                            squash(local.layersTopFirst(), tmp, name);
                            local.config().writeBeside(file);
                            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                        } finally {
                            deleteQuietly(tmp);
                        }
                    }
                } finally {
                    ImageStore.unlock(lock);
                }
            }
            st.record(name, local.id(), List.of());
            return new ImportedImage(file, ImageConfig.readBeside(file).orElse(local.config()));
        } catch (IOException e) {
            throw new SlipwayException("cannot import " + local.name() + ": " + e.getMessage(), e);
        } finally {
            local.close();
        }
    }

    private Path ephemeralDir() {
        String tmp = ctx.env().getOrDefault("TMPDIR", "");
        Path base = Path.of(tmp.isEmpty() ? "/tmp" : tmp);
        try {
            return Files.createTempDirectory(base, ImportedImage.EPHEMERAL_PREFIX);
        } catch (IOException e) {
            throw new SlipwayException("cannot create a temporary directory in " + base + ": " + e.getMessage(), e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover hidden temporary; prune removes it.
        }
    }
}
