package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LookupTest extends EdfTestBase {

    @Test
    void aNameIsLookedUpInHomeEdfByDefault() {
        Path file = f.user("debian", "image = \"debian:12\"\n");
        assertThat(f.resolve("debian").sources()).containsExactly(file.toString());
    }

    @Test
    void edfPathReplacesHomeEdfAndIsSearchedInOrder() {
        f.user("env", "image = \"home\"\n");
        f.write("a/env.toml", "image = \"a\"\n");
        f.write("b/env.toml", "image = \"b\"\n");
        f.write("b/only-b.toml", "image = \"only-b\"\n");
        f.env.put("EDF_PATH", tmp.resolve("a") + ":" + tmp.resolve("b"));
        assertThat(f.resolve("env").image()).isEqualTo("a");
        assertThat(f.resolve("only-b").image()).isEqualTo("only-b");
    }

    @Test
    void anEmptyEdfPathDisablesTheUserDirectories() {
        f.user("env", "image = \"home\"\n");
        f.env.put("EDF_PATH", "");
        assertThat(f.context().searchPath().all()).containsExactly(f.system);
    }

    @Test
    void aRelativeEdfPathEntryIsAnError() {
        f.env.put("EDF_PATH", "/abs:rel/dir");
        assertThatThrownBy(() -> f.resolve("x")).isInstanceOf(EdfException.class)
                .hasMessage("EDF_PATH: entry 'rel/dir' is not an absolute directory (EDF_PATH is a colon-separated"
                        + " list of absolute directories)");
    }

    @Test
    void userDirectoriesShadowSystemDirectories() {
        f.write("system/common.toml", "image = \"system\"\n");
        f.write("system/sysonly.toml", "image = \"sysonly\"\n");
        f.user("common", "image = \"user\"\n");
        assertThat(f.resolve("common").image()).isEqualTo("user");
        assertThat(f.resolve("sysonly").image()).isEqualTo("sysonly");
    }

    @Test
    void theSearchPathIsUserThenConfiguredSystemDirectories() {
        SlipwayConfig config = new SlipwayConfig(Optional.empty(), List.of(Path.of("/etc/edf"), Path.of("/opt/edf")),
                List.of(), List.of());
        assertThat(EdfSearchPath.of(Map.of("HOME", "/home/u"), config).all())
                .containsExactly(Path.of("/home/u/.edf"), Path.of("/etc/edf"), Path.of("/opt/edf"));
        assertThat(EdfSearchPath.of(Map.of(), config).all()).containsExactly(Path.of("/etc/edf"), Path.of("/opt/edf"));
    }

    @Test
    void namesMayHaveSubdirectories() {
        f.user("team/base", "image = \"team\"\n");
        assertThat(f.resolve("team/base").image()).isEqualTo("team");
    }

    @Test
    void aNameCannotClimbOutOfTheSearchDirectory() {
        f.write("outside.toml", "image = \"outside\"\n");
        f.env.put("EDF_PATH", tmp.resolve("home").toString());
        assertThat(f.fails("x/../../outside").getMessage()).contains("not found");
    }

    @Test
    void notFoundListsTheDirectoriesSearched() {
        assertThat(f.fails("nope").getMessage()).isEqualTo("--environment=nope: environment \"nope\" not found: no"
                + " nope.toml in " + f.home.resolve(".edf") + ", " + f.system
                + "; a path to a file must start with ./ or / or end in .toml");
    }

    @Test
    void anArgumentStartingWithDotOrSlashOrEndingInTomlIsAPathFromTheWorkingDirectory() {
        f.write("here/x.toml", "image = \"here\"\n");
        f.user("x", "image = \"named\"\n");
        f.cwd = tmp.resolve("here");
        assertThat(f.resolve("./x.toml").image()).isEqualTo("here");
        assertThat(f.resolve("x.toml").image()).isEqualTo("here");
        assertThat(f.resolve("../here/x.toml").image()).isEqualTo("here");
        assertThat(f.resolve(tmp.resolve("here/x.toml").toString()).image()).isEqualTo("here");
        assertThat(f.resolve("x").image()).isEqualTo("named");
    }

    @Test
    void aMissingPathSaysWhereRelativePathsStart() {
        assertThat(f.fails("./missing.toml").getMessage()).isEqualTo("--environment=./missing.toml: EDF file "
                + tmp.resolve("missing.toml") + " does not exist (relative paths start from " + tmp + ")");
    }

    @Test
    void aDirectoryIsNotAnEdf() {
        f.write("d/x.toml", "image = \"x\"\n");
        assertThat(f.fails("./d").getMessage()).contains("is a directory, not a file");
    }

    @Test
    void theArgumentItselfIsExpanded() {
        f.write("envs/dev.toml", "image = \"dev\"\n");
        f.env.put("ENVS", tmp.resolve("envs").toString());
        assertThat(f.resolve("${ENVS}/dev.toml").image()).isEqualTo("dev");
    }
}
