package io.slipway.hooks.builtin;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The timestamp hook: when the container's environment has {@code TIMESTAMP_HOOK_LOGFILE}, appends
 * {@code [SEC.NSEC] [HOST-PID] [hook] [INFO] Timestamp hook: MESSAGE} to that host file, MESSAGE
 * being the hook file's {@code TIMESTAMP_HOOK_MESSAGE}. The clock is CLOCK_MONOTONIC, as in Sarus,
 * so several hook files interleaved with others show where a node's start-up time goes.
 */
final class TimestampHook implements BuiltinHook {

    @Override
    public String name() {
        return "timestamp";
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        String file = ctx.env().get("TIMESTAMP_HOOK_LOGFILE");
        if (file == null || file.isEmpty()) {
            return;
        }
        // HotSpot's nanoTime is clock_gettime(CLOCK_MONOTONIC): comparable across the node's processes.
        long now = System.nanoTime();
        String line = String.format("[%d.%09d] [%s-%d] [hook] [INFO] Timestamp hook: %s%n", now / 1_000_000_000L,
                now % 1_000_000_000L, host(), ProcessHandle.current().pid(),
                ctx.hookEnv().getOrDefault("TIMESTAMP_HOOK_MESSAGE", ""));
        Path path = Path.of(file);
        if (!path.isAbsolute()) {
            throw new io.slipway.SlipwayException("TIMESTAMP_HOOK_LOGFILE must be an absolute path, not '" + file + "'");
        }
        Files.writeString(path, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
