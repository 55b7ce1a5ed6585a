package io.slipway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.slipway.image.ImageConfig;
import io.slipway.image.ImportedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentPrecedenceTest {

    private final Identity user = new Identity(1000, 1000, "alice", "alice", "/home/alice", "/bin/sh");

    @Test
    void hostVariablesPassThrough() {
        assertEquals("h", ContainerPlanner.environment(Map.of("ONLY_HOST", "h"), Map.of(), user).get("ONLY_HOST"));
    }

    @Test
    void imageEnvWinsOverHost() {
        assertEquals("image", ContainerPlanner.environment(Map.of("X", "host"), Map.of("X", "image"), user).get("X"));
    }

    @Test
    void edfEnvWinsOverImage() {
        var env = ContainerPlanner.environment(Map.of("X", "host"), Map.of("X", "image"), user);
        assertEquals("edf", ContainerPlanner.applyOverrides(env, Map.of("X", "edf")).get("X"));
    }

    @Test
    void anEmptyOrNullEdfValueUnsets() {
        var env = ContainerPlanner.environment(Map.of("X", "host", "Y", "host"), Map.of(), user);
        Map<String, String> overrides = new HashMap<>();
        overrides.put("X", "");
        overrides.put("Y", null);
        var out = ContainerPlanner.applyOverrides(env, overrides);
        assertFalse(out.containsKey("X"));
        assertFalse(out.containsKey("Y"));
    }

    @Test
    void homeUserAndLognameDescribeTheUserInside() {
        var env = ContainerPlanner.environment(Map.of("HOME", "/elsewhere"), Map.of("HOME", "/root"), user);
        assertEquals("/home/alice", env.get("HOME"));
        assertEquals("alice", env.get("USER"));
        assertEquals("alice", env.get("LOGNAME"));
        assertEquals("/root", ContainerPlanner.environment(Map.of(), Map.of(), user.asRoot()).get("HOME"));
    }

    @Test
    void pwdIsTheWorkdirNotTheCallersDirectory(@TempDir Path tmp) {
        var settings = new RuntimeSettings(tmp, List.of(tmp.resolve("enroot")), false, null, true, List.of(), List.of(),
                tmp);
        var request = new ContainerRequest("/img.sqsh", "/srv", true, true, List.of(), List.of(), Map.of(), Map.of(),
                List.of());
        ContainerSpec spec = ContainerPlanner.planKept("id", request,
                new ImportedImage(tmp.resolve("img.sqsh"), ImageConfig.empty()), settings, user,
                Map.of("PWD", "/home/alice/project", "OLDPWD", "/home/alice"));
        assertEquals("/srv", spec.environment().get("PWD"));
        assertFalse(spec.environment().containsKey("OLDPWD"));
    }

    @Test
    void environLinesDropCommentsMalformedLinesAndEnrootVariablesAndUnquote() {
        var out = ContainerPlanner.parseEnviron(List.of("# c", "A=1", "bad line", "ENROOT_X=1", "B=\"two words\"",
                "export C=${HOSTVAR}"), Map.of("HOSTVAR", "h"));
        assertEquals(Map.of("A", "1", "B", "two words", "C", "h"), out);
    }
}
