package io.slipway.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.posix.FileSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entries CheckCache writes for spank-c/check_cache.c to reuse. */
class CheckCacheTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private PluginRequest request() throws Exception {
        ObjectNode json = JSON.createObjectNode().put("op", "validate").put("environment", "app")
                .put("cwd", dir.toString()).put("verbose", 1);
        json.putObject("env").put("HOME", "/home/u");
        return PluginRequest.of(json);
    }

    private static ObjectNode answer() {
        ObjectNode answer = PluginHost.answer(List.of("environment app from /x/app.toml"));
        answer.put("carry", "{\"edf\":\"...\"}");
        return answer;
    }

    @Test
    void theSignatureIsWhatStatSays() throws Exception {
        Path file = Files.writeString(dir.resolve("edf.toml"), "image = \"x\"\n");
        Process stat = new ProcessBuilder("stat", "-L", "-c", "%d:%i:%f:%s:%.9Y:%.9Z", file.toString()).start();
        String[] f = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(":");
        assertThat(stat.waitFor()).isZero();
        String expected = f[0] + ":" + f[1] + ":" + Integer.toOctalString(Integer.parseInt(f[2], 16)) + ":" + f[3] + ":"
                + f[4].replace(".", "") + ":" + f[5].replace(".", "");

        assertThat(FileSignature.of(file).text()).isEqualTo(expected);
        assertThat(FileSignature.of(dir.resolve("absent.toml")).text()).isEqualTo("-");
    }

    @Test
    void aCleanCheckIsKeptPrivateWithItsKeyFilesVariablesAndAnswer() throws Exception {
        Path edf = Files.writeString(dir.resolve("app.toml"), "image = \"x\"\n");
        CheckCache cache = new CheckCache(Duration.ZERO);
        cache.consulted(dir.resolve("first/app.toml"));
        cache.consulted(edf);
        Path entry = dir.resolve("cache/slipway/check-1.json");

        cache.write(entry, request(), new TreeSet<>(List.of("HOME", "SECRET")), Map.of("HOME", "/home/u",
                "SECRET", "hunter2"), answer());

        String text = Files.readString(entry);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(entry))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(entry.getParent())))
                .isEqualTo("rwx------");
        assertThat(text).doesNotContain("hunter2");
        JsonNode json = JSON.readTree(text);
        assertThat(json.path("version").asInt()).isEqualTo(1);
        assertThat(json.path("environment").asText()).isEqualTo("app");
        assertThat(json.path("cwd").asText()).isEqualTo(dir.toString());
        assertThat(json.path("config").isNull()).isTrue();
        assertThat(json.path("verbose").asInt()).isEqualTo(1);
        assertThat(json.path("files").get(0).asText()).isEqualTo("- " + dir.resolve("first/app.toml"));
        assertThat(json.path("files").get(1).asText()).isEqualTo(FileSignature.of(edf).text() + " " + edf);
        assertThat(json.path("variables").toString()).isEqualTo("[\"HOME\",\"SECRET\"]");
        assertThat(json.path("variables_hash").asText()).matches("[0-9a-f]{16}");
        assertThat(json.path("ok").asBoolean()).isTrue();
        assertThat(json.path("carry").asText()).isEqualTo("{\"edf\":\"...\"}");
        assertThat(json.path("messages").get(0).asText()).isEqualTo("environment app from /x/app.toml");
        try (var left = Files.list(entry.getParent())) {
            assertThat(left).containsExactly(entry);
        }
    }

    @Test
    void aFileChangedWithinTheRacyWindowKeepsNothing() throws Exception {
        Path edf = Files.writeString(dir.resolve("app.toml"), "image = \"x\"\n");
        Files.setLastModifiedTime(edf, FileTime.fromMillis(0));   // the ctime still says now
        CheckCache cache = new CheckCache(Duration.ofSeconds(60));
        cache.consulted(edf);
        Path entry = dir.resolve("cache/check-1.json");

        cache.write(entry, request(), new TreeSet<>(), Map.of(), answer());

        assertThat(cache.racy()).isTrue();
        assertThat(entry).doesNotExist();
    }

    @Test
    void theVariablesHashTellsUnsetFromEmptyAndEveryValueApart() {
        var names = new TreeSet<>(List.of("A", "B"));
        Map<String, String> env = new HashMap<>(Map.of("A", "1", "B", ""));
        String base = CheckCache.variablesHash(names, env);
        env.remove("B");
        String unset = CheckCache.variablesHash(names, env);
        env.put("B", "x");
        String other = CheckCache.variablesHash(names, env);

        assertThat(List.of(base, unset, other)).doesNotHaveDuplicates();
        // FNV-1a of nothing is its offset basis, as in check_cache.c.
        assertThat(CheckCache.variablesHash(new TreeSet<>(), env)).isEqualTo("cbf29ce484222325");
        // "A\0=1\0": the bytes check_cache.c hashes for A=1, worked out independently.
        assertThat(CheckCache.variablesHash(new TreeSet<>(List.of("A")), Map.of("A", "1")))
                .isEqualTo(fnv1a("A\0=1\0"));
    }

    @Test
    void onlyTheNewestEntriesAreKept() throws Exception {
        Path cacheDir = Files.createDirectories(dir.resolve("c"));
        for (int i = 0; i < CheckCache.KEEP + 5; i++) {
            Path old = Files.writeString(cacheDir.resolve("check-old" + i + ".json"), "{}");
            Files.setLastModifiedTime(old, FileTime.fromMillis(1000L * i));
        }
        new CheckCache(Duration.ZERO).write(cacheDir.resolve("check-new.json"), request(), new TreeSet<>(), Map.of(),
                answer());

        try (var left = Files.list(cacheDir)) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertThat(names).hasSize(CheckCache.KEEP).contains("check-new.json")
                    .doesNotContain("check-old0.json", "check-old5.json").contains("check-old6.json");
        }
    }

    private static String fnv1a(String text) {
        java.math.BigInteger hash = new java.math.BigInteger("cbf29ce484222325", 16);
        java.math.BigInteger prime = new java.math.BigInteger("100000001b3", 16);
        java.math.BigInteger mask = java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash = hash.xor(java.math.BigInteger.valueOf(b & 0xff)).multiply(prime).and(mask);
        }
        return String.format("%016x", hash);
    }
}
