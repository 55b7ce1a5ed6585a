package io.slipway.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs against the libslipway.so that make built (surefire passes its path). */
class PosixTest {

    private static int id(String flag) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", flag).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return Integer.parseInt(out);
    }

    @Test
    void identityMatchesTheIdCommand() throws Exception {
        assertThat(Posix.getuid()).isEqualTo(id("-u"));
        assertThat(Posix.geteuid()).isEqualTo(id("-u"));
        assertThat(Posix.getgid()).isEqualTo(id("-g"));
    }

    @Test
    void aClosedOrPipedDescriptorIsNotATerminal() {
        assertThat(Posix.isatty(-1)).isFalse();
        assertThat(Posix.isatty(987)).isFalse();
    }

    @Test
    void aPidfdSignalsItsProcessUntilItExits() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        int fd = Posix.pidfdOpen(p.pid()).orElseThrow();
        try {
            assertThat(Posix.pidfdSignal(fd, 0)).isTrue();
            assertThat(Posix.pidfdSignal(fd, 9)).isTrue();
            p.waitFor();
            assertThat(Posix.pidfdSignal(fd, 0)).isFalse();
        } finally {
            Posix.close(fd);
        }
        assertThat(Posix.pidfdOpen(Integer.MAX_VALUE)).isEmpty();
    }
}
