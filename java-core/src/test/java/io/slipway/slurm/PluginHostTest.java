package io.slipway.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON requests the plugin sends, answered as the plugin expects them. */
class PluginHostTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JsonNode ask(ObjectNode request) throws Exception {
        byte[] answer = PluginHost.handle(request.toString().getBytes(StandardCharsets.UTF_8));
        return JSON.readTree(new String(answer, StandardCharsets.UTF_8));
    }

    private ObjectNode validate(String environment) throws Exception {
        Files.writeString(dir.resolve("slipway.toml"), "edf_system_search_path = \"" + dir.resolve("system") + "\"\n");
        ObjectNode request = JSON.createObjectNode().put("op", "validate").put("environment", environment)
                .put("cwd", dir.toString()).put("config", dir.resolve("slipway.toml").toString()).put("verbose", 1);
        request.putObject("env").put("HOME", dir.resolve("home").toString()).put("USER", "alice");
        return request;
    }

    @Test
    void validateAnswersWithTheCarriedEdfAndWhatItDecided() throws Exception {
        Files.createDirectories(dir.resolve("home/.edf"));
        Files.writeString(dir.resolve("home/.edf/base.toml"), "image = \"library/debian:12\"\n");
        Files.writeString(dir.resolve("home/.edf/app.toml"), "base_environment = \"base\"\n[env]\nP = \"${APP}\"\n");

        JsonNode answer = ask(validate("app"));

        assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
        Carried carried = Carried.parse(answer.path("carry").asText());
        assertThat(carried.environment()).isEqualTo("app");
        assertThat(carried.verbose()).isEqualTo(1);
        assertThat(carried.edf()).contains("library/debian:12").contains("${APP}");
        assertThat(answer.path("messages").toString()).contains("image library/debian:12").contains("APP");
    }

    @Test
    void aBadEdfIsAnErrorNamingFileAndLine() throws Exception {
        Path edf = dir.resolve("bad.toml");
        Files.writeString(edf, "image = \"x\"\nworkdir = 3\n");

        JsonNode answer = ask(validate("./bad.toml"));

        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").asText()).contains(edf + ":2").contains("workdir");
    }

    @Test
    void anEdfWithoutImageIsRejectedAtSubmission() throws Exception {
        Files.writeString(dir.resolve("noimage.toml"), "workdir = \"/w\"\n");
        JsonNode answer = ask(validate("./noimage.toml"));
        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").asText()).contains("noimage.toml").contains("no image");
    }

    @Test
    void aMissingEdfSaysWhereItLooked() throws Exception {
        JsonNode answer = ask(validate("nowhere"));
        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").asText()).contains("nowhere").contains(dir.resolve("system").toString());
    }

    @Test
    void malformedRequestsGetAnAnswerNotAnException() throws Exception {
        JsonNode answer = JSON.readTree(PluginHost.handle("{oops".getBytes(StandardCharsets.UTF_8)));
        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("error").asText()).contains("not valid JSON");
        answer = ask(JSON.createObjectNode().put("op", "dance"));
        assertThat(answer.path("error").asText()).contains("unknown request 'dance'");
    }
}
