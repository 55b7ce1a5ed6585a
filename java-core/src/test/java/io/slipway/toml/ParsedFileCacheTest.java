package io.slipway.toml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParsedFileCacheTest {
    @TempDir
    Path tmp;

    private final JsonNode parsed = Json.object().put("answer", 42);

    private ParsedFileCache cache() {
        return new ParsedFileCache(tmp.resolve("cache"), Duration.ZERO, "build-1");
    }

    private Path file(String text) throws Exception {
        Path file = tmp.resolve("a.toml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aStoredValueIsFoundWhileTheFileIsUnchanged() throws Exception {
        Path file = file("x = 1\n");
        assertThat(cache().entry("config", file).value()).isEmpty();
        cache().entry("config", file).store(parsed);
        assertThat(cache().entry("config", file).value()).contains(parsed);
        assertThat(cache().entry("edf", file).value()).as("another kind").isEmpty();
        assertThat(Files.getPosixFilePermissions(tmp.resolve("cache")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void anEditOfTheSameSizeWithTheOldModificationTimeIsSeen() throws Exception {
        Path file = file("x = 1\n");
        FileTime before = Files.getLastModifiedTime(file);
        ParsedFileCache.Entry entry = cache().entry("config", file);
        entry.store(parsed);
        Thread.sleep(10);
        Files.writeString(file, "x = 2\n");
        Files.setLastModifiedTime(file, before);
        assertThat(cache().entry("config", file).value()).isEmpty();
    }

    @Test
    void theSignatureIsTakenBeforeReadingSoAnEditWhileParsingIsSeenLater() throws Exception {
        Path file = file("x = 1\n");
        ParsedFileCache.Entry entry = cache().entry("config", file);
        Files.writeString(file, "x = 22\n");   // edited after the lookup, before the parse
        entry.store(parsed);
        assertThat(cache().entry("config", file).value()).isEmpty();
    }

    @Test
    void anotherBuildOfSlipwayDoesNotUseTheEntries() throws Exception {
        Path file = file("x = 1\n");
        cache().entry("config", file).store(parsed);
        assertThat(new ParsedFileCache(tmp.resolve("cache"), Duration.ZERO, "build-2").entry("config", file).value())
                .isEmpty();
    }

    @Test
    void aFileChangedWithinTheRacyWindowIsNotKept() throws Exception {
        Path file = file("x = 1\n");
        ParsedFileCache racy = new ParsedFileCache(tmp.resolve("cache"), Duration.ofMinutes(5), "build-1");
        racy.entry("config", file).store(parsed);
        assertThat(racy.entry("config", file).value()).isEmpty();
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void anEntryOthersCouldHaveWrittenOrADamagedOneIsAMiss() throws Exception {
        Path file = file("x = 1\n");
        cache().entry("config", file).store(parsed);
        Path entry;
        try (var s = Files.list(tmp.resolve("cache"))) {
            entry = s.filter(p -> p.getFileName().toString().startsWith("parsed-config-")).findFirst().orElseThrow();
        }
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(cache().entry("config", file).value()).isEmpty();
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-------"));
        assertThat(cache().entry("config", file).value()).contains(parsed);
        Files.writeString(entry, "{\"version\": 1, \"kind\":");
        assertThat(cache().entry("config", file).value()).isEmpty();
    }

    @Test
    void relativePathsAndMissingFilesAreNeverKept() throws Exception {
        Path relative = Path.of("a.toml");
        cache().entry("config", relative).store(parsed);
        Path missing = tmp.resolve("missing.toml");
        cache().entry("config", missing).store(parsed);
        assertThat(tmp.resolve("cache")).doesNotExist();
        assertThat(ParsedFileCache.none().entry("config", file("x = 1\n")).value()).isEmpty();
    }

    @Test
    void onlyTheNewestEntriesAreKept() throws Exception {
        for (int i = 0; i < ParsedFileCache.KEEP + 5; i++) {
            Path file = tmp.resolve("f" + i + ".toml");
            Files.writeString(file, "x = 1\n");
            cache().entry("edf", file).store(parsed);
        }
        try (var s = Files.list(tmp.resolve("cache"))) {
            assertThat(s.count()).isEqualTo(ParsedFileCache.KEEP);
        }
    }

    @Test
    void aUsersCacheLivesInTheRuntimeDirectoryOnlyWhenItIsTheirs() throws Exception {
        Path runtime = Files.createDirectory(tmp.resolve("run"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        assertThat(io.slipway.posix.UserCacheFiles.directory(Map.of("XDG_RUNTIME_DIR", runtime.toString(), "HOME", "/h")))
                .contains(runtime.resolve("slipway"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(io.slipway.posix.UserCacheFiles.directory(Map.of("XDG_RUNTIME_DIR", runtime.toString(), "HOME", "/h")))
                .contains(Path.of("/h/.cache/slipway"));
        assertThat(io.slipway.posix.UserCacheFiles.directory(Map.of("XDG_CACHE_HOME", "/c", "HOME", "/h")))
                .contains(Path.of("/c/slipway"));
        assertThat(io.slipway.posix.UserCacheFiles.directory(Map.of("HOME", "relative"))).isEmpty();
    }
}
