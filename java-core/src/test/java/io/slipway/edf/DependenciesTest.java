package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a check of an EDF depends on: the files looked at and the variables that could be read. */
class DependenciesTest extends EdfTestBase {

    @Test
    void everyFileLookedAtIsReportedFoundOrNotInSearchOrder() {
        f.write("b/app.toml", "base_environment = \"base\"\nimage = \"x\"\n");
        Path base = f.write("b/base.toml", "image = \"y\"\n");
        f.env.put("EDF_PATH", tmp.resolve("a") + ":" + tmp.resolve("b"));
        List<Path> consulted = new ArrayList<>();

        Edfs.load("app", f.context(), consulted::add);

        assertThat(consulted).containsExactly(tmp.resolve("a/app.toml"), tmp.resolve("b/app.toml"),
                tmp.resolve("a/base.toml"), base);
    }

    @Test
    void aPathIsReportedResolvedFromTheWorkingDirectory() {
        f.write("here.toml", "image = \"x\"\n");
        List<Path> consulted = new ArrayList<>();
        Edfs.load("./here.toml", f.context(), consulted::add);
        assertThat(consulted).containsExactly(f.context().cwd().resolve("here.toml"));
    }

    @Test
    void variablesNamedCoversEveryExpandedFieldOfEveryFile() {
        f.user("base", "image = \"${REGISTRY}/img\"\nworkdir = \"$WORK\"\n");
        f.user("app", String.join("\n",
                "base_environment = \"${BASE_NAME:-base}\"",
                "containerfile = \"${RECIPE:-}\"",
                "mounts = [\"${DATA:-$SCRATCH}:/data\"]",
                "devices = [\"$DEV\"]",
                // A TOML escape is a '$' all the same once parsed.
                "[env]\nNOT_A_REFERENCE = \"\\u0024{ESCAPED}\"",
                "[annotations]\nnote = \"${NOTE}\"", ""));
        f.env.put("BASE_NAME", "base");

        LoadedEdf loaded = Edfs.load("app", f.context());

        assertThat(Edfs.variablesNamed(loaded)).containsExactlyInAnyOrder("REGISTRY", "WORK", "BASE_NAME", "RECIPE",
                "DATA", "SCRATCH", "DEV", "ESCAPED", "NOTE");
    }

    @Test
    void variableNamesAreNotTakenFromKeysOrLiteralText() {
        f.user("plain", "image = \"debian\"\n[env]\nHOME_LIKE = \"/home\"\nPRICE = \"5 $\"\n");
        assertThat(Edfs.variablesNamed(Edfs.load("plain", f.context()))).isEmpty();
    }
}
