package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.SlipwayException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutputFormatsTest extends EdfTestBase {
    ResolvedEdf edf;

    @BeforeEach
    void setUp() {
        f.user("base", "image = \"x\"\nmounts = [\"/tmp:/tmp\"]\n[env]\nFROM_BASE = \"b\"\n");
        edf = f.text("""
                base_environment = "base"
                image = "reg.example:5000#team/app:1.0"
                workdir = "/w"
                writable = false
                mounts = ["./data:/data:ro+private"]
                devices = ["/dev/fuse:rw"]
                [env]
                PRICE = "$$5 and \\"quotes\\" and \\\\ and unicode \u00e9"
                GONE = ""
                [annotations.com.hooks.ssh]
                enabled = "true"
                "odd key" = "v"
                """);
    }

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        JsonNode json = new ObjectMapper().readTree(EdfJson.write(edf));
        assertThat(json.fieldNames()).toIterable().containsExactly("image", "containerfile", "workdir", "entrypoint",
                "writable", "mounts", "devices", "env", "annotations", "sources");
        assertThat(json.get("containerfile").isNull()).isTrue();
        assertThat(json.get("mounts").get(1).get("flags").toString()).isEqualTo("[\"ro\",\"private\"]");
        assertThat(json.get("mounts").get(1).get("source").asText()).isEqualTo(tmp.resolve("data").toString());
        assertThat(json.get("env").get("GONE").isNull()).isTrue();
        assertThat(json.get("annotations").get("com.hooks.ssh.enabled").asText()).isEqualTo("true");
        assertThat(json.get("sources").size()).isEqualTo(2);
    }

    @Test
    void jsonReadsBackToTheSameValue() {
        assertThat(EdfJson.read(EdfJson.write(edf))).isEqualTo(edf);
        assertThat(EdfJson.read(EdfJson.write(edf)).env()).containsEntry("GONE", null);
    }

    @Test
    void malformedJsonIsAUserFacingError() {
        assertThatThrownBy(() -> EdfJson.read("{\"image\": 1")).isInstanceOf(SlipwayException.class)
                .hasMessageStartingWith("not a resolved EDF:");
        assertThatThrownBy(() -> EdfJson.read("{\"image\": \"x\"}")).isInstanceOf(SlipwayException.class);
    }

    @Test
    void tomlOutputIsAnEdfThatResolvesToTheSameEnvironment() {
        String toml = EdfToml.write(edf);
        f.write("rendered.toml", toml);
        ResolvedEdf again = f.resolve("./rendered.toml");
        assertThat(again.image()).isEqualTo(edf.image());
        assertThat(again.mounts()).isEqualTo(edf.mounts());
        assertThat(again.devices()).isEqualTo(edf.devices());
        assertThat(again.env()).isEqualTo(edf.env());
        assertThat(again.annotations()).isEqualTo(edf.annotations());
        assertThat(again.workdir()).isEqualTo(edf.workdir());
        assertThat(again.writable()).isEqualTo(edf.writable());
        assertThat(again.entrypoint()).isEqualTo(edf.entrypoint());
        assertThat(toml).contains("PRICE = \"$$5 and").contains("\"com.hooks.ssh.enabled\" = \"true\"");
    }
}
