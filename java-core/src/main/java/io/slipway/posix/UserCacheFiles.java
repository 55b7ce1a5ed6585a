package io.slipway.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of a user's Slipway caches (the submission check cache, parsed files): where they
 * live, and how they are written and read so that nobody else can change what a user's processes
 * take from them. A cache only saves time, so every failure here is a miss, never an error.
 */
public final class UserCacheFiles {

    private UserCacheFiles() {}

    /**
     * The rule spank-c/check_cache.c follows: under {@code XDG_RUNTIME_DIR} when it is a private
     * directory of this user on this machine (a batch job may carry another node's), else under
     * {@code XDG_CACHE_HOME}, else {@code ~/.cache}; always a {@code slipway} directory.
     */
    public static Optional<Path> directory(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (absolute(runtime) && ours(Path.of(runtime), "isDirectory", 022)) {
            return Optional.of(Path.of(runtime, "slipway"));
        }
        String cache = env.get("XDG_CACHE_HOME");
        if (absolute(cache)) {
            return Optional.of(Path.of(cache, "slipway"));
        }
        String home = env.get("HOME");
        if (absolute(home)) {
            return Optional.of(Path.of(home, ".cache", "slipway"));
        }
        return Optional.empty();
    }

    private static boolean absolute(String path) {
        return path != null && path.startsWith("/");
    }

    /**
     * Whether {@code path} is of {@code type} ({@code isDirectory}, {@code isRegularFile}), this
     * user's, and has none of the {@code forbidden} mode bits: one stat.
     */
    private static boolean ours(Path path, String type, int forbidden, LinkOption... options) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode," + type, options);
            return (Boolean) a.get(type) && (Integer) a.get("uid") == Posix.getuid()
                    && ((Integer) a.get("mode") & forbidden) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The text of {@code file} if it is this user's regular file (not a link), readable by nobody else. */
    public static Optional<String> readPrivate(Path file) {
        if (!ours(file, "isRegularFile", 077, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Replaces {@code file} with {@code text} at once (a temporary file renamed over it), mode
     * 0600, creating its directory 0700 when missing.
     */
    public static void writePrivate(Path file, String text) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(dir, ".new-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes the least recently written files of {@code dir} matching {@code glob} beyond the newest {@code keep}. */
    public static void keepNewest(Path dir, String glob, int keep) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(entries::add);
        }
        if (entries.size() <= keep) {
            return;
        }
        entries.sort(Comparator.comparing(UserCacheFiles::modified));
        for (Path old : entries.subList(0, entries.size() - keep)) {
            Files.deleteIfExists(old);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
