package io.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The image store of one architecture: {@code ROOT/ARCH/sha256-HEX.sqsh} named by the resolved
 * manifest digest, the image configuration beside it, and {@code index.json} recording reference,
 * digest, size, creation and last use. Every change of the index happens under an exclusive
 * {@code fcntl} lock on {@code .index.lock}, and each image is produced under its own lock in
 * {@code .locks/}, so concurrent imports on several nodes sharing the file system pull once.
 */
public final class ImageStore {

    /** One reference's entry in the index. Times are ISO-8601 instants. */
    public record Entry(String reference, String digest, String file, long size, String created, String lastUsed,
            List<String> layers) {
        public Entry {
            layers = layers == null ? List.of() : List.copyOf(layers);
        }
    }

    /** The index file: {@code {"version": 1, "images": [ENTRY...]}}, each entry an object of Entry's fields. */
    private static String indexJson(List<Entry> images) {
        ObjectNode root = Json.object().put("version", 1);
        ArrayNode list = root.putArray("images");
        for (Entry e : images) {
            ObjectNode o = list.addObject().put("reference", e.reference()).put("digest", e.digest())
                    .put("file", e.file()).put("size", e.size()).put("created", e.created())
                    .put("lastUsed", e.lastUsed());
            e.layers().forEach(o.putArray("layers")::add);
        }
        return Json.pretty(root);
    }

    private static List<Entry> entriesOf(JsonNode root) throws IOException {
        if (!root.isObject() || !root.path("images").isArray()) {
            throw new IOException("not an index object with an \"images\" array");
        }
        List<Entry> images = new ArrayList<>();
        for (JsonNode o : root.path("images")) {
            images.add(new Entry(o.path("reference").textValue(), o.path("digest").textValue(),
                    o.path("file").textValue(), o.path("size").asLong(), o.path("created").textValue(),
                    o.path("lastUsed").textValue(), Json.texts(o.path("layers"))));
        }
        return images;
    }

    private final Path root;
    private final Path dir;

    /** {@code root} is the store (holding {@code blobs/} and architecture directories). */
    public ImageStore(Path root, String arch) {
        this.root = root;
        this.dir = root.resolve(arch);
    }

    public Path root() {
        return root;
    }

    public Path directory() {
        return dir;
    }

    public BlobCache blobs() {
        return new BlobCache(root.resolve("blobs"));
    }

    /** Creates the directories; fails with the reason when that is impossible. */
    public void create() throws IOException {
        Files.createDirectories(dir.resolve(".locks"));
    }

    public Path imageFile(String digest) {
        return dir.resolve(digest.replace(':', '-') + ".sqsh");
    }

    /** A hidden temporary name for the image being produced by this process. */
    public Path temporaryFile(String digest) {
        return dir.resolve(".tmp-" + digest.replace(':', '-') + "-" + ProcessHandle.current().pid() + ".sqsh");
    }

    /** Holds the production lock of one image. */
    public FileLock lockImage(String digest, Runnable onWait) throws IOException {
        Path lockFile = dir.resolve(".locks").resolve(digest.replace(':', '-') + ".lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                onWait.run();
                lock = ch.lock();
            }
            return lock;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Releases a lock taken by {@link #lockImage}. */
    public static void unlock(FileLock lock) {
        try (FileChannel ch = lock.channel()) {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases the lock anyway.
        }
    }

    /** Deletes leftovers of killed imports of {@code digest}; call with its lock held. */
    public void deleteTemporaries(String digest) {
        String prefix = ".tmp-" + digest.replace(':', '-') + "-";
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException ignored) {
            // Best effort: prune removes them later.
        }
    }

    public List<Entry> entries() {
        return read();
    }

    public Optional<Entry> find(String reference) {
        return read().stream().filter(e -> e.reference().equals(reference)).findFirst();
    }

    /** Records that {@code reference} resolved to the image {@code digest} now (creation or use). */
    public void record(String reference, String digest, List<String> layers) {
        Path file = imageFile(digest);
        long size = sizeOf(file);
        String now = Instant.now().toString();
        update(entries -> {
            List<Entry> out = new ArrayList<>();
            String created = now;
            List<String> knownLayers = layers;
            for (Entry e : entries) {
                if (e.digest().equals(digest)) {
                    created = e.created().compareTo(created) < 0 ? e.created() : created;
                    if (knownLayers.isEmpty()) {
                        knownLayers = e.layers();
                    }
                }
                if (!e.reference().equals(reference)) {
                    out.add(e);
                }
            }
            out.add(new Entry(reference, digest, file.getFileName().toString(), size, created, now, knownLayers));
            return out;
        });
    }

    /** Removes the entries of {@code reference} (or of a digest); deletes images no entry names. */
    public List<Entry> remove(java.util.function.Predicate<Entry> which) {
        List<Entry> removed = new ArrayList<>();
        update(entries -> {
            List<Entry> kept = new ArrayList<>();
            for (Entry e : entries) {
                (which.test(e) ? removed : kept).add(e);
            }
            for (Entry r : removed) {
                if (kept.stream().noneMatch(k -> k.digest().equals(r.digest()))) {
                    deleteImage(r.digest());
                }
            }
            return kept;
        });
        return removed;
    }

    void deleteImage(String digest) {
        Path file = imageFile(digest);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(ImageConfig.sidecarOf(file));
        } catch (IOException e) {
            throw new SlipwayException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code change} on the index under its lock and writes the result atomically. */
    public void update(UnaryOperator<List<Entry>> change) {
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(".index.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                List<Entry> next = change.apply(read());
                Path index = dir.resolve("index.json");
                Path tmp = dir.resolve(".index.json.tmp-" + ProcessHandle.current().pid());
                Files.writeString(tmp, indexJson(next));
                Files.move(tmp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SlipwayException("cannot update the image store index in " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<Entry> read() {
        Path index = dir.resolve("index.json");
        try {
            return entriesOf(Json.read(index));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new SlipwayException("the image store index " + index + " is unreadable: " + e.getMessage()
                    + "; remove it to start over (images stay and are found again on use)", e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
