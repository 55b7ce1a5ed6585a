package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FieldTypesTest extends EdfTestBase {

    @Test
    void defaultsAreEntrypointTrueWritableTrueAndNothingElse() {
        ResolvedEdf edf = f.text("image = \"ubuntu:24.04\"\n");
        assertThat(edf.image()).isEqualTo("ubuntu:24.04");
        assertThat(edf.entrypoint()).isTrue();
        assertThat(edf.writable()).isTrue();
        assertThat(edf.workdir()).isNull();
        assertThat(edf.containerfile()).isNull();
        assertThat(edf.mounts()).isEmpty();
        assertThat(edf.devices()).isEmpty();
        assertThat(edf.env()).isEmpty();
        assertThat(edf.annotations()).isEmpty();
        assertThat(edf.sources()).containsExactly(f.t());
    }

    @Test
    void everyFieldIsRead() {
        ResolvedEdf edf = f.text("""
                image = "/images/a.sqsh"
                containerfile = "/recipes/Containerfile"
                workdir = "/work"
                entrypoint = false
                writable = false
                mounts = ["/a:/b:ro"]
                devices = ["/dev/fuse"]
                [env]
                A = "1"
                [annotations]
                x.y = "z"
                """);
        assertThat(edf).isEqualTo(new ResolvedEdf("/images/a.sqsh", "/recipes/Containerfile", "/work", false, false,
                List.of(new Mount("/a", "/b", List.of("ro"))), List.of("/dev/fuse"), java.util.Map.of("A", "1"),
                java.util.Map.of("x.y", "z"), List.of(f.t())));
    }

    @Test
    void aStringWhereABooleanBelongsNamesFieldFileLineAndExpectedType() {
        EdfException e = f.textFails("image = \"x\"\n\nwritable = \"yes\"\n");
        assertThat(e.getMessage()).isEqualTo(f.t() + ":3:1: writable: expected a boolean (true or false,"
                + " without quotes), found a string");
    }

    @Test
    void entrypointMustBeABoolean() {
        assertThat(f.textFails("image = \"x\"\nentrypoint = 1\n").getMessage())
                .contains(":2:1: entrypoint: expected a boolean").contains("found an integer");
    }

    @Test
    void imageWorkdirAndContainerfileMustBeStrings() {
        assertThat(f.textFails("image = 3\n").getMessage()).contains(":1:1: image: expected a string, found an integer");
        assertThat(f.textFails("image = \"x\"\nworkdir = [\"/a\"]\n").getMessage())
                .contains(":2:1: workdir: expected a string, found an array");
        assertThat(f.textFails("image = \"x\"\ncontainerfile = true\n").getMessage())
                .contains(":2:1: containerfile: expected a string, found a boolean");
    }

    @Test
    void mountsMustBeAnArrayOfStringsAndTheBadElementIsLocated() {
        assertThat(f.textFails("image = \"x\"\nmounts = \"/a:/b\"\n").getMessage())
                .contains(":2:1: mounts: expected an array of strings like \"SOURCE:DESTINATION[:FLAGS]\", found a string");
        assertThat(f.textFails("image = \"x\"\nmounts = [\n  \"/a:/b\",\n  42,\n]\n").getMessage())
                .contains(":4:3: mounts[2]: expected strings like").contains("found an integer");
    }

    @Test
    void devicesMustBeAnArrayOfStrings() {
        assertThat(f.textFails("image = \"x\"\ndevices = [true]\n").getMessage())
                .contains(":2:12: devices[1]: expected strings like \"HOST[:CONTAINER][:rwm]\", found a boolean");
    }

    @Test
    void envValuesMustBeStrings() {
        assertThat(f.textFails("image = \"x\"\n[env]\nDEBUG = false\n").getMessage())
                .contains(":3:1: env.DEBUG: expected a string (use \"\" to unset the variable), found a boolean");
        assertThat(f.textFails("image = \"x\"\nenv = \"A=1\"\n").getMessage())
                .contains(":2:1: env: expected a table of strings");
    }

    @Test
    void aDottedEnvNameIsExplainedNotSilentlyNested() {
        assertThat(f.textFails("image = \"x\"\n[env]\nA.B = \"1\"\n").getMessage())
                .contains("env.A: expected a string, found a table (a dotted key");
    }

    @Test
    void quotedEnvNamesWithDotsAreFine() {
        assertThat(f.text("image = \"x\"\n[env]\n\"A.B\" = \"1\"\n").env()).containsEntry("A.B", "1");
    }

    @Test
    void anEnvNameWithAnEqualsSignIsRejected() {
        assertThat(f.textFails("image = \"x\"\n[env]\n\"A=B\" = \"1\"\n").getMessage())
                .contains("env.A=B: not a valid environment variable name");
    }

    @Test
    void annotationsMustBeATable() {
        assertThat(f.textFails("image = \"x\"\nannotations = \"a=b\"\n").getMessage())
                .contains(":2:1: annotations: expected a table, found a string");
    }

    @Test
    void baseEnvironmentIsAStringOrAnArrayOfStrings() {
        assertThat(f.textFails("image = \"x\"\nbase_environment = 1\n").getMessage())
                .contains(":2:1: base_environment: expected a string or an array of strings");
        assertThat(f.textFails("image = \"x\"\nbase_environment = [\"a\", 2]\n").getMessage())
                .contains("base_environment[2]: expected EDF names or paths, found an integer");
        assertThat(f.textFails("image = \"x\"\nbase_environment = \"\"\n").getMessage())
                .contains("base_environment: an empty name is not an EDF name or path");
    }

    @Test
    void anEmptyBaseListMeansNoBases() {
        assertThat(f.text("image = \"x\"\nbase_environment = []\n").image()).isEqualTo("x");
    }

    @Test
    void unknownTopLevelKeysWarnWithFileAndLineButDoNotFail() {
        ResolvedEdf edf = f.text("image = \"ubuntu\"\nimage2 = \"kubuntu\"\n");
        assertThat(edf.image()).isEqualTo("ubuntu");
        assertThat(f.warnings).hasSize(1);
        assertThat(f.warnings.get(0).toString()).isEqualTo(f.t() + ":2:1: unknown key 'image2' ignored; known keys:"
                + " base_environment, image, containerfile, workdir, entrypoint, writable, mounts, devices, env,"
                + " annotations");
    }

    @Test
    void aFileWithoutImageIsFineAsABaseButTheResultNeedsOne() {
        f.user("defaults", "mounts = [\"/tmp:/tmp\"]\n");
        assertThat(f.fails("defaults").getMessage()).isEqualTo(f.home.resolve(".edf/defaults.toml")
                + ": no image: set 'image' in this file or in one of its base environments (files applied: "
                + f.home.resolve(".edf/defaults.toml") + ")");
    }

    @Test
    void anEmptyImageIsAnError() {
        assertThat(f.textFails("image = \"\"\n").getMessage()).isEqualTo(f.t() + ":1:1: image: the image is empty");
    }

    @Test
    void workdirMustBeAbsoluteAndEmptyMeansTheImageDefault() {
        assertThat(f.textFails("image = \"x\"\nworkdir = \"rel\"\n").getMessage())
                .contains(":2:1: workdir: 'rel' is not an absolute path inside the container");
        f.write("base.toml", "image = \"x\"\nworkdir = \"/w\"\n");
        assertThat(f.text("base_environment = \"./base.toml\"\nworkdir = \"\"\n").workdir()).isNull();
    }

    @Test
    void aContainerfileWithARegistryImageIsIgnoredWithAWarning() {
        f.text("image = \"ubuntu\"\ncontainerfile = \"./Containerfile\"\n");
        assertThat(f.warnings).singleElement().asString().contains("containerfile: ignored");
    }
}
