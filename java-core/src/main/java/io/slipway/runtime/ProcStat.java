package io.slipway.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} that kept containers need.
 *
 * @param state 'R', 'S', 'T' (stopped), 'Z' (zombie)...
 * @param pgrp the process group
 * @param tpgid the foreground process group of its controlling terminal (-1 without one)
 * @param startTime when the process started, in clock ticks after boot (field 22): with the pid,
 *     it names one process for good, since a pid is reused but never with the same start time
 */
record ProcStat(char state, long pgrp, long tpgid, long startTime) {

    /** The process's status, or empty when there is no such process. */
    static Optional<ProcStat> of(long pid) {
        try {
            return Optional.of(parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses a stat line; the command name (field 2) may hold spaces and parentheses. */
    static ProcStat parse(String line) {
        String[] f = line.substring(line.lastIndexOf(')') + 2).strip().split(" ");
        return new ProcStat(f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[5]), Long.parseLong(f[19]));
    }

    /** Whether the process is in its terminal's foreground process group: a Ctrl-C there reaches the whole group. */
    boolean inForeground() {
        return tpgid > 0 && tpgid == pgrp;
    }

    boolean stopped() {
        return state == 'T';
    }

    /** Exited: a zombie nobody reaped yet counts as gone. */
    boolean exited() {
        return state == 'Z' || state == 'X';
    }

    /** Whether process {@code pid} is still the live process that started at {@code startTime}. */
    static boolean alive(long pid, long startTime) {
        return of(pid).filter(s -> s.startTime() == startTime && !s.exited()).isPresent();
    }
}
