package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TomlSyntaxTest extends EdfTestBase {

    @Test
    void aSyntaxErrorIsReportedAsFileLineColumn() {
        assertThat(f.textFails("image = \"x\nworkdir = \"/a\"\n").getMessage()).startsWith(f.t() + ":1:");
    }

    @Test
    void theSeedsTrailingCommaInEnvGetsAHint() {
        // Seed 000, EDF reference, "Basic env block", as printed.
        String message = f.textFails("image = \"x\"\n[env]\nMY_RUN = \"production\",\nDEBUG = \"false\"\n").getMessage();
        assertThat(message).startsWith(f.t() + ":3:")
                .contains("hint: line 3 ends with a comma; key = value lines in a TOML table are not separated"
                        + " by commas, remove it");
    }

    @Test
    void aCommaInsideAnArrayGetsNoHint() {
        assertThat(f.textFails("image = \"x\"\nmounts = [\"/a:/b\",, ]\n").getMessage()).doesNotContain("hint");
    }

    @Test
    void theSeedsInvalidDoubleDefinitionOfATableIsRejectedWithBothPlaces() {
        // Seed 000, Annotations, ":x: Invalid usage".
        String message = f.textFails("""
                image = "x"
                [annotations]
                com.hooks.ssh.authorize_ssh_key = "/capstor/scratch/cscs/<username>/tests/edf/authorized_keys"

                [annotations.com.hooks.ssh]
                enabled = "true"
                """).getMessage();
        assertThat(message).startsWith(f.t() + ":5:1: invalid TOML:").contains("previously defined at line 3");
    }

    @Test
    void aDuplicateKeyIsRejected() {
        assertThat(f.textFails("image = \"x\"\nimage = \"y\"\n").getMessage()).startsWith(f.t() + ":2:1: invalid TOML:");
    }

    @Test
    void aFileThatIsNotUtf8IsRejectedByName() throws Exception {
        java.nio.file.Files.write(tmp.resolve("bin.toml"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        assertThat(f.fails("./bin.toml").getMessage()).isEqualTo(tmp.resolve("bin.toml") + ": not a UTF-8 text file");
    }
}
