package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.slipway.SlipwayException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated EDF texts must only ever give a valid result or a user-facing error, never another
 * exception: whatever a user types, slipway answers with a message, not a stack trace.
 */
class EdfFuzzTest {
    private static final int CASES = 4000;
    private static final List<String> SEEDS = List.of("""
            base_environment = ["base"]
            image = "nvcr.io#nvidia/pytorch:${TAG:-24.01}-py3"
            containerfile = "./Containerfile"
            workdir = "/work/${USER}"
            entrypoint = false
            writable = true
            mounts = ["${SCRATCH}:/scratch:ro+private", "./data:/data", "${A:-/x}:${B:-/y}"]
            devices = ["/dev/fuse:rw", "/dev/a:/dev/b:rwm"]
            [env]
            PATH = "${PATH:-/bin}:/custom/bin"
            LIT = "$${USER} $$"
            GONE = ""
            [annotations.com.hooks.ssh]
            enabled = "true"
            port = 15263
            """, """
            image = "x"
            [annotations]
            com.hooks.cxi.enabled = "false"
            "quoted.key" = ["a", 1]
            """);
    private static final String[] TOKENS = {"$", "${", "}", "{", "[", "]", "\"", "'", ",", ":", "+", "=", "\n", ".",
        "#", "\\", "$$", ":-", "[env]", "[annotations]", "base_environment = \"base\"", "true", "1", " ", "\u00e9",
        "\u0000", "mounts = [", "\"\"\"", "env.X = 1", "/", "../"};

    @TempDir
    Path tmp;

    @Test
    void mutatedEdfsGiveAResultOrAUserFacingError() {
        EdfFixture f = new EdfFixture(tmp);
        f.env.put("PATH", "/bin");
        f.user("base", "image = \"base\"\nmounts = [\"/b:/b\"]\n");
        Random random = new Random(20261121L);
        int valid = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            String text = mutate(SEEDS.get(random.nextInt(SEEDS.size())), random);
            f.write("fuzz.toml", text);
            try {
                ResolvedEdf edf = f.resolve("./fuzz.toml");
                assertThat(EdfJson.read(EdfJson.write(edf))).isEqualTo(edf);
                valid++;
            } catch (SlipwayException e) {
                assertThat(e.getMessage()).isNotBlank();
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("case " + i + " threw " + e + " for:\n" + text, e);
            }
        }
        // The mutations must exercise both outcomes, or the test proves little.
        assertThat(valid).isGreaterThan(CASES / 20);
        assertThat(rejected).isGreaterThan(CASES / 4);
    }

    private static String mutate(String seed, Random random) {
        StringBuilder text = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 1 -> {
                    if (at < text.length()) {
                        text.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    int end = Math.min(text.length(), at + random.nextInt(12));
                    text.delete(at, end);
                }
                default -> {
                    if (at < text.length()) {
                        text.setCharAt(at, (char) (32 + random.nextInt(95)));
                    }
                }
            }
        }
        return text.toString();
    }
}
