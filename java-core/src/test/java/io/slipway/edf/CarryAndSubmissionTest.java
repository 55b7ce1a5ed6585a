package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.slipway.SlipwayException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What srun checks at submission, and the EDF texts the job carries to the nodes. */
class CarryAndSubmissionTest extends EdfTestBase {

    @Test
    void aCarriedEdfResolvesLikeTheFilesEvenOnceTheyAreGone() throws Exception {
        f.user("base", "image = \"img\"\n[env]\nFROM_BASE = \"${HOME}/b\"\n");
        f.write("t.toml", "base_environment = \"base\"\nworkdir = \"/w\"\n[env]\nX = \"${IMG_VAR}\"\n");
        LoadedEdf loaded = Edfs.load(f.t(), f.context());
        String carried = Edfs.carry(loaded);
        Files.delete(f.dir.resolve("t.toml"));
        Files.delete(f.home.resolve(".edf/base.toml"));

        LoadedEdf again = Edfs.uncarry(carried, w -> { });
        ResolvedEdf edf = Edfs.resolve(again, Map.of("IMG_VAR", "from-image"), f.context());
        assertThat(edf).isEqualTo(Edfs.resolve(loaded, Map.of("IMG_VAR", "from-image"), f.context()));
        assertThat(edf.env()).containsEntry("X", "from-image").containsEntry("FROM_BASE", f.home + "/b");
        assertThat(again.sources()).isEqualTo(loaded.sources());
    }

    @Test
    void errorsInACarriedEdfStillNameTheOriginalFileAndLine() {
        f.write("t.toml", "image = \"img\"\n\nworkdir = \"${NOPE}\"\n");
        LoadedEdf again = Edfs.uncarry(Edfs.carry(Edfs.load(f.t(), f.context())), w -> { });
        EdfException e = assertThrows(EdfException.class, () -> Edfs.resolve(again, Map.of(), f.context()));
        assertThat(e.getMessage()).contains(f.t() + ":3").contains("NOPE");
    }

    @Test
    void aDamagedCarryIsAClearError() {
        assertThat(assertThrows(SlipwayException.class, () -> Edfs.uncarry("{not json", w -> { })).getMessage())
                .contains("damaged");
        assertThat(assertThrows(SlipwayException.class, () -> Edfs.uncarry("{\"version\":9}", w -> { })).getMessage())
                .contains("unknown format");
    }

    @Test
    void aJobQueuedBeforeAnUpgradeStillCarriesItsTextsWhichTheNodeParses() {
        String version1 = "{\"version\":1,\"files\":[{\"path\":\"/e/t.toml\",\"text\":\"image = \\\"img\\\"\\n"
                + "workdir = \\\"${NOPE}\\\"\\n\"}]}";
        LoadedEdf loaded = Edfs.uncarry(version1, w -> { });
        assertThat(loaded.sources()).containsExactly(java.nio.file.Path.of("/e/t.toml"));
        EdfException e = assertThrows(EdfException.class, () -> Edfs.resolve(loaded, Map.of(), f.context()));
        assertThat(e.getMessage()).contains("/e/t.toml:2").contains("NOPE");
    }

    @Test
    void everyFieldSurvivesTheCarry() {
        f.user("base", "image = \"img\"\nwritable = true\ndevices = [\"/dev/null\"]\n[annotations]\na.b = 1\n");
        f.write("t.toml", "base_environment = [\"base\"]\ncontainerfile = \"C\"\nentrypoint = false\nworkdir = \"/w\"\n"
                + "mounts = [\"/tmp:/t:ro\"]\n[env]\nX = \"\"\n");
        LoadedEdf loaded = Edfs.load(f.t(), f.context());
        assertThat(Edfs.uncarry(Edfs.carry(loaded), w -> { })).isEqualTo(loaded);
    }

    @Test
    void submissionLeavesVariablesTheHostLacksForTheImage() {
        f.write("t.toml", "image = \"img\"\nworkdir = \"${APP_HOME}/run\"\n[env]\nA = \"${HOME}\"\nB = \"${CONDA_DIR}\"\n");
        assertThat(Edfs.checkAtSubmission(Edfs.load(f.t(), f.context()), f.context()))
                .containsExactly("APP_HOME", "CONDA_DIR");
    }

    @Test
    void submissionStillRejectsWhatNoImageCouldFix() {
        f.write("t.toml", "image = \"img\"\nmounts = [\"/a:/b:bogus\"]\n");
        assertThrows(EdfException.class, () -> Edfs.checkAtSubmission(Edfs.load(f.t(), f.context()), f.context()));
        f.write("t.toml", "image = \"img\"\nmounts = [\"/nonexistent-source-dir:/x\"]\n");
        assertThat(Edfs.checkAtSubmission(Edfs.load(f.t(), f.context()), f.context())).isEmpty();
    }

    @Test
    void theImageMustExpandWithHostVariablesAtSubmission() {
        f.write("t.toml", "image = \"${REGISTRY_FROM_IMAGE}/img\"\n");
        assertThrows(EdfException.class, () -> Edfs.image(Edfs.load(f.t(), f.context()), f.context()));
    }
}
