package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.toml.ParsedFileCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** EDF files taken from the user's parsed-file cache instead of the TOML parser. */
class ParsedEdfCacheTest extends EdfTestBase {

    private ParsedFileCache cache() {
        return new ParsedFileCache(f.dir.resolve("cache"), Duration.ZERO, "test");
    }

    private LoadedEdf load(String argument) {
        return Edfs.load(argument, f.context(), p -> { }, cache());
    }

    @Test
    void anUnchangedFileIsTakenFromTheCacheAsParsed() throws Exception {
        f.user("base", "image = \"img\"\n[env]\nA = \"1\"\n");
        Path top = f.write("t.toml", "base_environment = \"base\"\nworkdir = \"/w\"\nmounts = [\"/a:/b\"]\n");
        LoadedEdf first = load(f.t());
        try (var entries = Files.list(f.dir.resolve("cache"))) {
            assertThat(entries.count()).isEqualTo(2);
        }
        assertThat(load(f.t())).isEqualTo(first);

        // Proof that the second load did not parse: an entry changed behind the cache's back is what it returns.
        ParsedFileCache.Entry entry = cache().entry("edf", top);
        var value = (com.fasterxml.jackson.databind.node.ObjectNode) entry.value().orElseThrow();
        value.putObject("workdir").put("text", "/from-cache").put("field", "workdir").put("where", top + ":2:1");
        entry.store(value);
        assertThat(Edfs.resolve(load(f.t()), java.util.Map.of(), f.context()).workdir()).isEqualTo("/from-cache");
    }

    @Test
    void anEditedFileIsParsedAgain() throws Exception {
        f.write("t.toml", "image = \"img\"\nworkdir = \"/one\"\n");
        load(f.t());
        f.write("t.toml", "image = \"img\"\nworkdir = \"/two\"\n");
        assertThat(Edfs.resolve(load(f.t()), java.util.Map.of(), f.context()).workdir()).isEqualTo("/two");
    }

    @Test
    void aFileWithWarningsIsNotKeptSoTheyShowEveryTime() throws Exception {
        f.write("t.toml", "image = \"img\"\nimgae = \"typo\"\n");
        load(f.t());
        load(f.t());
        assertThat(f.warnings).hasSize(2);
        assertThat(f.dir.resolve("cache")).doesNotExist();
    }
}
