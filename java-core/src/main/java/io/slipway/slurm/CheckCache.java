package io.slipway.slurm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.posix.FileSignature;
import io.slipway.posix.Fnv1a;
import io.slipway.posix.UserCacheFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;

/**
 * Keeps the answer of a clean submission check so that the next srun, sbatch or salloc with the
 * same EDF argument, working directory, plugin configuration and -v count skips the JVM: the plugin
 * (spank-c/check_cache.c) reuses the answer when every file the check looked at still has the same
 * identity and every variable it could have read still has the same value. It is what saves the
 * 100+ ms of a JVM start in every srun of a batch script.
 *
 * <p>A file's identity is its stat signature {@code dev:ino:mode:size:mtime_ns:ctime_ns} (mode in
 * octal), or {@code -} when it was absent: an edit, a replacement by rename, a chmod or a new file
 * earlier in the search path all change it. As in git's index, a file changed within the last
 * {@link #RACY} could change again within the same timestamp tick unseen, so such a check is not
 * kept. Variable values are kept only as a hash, so an EDF that reads a secret from the
 * environment leaves no copy of it here. A check that printed warnings is not kept either: the
 * user should see them every time.
 *
 * <p>The entry is one JSON object, written to a temporary file and renamed into place (mode 0600):
 * {@code version}, the key ({@code environment}, {@code cwd}, {@code config}, {@code verbose}),
 * {@code files} ("SIGNATURE PATH" strings), {@code variables} (names, sorted),
 * {@code variables_hash} (see {@link #variablesHash}), then the answer itself ({@code ok},
 * {@code messages}, {@code carry}).
 */
final class CheckCache {

    static final int VERSION = 1;
    static final Duration RACY = Duration.ofSeconds(2);
    /** Entries kept per user; the oldest go first. */
    static final int KEEP = 64;


    private final Map<Path, String> files = new LinkedHashMap<>();
    private final Duration racyWindow;
    private boolean racy;

    CheckCache() {
        this(RACY);
    }

    /** With another window than {@link #RACY}: tests, whose files are always new. */
    CheckCache(Duration racyWindow) {
        this.racyWindow = racyWindow;
    }

    /** Records {@code file}'s signature now (call it before reading the file). */
    void consulted(Path file) {
        if (files.containsKey(file)) {
            return;
        }
        FileSignature signature = FileSignature.of(file);
        files.put(file, signature.text());
        racy |= signature.racy(racyWindow);
    }

    /** Whether a file looked at changed too recently for its signature to be trusted. */
    boolean racy() {
        return racy;
    }

    /**
     * Writes the entry for {@code answer} to {@code entry} (quietly gives up if it cannot: the
     * cache only saves time). {@code variables} are the names the check could have read from
     * {@code env}.
     */
    void write(Path entry, PluginRequest request, SortedSet<String> variables, Map<String, String> env,
            ObjectNode answer) {
        if (racy) {
            return;
        }
        ObjectNode root = Json.object();
        root.put("version", VERSION);
        root.put("environment", request.environment());
        root.put("cwd", request.cwd().toString());
        root.put("config", request.config());
        root.put("verbose", request.verbose());
        ArrayNode list = root.putArray("files");
        files.forEach((path, signature) -> list.add(signature + " " + path));
        variables.forEach(root.putArray("variables")::add);
        root.put("variables_hash", variablesHash(variables, env));
        root.put("ok", true);
        root.setAll(answer);
        try {
            UserCacheFiles.writePrivate(entry, Json.write(root));
            UserCacheFiles.keepNewest(entry.getParent(), "check-*.json", KEEP);
        } catch (IOException | UnsupportedOperationException e) {
            // Only a missed saving: the check itself succeeded.
        }
    }

    /**
     * FNV-1a (64 bits, hex) over each name in order, a NUL, then {@code =VALUE} or {@code !} when
     * unset, and a NUL, in UTF-8: what spank-c/check_cache.c computes from its own environment.
     */
    static String variablesHash(SortedSet<String> names, Map<String, String> env) {
        long hash = Fnv1a.OFFSET;
        for (String name : names) {
            String value = env.get(name);
            hash = Fnv1a.hash(hash, name + "\0" + (value == null ? "!" : "=" + value) + "\0");
        }
        return Fnv1a.hex(hash);
    }
}
