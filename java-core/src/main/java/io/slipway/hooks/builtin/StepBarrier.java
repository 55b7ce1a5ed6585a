package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.posix.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A barrier between the nodes of a step through files in a directory they all see: each member
 * writes {@code arrival/node-ID}, waits until all {@code size} members have, writes
 * {@code departure/node-ID}; member 0 then waits for every departure and removes the directory.
 * Departures exist so that member 0 never removes arrivals a slower member has not seen yet.
 *
 * <p>Every file holds the {@code instance} token (unique to one run of the step: its srun's
 * address), and files with another token are removed on arrival: a crashed earlier step with the
 * same job and step ids (test clusters restart their job numbers) never blocks or fools a new
 * one. Files are written under a dot name and renamed, so a half-written file is never read.
 *
 * @param dir the step's directory
 * @param size how many members (nodes of the step)
 * @param member this member's id, 0 to size-1
 * @param instance the token of this run of the step
 * @param timeout how long to wait for the others, in total per phase
 * @param poll how often to look
 * @param names the members' names by id, for messages (may be shorter than size)
 */
record StepBarrier(Path dir, int size, int member, String instance, Duration timeout, Duration poll,
        List<String> names) {

    static final String ARRIVAL = "arrival";
    static final String DEPARTURE = "departure";

    /** Arrives, waits for everyone, departs; member 0 cleans up. Throws when the others do not come in time. */
    void await() throws IOException {
        Files.createDirectories(dir.resolve(ARRIVAL));
        Files.createDirectories(dir.resolve(DEPARTURE));
        removeStale(ARRIVAL);
        removeStale(DEPARTURE);
        signal(ARRIVAL);
        Optional<TreeSet<Integer>> missing = waitFor(ARRIVAL);
        if (missing.isPresent()) {
            throw new SlipwayException("slurm-global-sync: waited " + timeout.toSeconds() + " s for the containers "
                    + "of the step on all " + size + " nodes; " + describe(missing.get()) + " did not start theirs ("
                    + (size - missing.get().size()) + " of " + size + " arrived, see " + dir.resolve(ARRIVAL) + ")");
        }
        signal(DEPARTURE);
        if (member == 0) {
            // Past the arrivals nobody waits on member 0: a late departure only leaves files behind,
            // which the next run of these ids removes as stale.
            if (waitFor(DEPARTURE).isEmpty()) {
                FileTrees.deleteQuietly(dir);
            }
        }
    }

    /** The members not arrived (or departed) yet, or empty once all are there. */
    Optional<TreeSet<Integer>> waitFor(String phase) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            TreeSet<Integer> missing = missing(phase);
            if (missing.isEmpty()) {
                return Optional.empty();
            }
            if (System.nanoTime() - deadline >= 0) {
                return Optional.of(missing);
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SlipwayException("slurm-global-sync: interrupted while waiting for the other nodes");
            }
        }
    }

    TreeSet<Integer> missing(String phase) throws IOException {
        TreeSet<Integer> missing = new TreeSet<>();
        for (int i = 0; i < size; i++) {
            missing.add(i);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(phase), "node-*")) {
            for (Path p : ds) {
                memberOf(p).filter(i -> ours(p)).ifPresent(missing::remove);
            }
        } catch (NoSuchFileException e) {
            // Not created yet by anyone: all missing.
        }
        return missing;
    }

    private void signal(String phase) throws IOException {
        Path tmp = dir.resolve(phase).resolve(".node-" + member + "-" + ProcessHandle.current().pid());
        Files.writeString(tmp, instance + "\n");
        Path target = dir.resolve(phase).resolve("node-" + member);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void removeStale(String phase) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(phase), "node-*")) {
            for (Path p : ds) {
                if (!ours(p)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private boolean ours(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip().equals(instance);
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Integer> memberOf(Path p) {
        try {
            return Optional.of(Integer.parseInt(p.getFileName().toString().substring(5)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private String describe(TreeSet<Integer> missing) {
        List<String> out = new ArrayList<>();
        for (int i : missing) {
            out.add(i < names.size() ? names.get(i) + " (node " + i + ")" : "node " + i);
        }
        return (out.size() == 1 ? "" : "nodes ") + String.join(", ", out);
    }
}
