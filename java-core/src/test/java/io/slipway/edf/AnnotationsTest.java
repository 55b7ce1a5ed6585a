package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnotationsTest extends EdfTestBase {

    @Test
    void dottedKeysAndNestedTablesGiveTheSameAnnotations() {
        Map<String, String> dotted = f.text("""
                image = "x"
                [annotations]
                com.hooks.ssh.authorize_ssh_key = "/keys/authorized_keys"
                com.hooks.ssh.enabled = "true"
                """).annotations();
        Map<String, String> nested = f.text("""
                image = "x"
                [annotations.com.hooks.ssh]
                authorize_ssh_key = "/keys/authorized_keys"
                enabled = "true"
                """).annotations();
        Map<String, String> quoted = f.text("""
                image = "x"
                [annotations]
                "com.hooks.ssh.authorize_ssh_key" = "/keys/authorized_keys"
                "com.hooks.ssh.enabled" = "true"
                """).annotations();
        Map<String, String> expected = Map.of("com.hooks.ssh.authorize_ssh_key", "/keys/authorized_keys",
                "com.hooks.ssh.enabled", "true");
        assertThat(dotted).isEqualTo(expected);
        assertThat(nested).isEqualTo(expected);
        assertThat(quoted).isEqualTo(expected);
    }

    @Test
    void nonStringScalarsBecomeTheirTomlText() {
        Map<String, String> annotations = f.text("""
                image = "x"
                [annotations]
                com.hooks.cxi.enable = true
                port = 51234
                ratio = 1.5
                list = ["a", "b$"]
                when = 1979-05-27T07:32:00Z
                """).annotations();
        assertThat(annotations).containsEntry("com.hooks.cxi.enable", "true").containsEntry("port", "51234")
                .containsEntry("ratio", "1.5").containsEntry("list", "[\"a\", \"b$\"]")
                .containsEntry("when", "1979-05-27T07:32Z");
    }

    @Test
    void stringValuesAreExpandedKeysAreNot() {
        assertThat(f.text("image = \"x\"\n[annotations]\n\"k.${USER}\" = \"${USER}\"\n").annotations())
                .containsExactly(Map.entry("k.${USER}", "alice"));
    }

    @Test
    void theSameAnnotationWrittenTwoWaysInOneFileIsAnError() {
        String message = f.textFails("image = \"x\"\n[annotations]\n\"a.b\" = \"1\"\na.b = \"2\"\n").getMessage();
        assertThat(message).contains("annotations.a.b: defined twice (also at ");
    }

    @Test
    void aNewSubTableBelowADottedKeyTableIsValid() {
        assertThat(f.text("""
                image = "x"
                [annotations]
                com.hooks.ssh.enabled = "true"
                [annotations.com.hooks.ssh.extra]
                port = "1"
                """).annotations()).containsEntry("com.hooks.ssh.extra.port", "1");
    }
}
