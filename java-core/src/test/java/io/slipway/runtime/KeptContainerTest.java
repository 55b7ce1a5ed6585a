package io.slipway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.hooks.OciHook;
import io.slipway.hooks.OciHooks;
import io.slipway.hooks.Stage;
import io.slipway.image.ImageConfig;
import io.slipway.image.ImportedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kept containers: planning, the state file, /proc/PID/stat, and stopKept on real processes. */
class KeptContainerTest {

    @TempDir
    Path tmp;

    private static ImageConfig image(List<String> entrypoint, List<String> cmd) {
        return new ImageConfig(List.of(), entrypoint, cmd, null, null, Map.of());
    }

    private ContainerSpec planKept(boolean entrypoint, List<String> command) {
        var settings = new RuntimeSettings(tmp, List.of(), false, null, true, List.of(), List.of(), tmp);
        var request = new ContainerRequest("/img.sqsh", null, entrypoint, true, List.of(), List.of(), Map.of(),
                Map.of(), command);
        var img = new ImportedImage(tmp.resolve("img.sqsh"), image(List.of("/ep", "--flag"), List.of("cmd")));
        return ContainerPlanner.planKept("id", request, img, settings,
                new Identity(1000, 1000, "u", "g", "/home/u", "/bin/sh"), Map.of());
    }

    @Test
    void keeperModeWithTheEntrypointOnPassesTheKeeperToTheEntrypointAndNeverTheImageCmd() {
        assertEquals(List.of("/ep", "--flag", ContainerPlanner.KEEPER), planKept(true, List.of()).argv());
    }

    @Test
    void keeperModeWithTheEntrypointOffRunsTheKeeperAlone() {
        assertEquals(List.of(ContainerPlanner.KEEPER), planKept(false, List.of()).argv());
        assertEquals(List.of(ContainerPlanner.KEEPER),
                ContainerPlanner.keeperArgv(true, image(List.of(), List.of("cmd"))));
    }

    @Test
    void theKeeperIsTheDescriptorTheHelpersAgreeOn() throws Exception {
        String helper = Files.readString(Path.of("..", "spank-c", "helper.h"));
        assertTrue(helper.contains("#define SLIPWAY_KEEPER_REF \"" + ContainerPlanner.KEEPER + "\""), helper);
        assertTrue(helper.contains("#define SLIPWAY_KEEPER_FD " + ContainerPlanner.KEEPER.substring(14) + "\n"));
    }

    @Test
    void aKeptContainerTakesNoCommandAndOnlyKeptSpecsStartKept() {
        assertThrows(SlipwayException.class, () -> planKept(false, List.of("echo")));
        assertTrue(ContainerPlanner.isKept(planKept(true, List.of()).argv()));
        assertFalse(ContainerPlanner.isKept(List.of("/ep", "cmd")));
    }

    private OciHook poststopHook(Path marker) {
        String json = """
                {"version": "1.0.0", "hook": {"path": "/bin/sh", "args": ["sh", "-c", "cat > %s"], "timeout": 5},
                 "when": {"annotations": {"^a$": "^b$"}}, "stages": ["poststop"]}""".formatted(marker);
        try {
            Path file = tmp.resolve("50-post.json");
            Files.writeString(file, json);
            return OciHooks.parse(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theStateFileRoundTrips() {
        OciHook hook = poststopHook(tmp.resolve("marker"));
        var state = new KeptState("c1", 4242, 987654321L, tmp, Map.of("a", "b"), List.of(hook));
        state.write(tmp);
        KeptState back = KeptState.read(tmp).orElseThrow();
        assertEquals(state.id(), back.id());
        assertEquals(state.pid(), back.pid());
        assertEquals(state.startTime(), back.startTime());
        assertEquals(state.bundle(), back.bundle());
        assertEquals(state.annotations(), back.annotations());
        OciHook h = back.poststop().get(0);
        assertEquals(hook.file(), h.file());
        assertEquals(hook.hook(), h.hook());
        assertEquals(hook.args(), h.args());
        assertEquals(hook.timeout(), h.timeout());
        assertEquals(java.util.Set.of(Stage.POSTSTOP), h.stages());
        assertEquals(state.toJson(), back.toJson());
        assertTrue(KeptState.read(tmp.resolve("nowhere")).isEmpty());
    }

    @Test
    void aMalformedStateFileIsAnError() throws Exception {
        Files.writeString(tmp.resolve(KeptState.FILE), "{\"id\": \"x\"}");
        assertThrows(SlipwayException.class, () -> KeptState.read(tmp));
    }

    @Test
    void procStatFieldsComeAfterTheLastParenthesisOfTheCommandName() {
        String line = "123 (a) b (c) T 1 77 77 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 556677 1000 10 "
                + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
        ProcStat st = ProcStat.parse(line);
        assertEquals('T', st.state());
        assertEquals(77, st.pgrp());
        assertEquals(-1, st.tpgid());
        assertFalse(st.inForeground());
        assertEquals(556677, st.startTime());
        assertTrue(st.stopped());
        ProcStat self = ProcStat.of(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(ProcStat.alive(ProcessHandle.current().pid(), self.startTime()));
        assertFalse(ProcStat.alive(ProcessHandle.current().pid(), self.startTime() + 1));
    }

    @Test
    void stoppingAMissingDirectoryIsANoOpAndADirectoryWithoutStateIsLeftAlone() throws Exception {
        StringWriter err = new StringWriter();
        ContainerStarter.stopKept(tmp.resolve("gone"), new PrintWriter(err, true));
        Path notOurs = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(notOurs.resolve("precious"), "x");
        assertThrows(SlipwayException.class, () -> ContainerStarter.stopKept(notOurs, new PrintWriter(err, true)));
        assertTrue(Files.exists(notOurs.resolve("precious")));
    }

    @Test
    void stopKeptEndsTheKeeperRunsPoststopAndRemovesTheDirectoryOnce() throws Exception {
        Process keeper = new ProcessBuilder("sleep", "60").start();
        long startTime = ProcStat.of(keeper.pid()).orElseThrow().startTime();
        Path dir = Files.createDirectories(tmp.resolve("run/c2"));
        Files.createDirectories(dir.resolve("rootfs/deep"));
        Path marker = tmp.resolve("poststop.state");
        new KeptState("c2", keeper.pid(), startTime, dir, Map.of("a", "b"), List.of(poststopHook(marker))).write(dir);

        StringWriter err = new StringWriter();
        ContainerStarter.stopKept(dir, new PrintWriter(err, true));
        assertTrue(keeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(Files.exists(dir));
        String state = Files.readString(marker);
        assertTrue(state.contains("\"status\":\"stopped\"") && state.contains("\"pid\":" + keeper.pid()), state);
        assertEquals("", err.toString());
        ContainerStarter.stopKept(dir, new PrintWriter(err, true));
    }

    @Test
    void aProcessThatMerelyReusedThePidIsNeverSignalled() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            long startTime = ProcStat.of(other.pid()).orElseThrow().startTime();
            Path dir = Files.createDirectories(tmp.resolve("run/c3"));
            new KeptState("c3", other.pid(), startTime - 1, dir, Map.of(), List.of()).write(dir);
            ContainerStarter.stopKept(dir, new PrintWriter(new StringWriter(), true));
            assertFalse(Files.exists(dir));
            assertFalse(other.waitFor(Duration.ofMillis(300).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        } finally {
            other.destroyForcibly();
        }
    }
}
