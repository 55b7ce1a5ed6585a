package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootViewTest {

    @TempDir
    Path root;

    @Test
    void absoluteLinksResolveInsideTheRootNotOnTheHost() throws Exception {
        Files.createDirectories(root.resolve("usr/lib"));
        Files.writeString(root.resolve("usr/lib/libc.so.6"), "container libc");
        Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
        Files.createDirectories(root.resolve("lib64"));
        Files.createSymbolicLink(root.resolve("lib64/libc.so.6"), Path.of("../lib/libc.so.6"));
        RootView view = new RootView(root);
        assertEquals(Optional.of("/usr/lib/libc.so.6"), view.resolveLinks("/lib64/libc.so.6"));
        assertEquals("container libc", Files.readString(view.resolve("/lib/libc.so.6").orElseThrow()));
    }

    @Test
    void dotDotStopsAtTheRootAndMissingIsEmpty() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "x");
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../../../../etc/passwd"));
        RootView view = new RootView(root);
        assertEquals(Optional.of("/etc/passwd"), view.resolveLinks("/escape"));
        assertTrue(view.resolve("/no/such/file").isEmpty());
    }

    @Test
    void linkLoopsEndEmpty() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("/b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("/a"));
        assertTrue(new RootView(root).resolve("/a").isEmpty());
    }
}
