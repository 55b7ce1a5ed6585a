package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExpansionTest extends EdfTestBase {

    @BeforeEach
    void setUp() {
        f.env.put("EMPTY", "");
        f.env.put("PATH", "/usr/bin:/bin");
        f.env.put("REGISTRY", "nvcr.io");
        f.env.put("TAG", "24.04");
        f.env.put("FLAGS", "ro");
        f.env.put("DEV", "/dev/fuse");
    }

    private String value(String expression) {
        return f.text("image = \"x\"\n[env]\nV = \"" + expression + "\"\n").env().get("V");
    }

    @Test
    void bracedAndBareVariablesExpand() {
        assertThat(value("${USER}")).isEqualTo("alice");
        assertThat(value("$USER/x")).isEqualTo("alice/x");
        assertThat(value("${USER}_1")).isEqualTo("alice_1");
        assertThat(f.textFails("image = \"x\"\n[env]\nV = \"$USER_1\"\n").getMessage())
                .contains("variable USER_1 is not defined");
    }

    @Test
    void aDefaultAppliesWhenTheVariableIsUnsetOrEmpty() {
        assertThat(value("${NOPE:-d}")).isEqualTo("d");
        assertThat(value("${EMPTY:-d}")).isEqualTo("d");
        assertThat(value("${USER:-d}")).isEqualTo("alice");
        assertThat(value("x${NOPE:-}y")).isEqualTo("xy");
    }

    @Test
    void aDefaultMayItselfExpand() {
        assertThat(value("${NOPE:-${USER}}")).isEqualTo("alice");
        assertThat(value("${NOPE:-${ALSO_NOPE:-/x}}")).isEqualTo("/x");
    }

    @Test
    void doubleDollarIsALiteralDollar() {
        assertThat(value("$${USER}")).isEqualTo("${USER}");
        assertThat(value("$$USER")).isEqualTo("$USER");
        assertThat(value("$$$${USER}")).isEqualTo("$${USER}");
        assertThat(value("5$$")).isEqualTo("5$");
        assertThat(value("$$${USER}")).isEqualTo("$alice");
    }

    @Test
    void aDollarNotStartingAReferenceStaysAsWritten() {
        assertThat(value("a$")).isEqualTo("a$");
        assertThat(value("$/x $1 $(date)")).isEqualTo("$/x $1 $(date)");
    }

    @Test
    void anUndefinedVariableNamesTheVariableFieldFileAndLine() {
        assertThat(f.textFails("image = \"x\"\n[env]\nMY_NODE = \"${VAR_FROM_HOST}\"\n").getMessage())
                .isEqualTo(f.t() + ":3:1: env.MY_NODE: variable VAR_FROM_HOST is not defined (write"
                        + " ${VAR_FROM_HOST:-} to allow it to be unset, or $$ for a literal $)");
    }

    @Test
    void anUnterminatedOrUnsupportedReferenceIsAnError() {
        assertThat(f.textFails("image = \"x\"\nworkdir = \"/${USER\"\n").getMessage())
                .contains(":2:1: workdir: '${' at character 2 of \"/${USER\" has no closing '}'");
        assertThat(f.textFails("image = \"x\"\nworkdir = \"/${USER:1}\"\n").getMessage())
                .contains("'${USER:1}' is not supported; use ${USER} or ${USER:-default}");
        assertThat(f.textFails("image = \"x\"\nworkdir = \"/${}\"\n").getMessage())
                .contains("'${}' is not a variable reference");
    }

    @Test
    void everyStringFieldIsExpanded() {
        f.write("base.toml", "image = \"x\"\n");
        f.env.put("BASE", tmp.resolve("base.toml").toString());
        ResolvedEdf edf = f.text("""
                base_environment = "${BASE}"
                image = "${REGISTRY}#library/ubuntu:${TAG}"
                workdir = "/home/${USER}"
                mounts = ["${SCRATCH}:/scratch:${FLAGS}"]
                devices = ["${DEV}"]
                [env]
                HOME_COPY = "${HOME}"
                [annotations]
                key = "${USER}"
                """);
        assertThat(edf.image()).isEqualTo("nvcr.io#library/ubuntu:24.04");
        assertThat(edf.workdir()).isEqualTo("/home/alice");
        assertThat(edf.mounts()).containsExactly(new Mount("/scratch/alice", "/scratch", java.util.List.of("ro")));
        assertThat(edf.devices()).containsExactly("/dev/fuse");
        assertThat(edf.env()).containsEntry("HOME_COPY", f.home.toString());
        assertThat(edf.annotations()).containsEntry("key", "alice");
    }

    @Test
    void envKeysAreNeverExpanded() {
        assertThat(f.text("image = \"x\"\n[env]\n\"${USER}\" = \"v\"\n").env()).containsOnlyKeys("${USER}");
    }

    @Test
    void envValuesCannotReferToOtherEnvEntries() {
        assertThat(f.textFails("image = \"x\"\n[env]\nA = \"1\"\nB = \"${A}\"\n").getMessage())
                .contains("env.B: variable A is not defined");
    }

    @Test
    void theImageEnvironmentWinsOverTheHost() {
        f.write("t.toml", "image = \"x\"\n[env]\nPATH = \"${PATH}:/custom/bin\"\nCUDA = \"${CUDA_HOME}/lib\"\n");
        ResolvedEdf edf = f.resolve("./t.toml", Map.of("PATH", "/opt/conda/bin:/usr/bin", "CUDA_HOME", "/usr/local/cuda"));
        assertThat(edf.env()).containsEntry("PATH", "/opt/conda/bin:/usr/bin:/custom/bin")
                .containsEntry("CUDA", "/usr/local/cuda/lib");
    }

    @Test
    void theImageAndItsRecipeUseHostVariablesOnlySinceTheyChooseTheImage() {
        f.write("t.toml", "image = \"/img/${TAG}.sqsh\"\ncontainerfile = \"/r/${TAG}\"\n");
        ResolvedEdf edf = f.resolve(f.t(), Map.of("TAG", "from-image"));
        assertThat(edf.image()).isEqualTo("/img/24.04.sqsh");
        assertThat(edf.containerfile()).isEqualTo("/r/24.04");
    }

    @Test
    void theImageIsKnownBeforeTheImageEnvironmentEvenWhenOtherFieldsNeedIt() {
        f.user("base", "image = \"${REGISTRY}#base:1\"\n");
        f.write("t.toml", "base_environment = \"base\"\n[env]\nCUDA = \"${CUDA_HOME}/lib\"\n");
        LoadedEdf loaded = Edfs.load(f.t(), f.context());
        assertThat(Edfs.image(loaded, f.context())).isEqualTo("nvcr.io#base:1");
        assertThat(Edfs.resolve(loaded, Map.of("CUDA_HOME", "/cuda"), f.context()).env()).containsEntry("CUDA", "/cuda/lib");
        f.write("noimage.toml", "[env]\nA = \"1\"\n");
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(EdfException.class,
                () -> Edfs.image(Edfs.load(f.dir.resolve("noimage.toml").toString(), f.context()), f.context()))
                .getMessage()).contains("no image");
    }

    @Test
    void submissionTimeResolutionUsesTheHostOnly() {
        assertThat(f.textFails("image = \"x\"\n[env]\nCUDA = \"${CUDA_HOME}/lib\"\n").getMessage())
                .contains("variable CUDA_HOME is not defined");
    }

    @Test
    void anEscapeInABaseIsExpandedOnlyOnceHoweverDeepTheChain() {
        f.user("deep", "image = \"x\"\n[env]\nLIT = \"$${USER}\"\n[annotations]\nlit = \"$$HOME\"\n");
        f.user("mid", "base_environment = \"deep\"\n");
        f.user("top", "base_environment = \"mid\"\n");
        ResolvedEdf edf = f.resolve("top");
        assertThat(edf.env()).containsEntry("LIT", "${USER}");
        assertThat(edf.annotations()).containsEntry("lit", "$HOME");
        assertThat(f.resolve("deep").env()).containsEntry("LIT", "${USER}");
    }

    @Test
    void mountsSplitOutsideVariableGroupsSoDefaultsWithColonsWork() {
        ResolvedEdf edf = f.text("image = \"x\"\nmounts = [\"${DATA:-/scratch/data}:/data:ro\", \"${NOPE:-/a}:${NOPE:-/b}\"]\n");
        assertThat(edf.mounts()).containsExactly(new Mount("/scratch/data", "/data", java.util.List.of("ro")),
                new Mount("/a", "/b", java.util.List.of()));
    }

    @Test
    void aVariableValueMayContainAColon() {
        f.env.put("PAIR", "/x:y");
        assertThat(f.text("image = \"x\"\nmounts = [\"${PAIR}:/p\"]\n").mounts().get(0).source()).isEqualTo("/x:y");
    }
}
