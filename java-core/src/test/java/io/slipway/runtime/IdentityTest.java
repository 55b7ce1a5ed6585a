package io.slipway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.slipway.hooks.builtin.RootView;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {

    @TempDir
    Path root;

    @Test
    void theHostShellStaysWhenTheImageHasItElseSh() throws Exception {
        Identity bash = new Identity(1000, 1000, "alice", "alice", "/home/alice", "/bin/bash");
        assertEquals("/bin/sh", bash.withShellIn(new RootView(root)).shell());
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/bash"), "");
        // Found through the image's own /bin -> usr/bin link, never the host's.
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        assertEquals("/bin/bash", bash.withShellIn(new RootView(root)).shell());
        assertEquals("alice:x:1000:1000::/home/alice:/bin/sh\n",
                bash.withShellIn(new RootView(root.resolve("usr/bin"))).passwd(java.util.List.of()));
    }
}
