package io.slipway.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** A child's standard error, read to its end in the background so the child never blocks on a full pipe. */
final class ProcessStderr {

    private ProcessStderr() {}

    /** The child's stderr, stripped; empty when it cannot be read. */
    static CompletableFuture<String> collect(Process process) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream err = process.getErrorStream()) {
                return new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                return "";
            }
        });
    }
}
