package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.hooks.BundleConfig;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.OciHooks;
import io.slipway.hooks.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinHooksTest {

    @TempDir
    Path dir;

    private OciHook hookFile(String name, String path, String args) throws Exception {
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"" + path + "\",\"args\":" + args
                + "},\"when\":{\"always\":true},\"stages\":[\"createContainer\"]}");
        return OciHooks.parse(file);
    }

    @Test
    void aLauncherPathWithAKnownNameIsBuiltin() throws Exception {
        assertTrue(BuiltinHooks.of(hookFile("a", "/opt/x/libexec/slipway/slipway-hook",
                "[\"slipway-hook\",\"timestamp\"]")).isPresent());
        assertFalse(BuiltinHooks.of(hookFile("b", "/opt/x/libexec/slipway/slipway-hook",
                "[\"slipway-hook\",\"nonesuch\"]")).isPresent());
        assertFalse(BuiltinHooks.of(hookFile("c", "/usr/bin/timestamp", "[\"x\",\"timestamp\"]")).isPresent());
    }

    @Test
    void enabledFalseDisablesOnlyThatHook() throws Exception {
        OciHook ts = hookFile("ts", "/p/slipway-hook", "[\"slipway-hook\",\"timestamp\"]");
        assertTrue(BuiltinHooks.disabledBy(ts, Map.of("com.hooks.timestamp.enabled", "False")));
        assertFalse(BuiltinHooks.disabledBy(ts, Map.of("com.hooks.timestamp.enabled", "true")));
        assertFalse(BuiltinHooks.disabledBy(ts, Map.of("com.hooks.ssh.enabled", "false")));
    }

    private String bundle(Map<String, String> env) throws Exception {
        Files.createDirectories(dir.resolve("rootfs"));
        var content = new BundleConfig.Content(dir.resolve("rootfs").toString(), false, List.of(), List.of("sh"), env,
                "/", 1000, 1000, Map.of(), List.of());
        Files.writeString(dir.resolve("config.json"), BundleConfig.toJson(content).toString());
        return BundleConfig.state("c1", Stage.CREATE_CONTAINER, 1, dir.toString(), Map.of());
    }

    @Test
    void timestampAppendsTheSeedsFormatToTheContainersLogfile() throws Exception {
        Path log = dir.resolve("ts.log");
        Files.writeString(log, "Line 1\n");
        String state = bundle(Map.of("TIMESTAMP_HOOK_LOGFILE", log.toString()));
        BuiltinHooks.runStandalone("timestamp", List.of(), Stage.CREATE_CONTAINER, state,
                Map.of("TIMESTAMP_HOOK_MESSAGE", "unit test"), null);
        String text = Files.readString(log);
        assertTrue(text.matches("(?s)Line 1\n\\[\\d+\\.\\d{9}\\] \\[.+-\\d+\\] \\[hook\\] \\[INFO\\] "
                + "Timestamp hook: unit test\n"), text);
    }

    @Test
    void timestampWithoutLogfileDoesNothing() throws Exception {
        String state = bundle(Map.of());
        assertTrue(BuiltinHooks.runStandalone("timestamp", List.of(), Stage.CREATE_CONTAINER, state, Map.of(), null)
                .isEmpty());
    }

    @Test
    void anUnknownHookNamesTheKnownOnes() throws Exception {
        String state = bundle(Map.of());
        var e = assertThrows(SlipwayException.class, () -> BuiltinHooks.runStandalone("nonesuch", List.of(),
                Stage.CREATE_CONTAINER, state, Map.of(), null));
        assertTrue(e.getMessage().contains("timestamp"), e.getMessage());
    }

    @Test
    void ldcacheSkipsImagesWithoutAGlibcCache() throws Exception {
        String state = bundle(Map.of());
        List<String> notes = BuiltinHooks.runStandalone("ldcache", List.of(), Stage.CREATE_CONTAINER, state, Map.of(),
                null);
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).contains("not glibc"), notes.get(0));
    }
}
