package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelativePathsTest extends EdfTestBase {

    @BeforeEach
    void setUp() {
        f.cwd = tmp.resolve("run");
    }

    @Test
    void aRelativeImagePathStartsFromTheWorkingDirectory() {
        f.write("run/envs/e.toml", "image = \"./images/app.sqsh\"\n");
        assertThat(f.resolve("./envs/e.toml").image()).isEqualTo(tmp.resolve("run/images/app.sqsh").toString());
    }

    @Test
    void aRegistryReferenceIsNotAPath() {
        f.write("run/e.toml", "image = \"nvcr.io#nvidia/pytorch:22.12-py3\"\n");
        assertThat(f.resolve("./e.toml").image()).isEqualTo("nvcr.io#nvidia/pytorch:22.12-py3");
        assertThat(f.resolve("./e.toml").imageIsPath()).isFalse();
    }

    @Test
    void aContainerfileIsAlwaysAPath() {
        f.write("run/e.toml", "image = \"./out.sqsh\"\ncontainerfile = \"Containerfile.devtools\"\n");
        ResolvedEdf edf = f.resolve("./e.toml");
        assertThat(edf.containerfile()).isEqualTo(tmp.resolve("run/Containerfile.devtools").toString());
        assertThat(edf.imageIsPath()).isTrue();
        assertThat(f.warnings).isEmpty();
    }

    @Test
    void absolutePathsAreNormalised() {
        f.write("run/e.toml", "image = \"/a/./b/../img.sqsh\"\n");
        assertThat(f.resolve("./e.toml").image()).isEqualTo("/a/img.sqsh");
    }
}
