package io.slipway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.SlipwayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private Path config(String text) throws Exception {
        Path file = tmp.resolve("etc/slipway/slipway.toml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void slipwayConfigNamesTheFile() throws Exception {
        Path file = config("edf_system_search_path = \"/etc/edf:/opt/edf\"\ninsecure_registries = [\"localhost:5000\"]\n"
                + "hooks_dirs = [\"/etc/hooks\"]\n");
        SlipwayConfig config = ConfigLoader.load(Map.of("SLIPWAY_CONFIG", file.toString()), Optional.empty());
        assertThat(config.file()).contains(file);
        assertThat(config.edfSystemSearchPath()).containsExactly(Path.of("/etc/edf"), Path.of("/opt/edf"));
        assertThat(config.insecureRegistries()).containsExactly("localhost:5000");
        assertThat(config.hooksDirs()).containsExactly(Path.of("/etc/hooks"));
    }

    @Test
    void theSystemSearchPathMayBeAnArray() throws Exception {
        Path file = config("edf_system_search_path = [\"/a\", \"/b\"]\n");
        assertThat(ConfigLoader.read(file, true).edfSystemSearchPath()).containsExactly(Path.of("/a"), Path.of("/b"));
    }

    @Test
    void theInstallationsFileIsUsedByDefaultAndDirectoriesBesideItAreTheDefaults() throws Exception {
        config("# nothing set\n");
        SlipwayConfig config = ConfigLoader.load(Map.of(), Optional.of(new Installation(tmp)));
        assertThat(config.edfSystemSearchPath()).containsExactly(tmp.resolve("etc/slipway/edf"));
        assertThat(config.hooksDirs()).containsExactly(tmp.resolve("etc/slipway/hooks.d"));
        assertThat(config.insecureRegistries()).isEmpty();
    }

    @Test
    void aMissingDefaultFileMeansDefaultsButAMissingNamedFileIsAnError() {
        SlipwayConfig config = ConfigLoader.load(Map.of(), Optional.of(new Installation(tmp)));
        assertThat(config.file()).isEmpty();
        assertThat(config.edfSystemSearchPath()).containsExactly(tmp.resolve("etc/slipway/edf"));
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("SLIPWAY_CONFIG", tmp + "/nope.toml"), Optional.empty()))
                .isInstanceOf(SlipwayException.class).hasMessage("configuration file " + tmp + "/nope.toml does not exist");
    }

    @Test
    void anUnknownKeyIsAnErrorNamingItAndTheKnownKeys() throws Exception {
        Path file = config("edf_system_search_path = \"/a\"\nimage_stor = \"/x\"\n");
        assertThatThrownBy(() -> ConfigLoader.read(file, true)).hasMessageStartingWith(file + ":2:1: unknown"
                + " configuration key 'image_stor'; known keys: edf_system_search_path, insecure_registries, hooks_dirs, ");
    }

    @Test
    void wrongTypesAndRelativePathsAreErrors() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.read(config("insecure_registries = \"localhost\"\n"), true))
                .hasMessageEndingWith(":1:1: 'insecure_registries' must be an array of strings, found a string");
        assertThatThrownBy(() -> ConfigLoader.read(config("hooks_dirs = [\"rel\"]\n"), true))
                .hasMessageEndingWith(":1:1: 'hooks_dirs' entry 'rel' is not an absolute path");
        assertThatThrownBy(() -> ConfigLoader.read(config("insecure_registries = [1]\n"), true))
                .hasMessageContaining("(element 1 is an integer)");
        assertThatThrownBy(() -> ConfigLoader.read(config("x = \n"), true)).hasMessageContaining(":1:").hasMessageContaining("invalid TOML");
    }

    @Test
    void theSiteImageStoreIsAnAbsolutePathTemplate() throws Exception {
        assertThat(ConfigLoader.read(config("image_store = \"/var/tmp/slipway-${USER}\"\n"), true).image().store())
                .contains("/var/tmp/slipway-${USER}");
        assertThat(ConfigLoader.read(config("# none\n"), true).image().store()).isEmpty();
        assertThatThrownBy(() -> ConfigLoader.read(config("image_store = \"images\"\n"), true))
                .hasMessageContaining("'image_store'").hasMessageContaining("absolute path");
    }

    @Test
    void aRelativeSlipwayConfigIsAnError() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("SLIPWAY_CONFIG", "rel.toml"), Optional.empty()))
                .hasMessage("SLIPWAY_CONFIG=rel.toml must be an absolute path");
    }

    @Test
    void usrInstallsKeepTheirConfigurationInEtc() {
        assertThat(new Installation(Path.of("/usr")).defaultConfigFile()).isEqualTo(Path.of("/etc/slipway/slipway.toml"));
        assertThat(new Installation(Path.of("/opt/slipway")).defaultConfigFile())
                .isEqualTo(Path.of("/opt/slipway/etc/slipway/slipway.toml"));
        assertThat(List.of(new Installation(Path.of("/opt/s")).nativeLibrary()))
                .containsExactly(Path.of("/opt/s/lib/slipway/libslipway.so"));
    }

    @Test
    void anUnchangedFileIsTakenFromTheParsedFileCacheWithEverySetting() throws Exception {
        Path file = config("edf_system_search_path = [\"/a\", \"/b\"]\ninsecure_registries = [\"r:5000\"]\n"
                + "hooks_dirs = []\nimage_parallel_downloads = 3\nimage_transfer_attempts = 9\nimage_ca_file = \"/ca.pem\"\n"
                + "image_compression = \"gzip:4\"\nimage_builder = \"podman\"\nimage_store = \"/s/${USER}\"\n"
                + "runtime_path = \"/run/x\"\nenroot_sysconf_path = \"/etc/e\"\nsite_mounts = [\"/a:/b\"]\n");
        var cache = new io.slipway.toml.ParsedFileCache(tmp.resolve("cache"), java.time.Duration.ZERO, "test");
        SlipwayConfig parsed = ConfigLoader.read(file, true, cache);
        assertThat(ConfigLoader.read(file, true, cache)).isEqualTo(parsed).isEqualTo(ConfigLoader.read(file, true));

        Path defaults = config("# nothing set\n");
        SlipwayConfig bare = ConfigLoader.read(defaults, true, cache);
        assertThat(ConfigLoader.read(defaults, true, cache)).isEqualTo(bare).isEqualTo(ConfigLoader.read(defaults, true));

        // An edit is seen at once, errors included.
        config("hooks_dirs = [\"rel\"]\n");
        assertThatThrownBy(() -> ConfigLoader.read(file, true, cache)).hasMessageContaining("absolute path");
    }
}
