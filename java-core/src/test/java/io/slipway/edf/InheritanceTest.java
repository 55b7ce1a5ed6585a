package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InheritanceTest extends EdfTestBase {

    @Test
    void aSingleBaseMayBeAStringOrAOneElementArray() {
        f.user("common_env", "image = \"common\"\n");
        assertThat(f.text("base_environment = \"common_env\"\n").image()).isEqualTo("common");
        assertThat(f.text("base_environment = [\"common_env\"]\n").image()).isEqualTo("common");
    }

    @Test
    void basesApplyLeftToRightThenTheFileItself() {
        f.user("one", "image = \"one\"\nworkdir = \"/one\"\nentrypoint = false\n");
        f.user("two", "image = \"two\"\n");
        ResolvedEdf edf = f.text("base_environment = [\"one\", \"two\"]\nwritable = false\n");
        assertThat(edf.image()).isEqualTo("two");
        assertThat(edf.workdir()).isEqualTo("/one");
        assertThat(edf.entrypoint()).isFalse();
        assertThat(edf.writable()).isFalse();
        assertThat(edf.sources()).containsExactly(f.home.resolve(".edf/one.toml").toString(),
                f.home.resolve(".edf/two.toml").toString(), f.t());
        assertThat(f.text("base_environment = [\"one\", \"two\"]\nimage = \"mine\"\n").image()).isEqualTo("mine");
    }

    @Test
    void aRepeatedBaseAppliesAgainSoTheLastListedWins() {
        f.user("simple-1", "image = \"ubuntu:simple-1\"\n");
        f.user("simple-2", "image = \"ubuntu:simple-2\"\nentrypoint = false\n");
        ResolvedEdf edf = f.text("base_environment = [\"simple-1\", \"simple-2\", \"simple-1\"]\n");
        assertThat(edf.image()).isEqualTo("ubuntu:simple-1");
        assertThat(edf.entrypoint()).isFalse();
    }

    @Test
    void eachBaseIsFullyResolvedBeforeTheNext() {
        f.user("grand", "image = \"grand\"\n[env]\nLEVEL = \"grand\"\nG = \"g\"\n");
        f.user("parent", "base_environment = \"grand\"\n[env]\nLEVEL = \"parent\"\n");
        f.user("other", "image = \"other\"\n[env]\nLEVEL = \"other\"\n");
        ResolvedEdf edf = f.text("base_environment = [\"parent\", \"other\"]\n");
        assertThat(edf.image()).isEqualTo("other");
        assertThat(edf.env()).containsEntry("LEVEL", "other").containsEntry("G", "g");
    }

    @Test
    void mountsAndDevicesAppend() {
        f.user("base", "image = \"x\"\nmounts = [\"/a:/a\"]\ndevices = [\"/dev/fuse\"]\n");
        ResolvedEdf edf = f.text("base_environment = \"base\"\nmounts = [\"/b:/b\"]\ndevices = [\"/dev/kvm\", \"/dev/fuse\"]\n");
        assertThat(edf.mounts()).extracting(Mount::destination).containsExactly("/a", "/b");
        assertThat(edf.devices()).containsExactly("/dev/fuse", "/dev/kvm");
    }

    @Test
    void aLaterMountToTheSameDestinationReplacesTheEarlierInPlace() {
        f.user("base", "image = \"x\"\nmounts = [\"/data/v1:/data\", \"/opt:/opt\"]\n");
        ResolvedEdf edf = f.text("base_environment = \"base\"\nmounts = [\"/data/v2:/data/:ro\"]\n");
        assertThat(edf.mounts()).containsExactly(new Mount("/data/v2", "/data", List.of("ro")),
                new Mount("/opt", "/opt", List.of()));
    }

    @Test
    void envAndAnnotationsOverridePerKeyAndEmptyUnsets() {
        f.user("base", "image = \"x\"\n[env]\nA = \"1\"\nB = \"2\"\nC = \"3\"\n[annotations]\nh.one = \"1\"\nh.two = \"2\"\n");
        ResolvedEdf edf = f.text("base_environment = \"base\"\n[env]\nB = \"20\"\nC = \"\"\n[annotations.h]\ntwo = \"22\"\n");
        Map<String, String> env = new HashMap<>();
        env.put("A", "1");
        env.put("B", "20");
        env.put("C", null);
        assertThat(edf.env()).isEqualTo(env);
        assertThat(edf.annotations()).isEqualTo(Map.of("h.one", "1", "h.two", "22"));
    }

    @Test
    void aChainOfTenFilesResolves() {
        chain(10);
        assertThat(f.resolve("level1").sources()).hasSize(10);
        assertThat(f.resolve("level1").image()).isEqualTo("level10");
    }

    @Test
    void anEleventhFileIsAnErrorThatPrintsTheChain() {
        chain(11);
        EdfException e = f.fails("level1");
        assertThat(e.getMessage()).contains("level10.toml:1:1: base_environment: base_environment chain is longer"
                + " than 10 files: " + f.home.resolve(".edf/level1.toml") + " -> ")
                .endsWith(f.home.resolve(".edf/level11.toml").toString());
    }

    /** level1 -> level2 -> ... -> levelN; only the deepest sets the image. */
    private void chain(int files) {
        for (int i = 1; i < files; i++) {
            f.user("level" + i, "base_environment = \"level" + (i + 1) + "\"\n");
        }
        f.user("level" + files, "image = \"level" + files + "\"\n");
    }

    @Test
    void aCycleIsAnErrorThatPrintsTheChain() {
        f.user("a", "base_environment = \"b\"\nimage = \"x\"\n");
        f.user("b", "base_environment = [\"c\"]\n");
        f.user("c", "base_environment = \"a\"\n");
        Path a = f.home.resolve(".edf/a.toml");
        Path b = f.home.resolve(".edf/b.toml");
        Path c = f.home.resolve(".edf/c.toml");
        assertThat(f.fails("a").getMessage()).isEqualTo(c + ":1:1: base_environment: inheritance cycle: "
                + a + " -> " + b + " -> " + c + " -> " + a);
    }

    @Test
    void aFileThatNamesItselfIsACycle() {
        f.user("self", "base_environment = \"self\"\nimage = \"x\"\n");
        assertThat(f.fails("self").getMessage()).contains("inheritance cycle");
    }

    @Test
    void aDiamondIsNotACycle() {
        f.user("root", "image = \"root\"\nmounts = [\"/r:/r\"]\n");
        f.user("left", "base_environment = \"root\"\n");
        f.user("right", "base_environment = \"root\"\n");
        ResolvedEdf edf = f.text("base_environment = [\"left\", \"right\"]\n");
        assertThat(edf.image()).isEqualTo("root");
        assertThat(edf.mounts()).hasSize(1);
    }

    @Test
    void aMissingBaseIsReportedAtTheLineThatNamesIt() {
        assertThat(f.textFails("image = \"x\"\nbase_environment = [\n  \"missing\"\n]\n").getMessage())
                .startsWith(f.t() + ":3:3: environment \"missing\" not found");
    }

    @Test
    void baseFilePathsAreRelativeToTheWorkingDirectoryNotTheEdf() {
        f.write("project/envs/child.toml", "base_environment = \"./base.toml\"\n");
        f.write("project/base.toml", "image = \"from-cwd\"\n");
        f.write("project/envs/base.toml", "image = \"beside-edf\"\n");
        f.cwd = tmp.resolve("project");
        assertThat(f.resolve("./envs/child.toml").image()).isEqualTo("from-cwd");
    }

    @Test
    void aBaseNameMayUseVariables() {
        f.write("envs/base.toml", "image = \"base\"\n");
        f.env.put("ENVS", tmp.resolve("envs").toString());
        assertThat(f.text("base_environment = \"${ENVS}/base.toml\"\n").image()).isEqualTo("base");
    }
}
