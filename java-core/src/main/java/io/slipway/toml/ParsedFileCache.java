package io.slipway.toml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.posix.FileSignature;
import io.slipway.posix.Fnv1a;
import io.slipway.posix.UserCacheFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a TOML file parsed to, kept per user, so that the next process that reads the same
 * unchanged file skips the parser. A JVM's first tomlj parse costs 20-30 ms of ANTLR set-up,
 * as much as everything else the Java core does for a container in a Slurm step; with the
 * configuration and the EDFs found here, a start never loads the parser.
 *
 * <p>An entry is keyed by a kind ({@code config}, {@code edf}) and the file's absolute path, and
 * holds the file's {@link FileSignature} taken before it was read and the build of Slipway that
 * wrote it: it is used only while the file still has that signature, by the same build. A file
 * changed within {@link #RACY} is not kept (git's racy rule). Entries are private to their user
 * (directory 0700, files 0600, owner checked on every read), written to a temporary file and
 * renamed into place; a damaged or foreign entry is a miss. The cache only saves time: any
 * problem with it means parsing as usual. Where it lives: {@link UserCacheFiles#directory}.
 *
 * <p>What a user keeps here only affects that user's own processes, as does everything the Java
 * core does: the configuration is not a security boundary (a user may run slipway with a
 * configuration file of their own).
 */
public final class ParsedFileCache {

    static final int VERSION = 1;
    static final Duration RACY = Duration.ofSeconds(2);
    /** Entries kept per user; the least recently written go first. */
    static final int KEEP = 64;

    private static final ParsedFileCache NONE = new ParsedFileCache(null, RACY, "");

    private final Path dir;
    private final Duration racyWindow;
    private final String producer;

    /**
     * Entries in {@code dir} (created when first written); files changed within {@code racyWindow}
     * are not kept; only entries written by the same {@code producer} (a build of Slipway) are used,
     * since another build may parse the same file differently.
     */
    public ParsedFileCache(Path dir, Duration racyWindow, String producer) {
        this.dir = dir;
        this.racyWindow = racyWindow;
        this.producer = producer;
    }

    /** A cache that keeps nothing. */
    public static ParsedFileCache none() {
        return NONE;
    }

    /**
     * The cache of the user whose environment is {@code env} ({@link UserCacheFiles#directory}), or
     * {@link #none}, for entries of {@code producer}.
     */
    public static ParsedFileCache forUser(Map<String, String> env, String producer) {
        return UserCacheFiles.directory(env).map(d -> new ParsedFileCache(d, RACY, producer)).orElse(NONE);
    }

    /**
     * Looks {@code file} up as {@code kind}. The file's signature is taken now, so call this
     * before reading the file, and {@link Entry#store} what it parsed to on a miss.
     */
    public Entry entry(String kind, Path file) {
        // The path as given: what a file parses to may quote it (EDF positions). A relative one
        // depends on a working directory, so it is never kept.
        boolean keep = dir != null && file.isAbsolute();
        return new Entry(kind, file, keep ? FileSignature.of(file) : new FileSignature(FileSignature.ABSENT, 0));
    }

    /** One file's place in the cache. */
    public final class Entry {

        private final String kind;
        private final Path file;
        private final FileSignature signature;

        private Entry(String kind, Path file, FileSignature signature) {
            this.kind = kind;
            this.file = file;
            this.signature = signature;
        }

        private Path location() {
            return dir.resolve("parsed-" + kind + "-" + Fnv1a.hex(Fnv1a.hash(Fnv1a.OFFSET, file.toString())) + ".json");
        }

        /** What the file parsed to when it last had its present signature, if that was kept. */
        public Optional<JsonNode> value() {
            if (signature.absent()) {   // so always without a directory
                return Optional.empty();
            }
            try {
                Optional<String> text = UserCacheFiles.readPrivate(location());
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                JsonNode root = Json.read(text.get());
                if (root.path("version").asInt() != VERSION || !root.path("kind").asText().equals(kind)
                        || !root.path("file").asText().equals(file.toString())
                        || !root.path("producer").asText().equals(producer)
                        || !root.path("signature").asText().equals(signature.text()) || !root.has("value")) {
                    return Optional.empty();
                }
                return Optional.of(root.get("value"));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** Keeps {@code value} as what the file parses to, unless the file changed too recently to tell. */
        public void store(JsonNode value) {
            if (signature.absent() || signature.racy(racyWindow)) {
                return;
            }
            ObjectNode root = Json.object();
            root.put("version", VERSION);
            root.put("kind", kind);
            root.put("file", file.toString());
            root.put("signature", signature.text());
            root.put("producer", producer);
            root.set("value", value);
            try {
                UserCacheFiles.writePrivate(location(), Json.write(root));
                UserCacheFiles.keepNewest(dir, "parsed-*.json", KEEP);
            } catch (IOException | RuntimeException e) {
                // Only a missed saving.
            }
        }
    }
}
