package io.slipway.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleConfigTest {

    private final OciHook hook = OciHooks.parse(Path.of("/h/01-t.json"), "{\"version\":\"1.0.0\",\"hook\":{\"path\":"
            + "\"/bin/t\",\"args\":[\"t\",\"a\"],\"timeout\":3},\"when\":{\"always\":true},"
            + "\"stages\":[\"createRuntime\",\"poststop\"]}");

    private JsonNode config() {
        return BundleConfig.toJson(new BundleConfig.Content("/run/x/rootfs", true,
                List.of(new BundleConfig.BundleMount("/data", "/src", "bind", List.of("rbind", "ro"))),
                List.of("sh", "-c", "x"), Map.of("A", "1"), "/work", 1000, 100, Map.of("k", "v"), List.of(hook)));
    }

    @Test
    void rootProcessMountsAndAnnotationsDescribeTheContainer() {
        JsonNode c = config();
        assertEquals("/run/x/rootfs", c.at("/root/path").asText());
        assertEquals(true, c.at("/root/readonly").asBoolean());
        assertEquals("sh", c.at("/process/args/0").asText());
        assertEquals("A=1", c.at("/process/env/0").asText());
        assertEquals("/work", c.at("/process/cwd").asText());
        assertEquals(1000, c.at("/process/user/uid").asInt());
        assertEquals(100, c.at("/process/user/gid").asInt());
        assertEquals("/data", c.at("/mounts/0/destination").asText());
        assertEquals("v", c.at("/annotations/k").asText());
    }

    @Test
    void hooksAreCopiedVerbatimIntoEachOfTheirStages() {
        JsonNode c = config();
        assertEquals("/bin/t", c.at("/hooks/createRuntime/0/path").asText());
        assertEquals(3, c.at("/hooks/poststop/0/timeout").asInt());
        assertFalse(c.at("/hooks").has("prestart"));
    }

    @Test
    void stateCarriesIdStatusPidBundleAndAnnotations() throws Exception {
        JsonNode s = new ObjectMapper().readTree(BundleConfig.state("c1", Stage.START_CONTAINER, 42, "/b", Map.of("k", "v")));
        assertEquals("c1", s.get("id").asText());
        assertEquals("created", s.get("status").asText());
        assertEquals(42, s.get("pid").asInt());
        assertEquals("/b", s.get("bundle").asText());
        assertEquals("v", s.at("/annotations/k").asText());
        assertEquals("1.0.2", s.get("ociVersion").asText());
    }
}
