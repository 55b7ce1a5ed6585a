package io.slipway.image;

import io.slipway.SlipwayException;
import io.slipway.posix.Posix;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;

/**
 * A child process reading a 1 MiB pipe that this JVM writes (tar2sqfs reading the merge, igzip
 * reading a layer that is still downloading). With the JDK's 64 KiB pipe the writer and the child
 * ran in lock-step, each waiting for the other (the squash took a fifth longer). Without the native
 * library, the JDK's pipe.
 */
record PipedProcess(Process process, OutputStream stdin, WritableByteChannel channel) {

    static PipedProcess start(ProcessBuilder pb) throws IOException {
        int[] fds;
        try {
            fds = Posix.pipe(1 << 20);
        } catch (SlipwayException | UnsatisfiedLinkError e) {
            Process p = pb.start();
            return new PipedProcess(p, p.getOutputStream(), Channels.newChannel(p.getOutputStream()));
        }
        try {
            Process p = pb.redirectInput(new File("/proc/self/fd/" + fds[0])).start();
            try {
                FileOutputStream out = new FileOutputStream("/proc/self/fd/" + fds[1]);
                return new PipedProcess(p, out, out.getChannel());
            } catch (IOException e) {
                p.destroyForcibly();
                throw e;
            }
        } finally {
            // The child and the stream hold their own openings of the pipe; these must go, or a
            // dead child would leave a reader and the writer would block instead of failing.
            Posix.close(fds[0]);
            Posix.close(fds[1]);
        }
    }
}
