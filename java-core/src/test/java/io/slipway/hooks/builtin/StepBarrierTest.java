package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The global sync hook's barrier: members arriving concurrently, a missing one, stale files. */
class StepBarrierTest {

    @TempDir
    Path dir;

    private StepBarrier member(int id, int size, String instance, long timeoutMs) {
        return new StepBarrier(dir.resolve("jobid-1-stepid-0"), size, id, instance, Duration.ofMillis(timeoutMs),
                Duration.ofMillis(10), List.of("n1", "n2", "n3"));
    }

    @Test
    void threeMembersArrivingTogetherAllPassAndMemberZeroRemovesTheDirectory() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // Member 0 first: it must wait for the others, then clean up after their departures.
            List<Future<?>> done = List.of(pool.submit(() -> { member(0, 3, "a", 60_000).await(); return null; }),
                    pool.submit(() -> { member(2, 3, "a", 60_000).await(); return null; }),
                    pool.submit(() -> { member(1, 3, "a", 60_000).await(); return null; }));
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertFalse(Files.exists(dir.resolve("jobid-1-stepid-0")));
    }

    @Test
    void aMissingMemberFailsTheWaitNamingItsNode() throws Exception {
        var e = assertThrows(SlipwayException.class, () -> member(0, 3, "a", 300).await());
        assertTrue(e.getMessage().contains("nodes n2 (node 1), n3 (node 2) did not start theirs (1 of 3 arrived"),
                e.getMessage());
        // A member that gave up leaves its arrival: the next run of these ids must not count it.
        assertTrue(Files.exists(dir.resolve("jobid-1-stepid-0/arrival/node-0")));
    }

    @Test
    void filesOfAnEarlierRunOfTheSameIdsNeitherCountNorBlock() throws Exception {
        Path arrival = Files.createDirectories(dir.resolve("jobid-1-stepid-0/arrival"));
        Path departure = Files.createDirectories(dir.resolve("jobid-1-stepid-0/departure"));
        Files.writeString(arrival.resolve("node-1"), "crashed\n");
        Files.writeString(departure.resolve("node-1"), "crashed\n");
        // The stale node-1 does not let member 0 through alone...
        assertThrows(SlipwayException.class, () -> member(0, 2, "new", 200).await());
        assertFalse(Files.exists(arrival.resolve("node-1")));
        // ...and the real node 1 of the new run completes it.
        Thread other = new Thread(() -> {
            try {
                member(1, 2, "new", 60_000).await();
            } catch (Exception ex) {
                throw new RuntimeException(ex);
            }
        });
        other.start();
        member(0, 2, "new", 60_000).await();
        other.join();
        assertFalse(Files.exists(dir.resolve("jobid-1-stepid-0")));
    }

    @Test
    void theHookWithoutSlurmsVariablesDoesNothing() throws Exception {
        HookActions out = new HookActions();
        Path bundle = Files.createDirectories(dir.resolve("b/rootfs")).getParent();
        var content = new io.slipway.hooks.BundleConfig.Content(bundle.resolve("rootfs").toString(), false, List.of(),
                List.of("sh"), java.util.Map.of("SLURM_JOB_ID", "3"), "/", 1000, 1000, java.util.Map.of(), List.of());
        Files.writeString(bundle.resolve("config.json"), io.slipway.hooks.BundleConfig.toJson(content).toString());
        new SlurmGlobalSyncHook().run(HookContext.of(io.slipway.hooks.Stage.CREATE_CONTAINER,
                io.slipway.hooks.BundleConfig.state("c", io.slipway.hooks.Stage.CREATE_CONTAINER, 1, bundle.toString(),
                        java.util.Map.of()), List.of(), java.util.Map.of(), null), out);
        assertTrue(out.isEmpty());
        assertTrue(out.notes().get(0).startsWith("not in a Slurm step"));
    }
}
