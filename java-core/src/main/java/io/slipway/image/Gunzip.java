package io.slipway.image;

import io.slipway.posix.ProgramSearch;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;

/**
 * Decompresses a gzip layer. ISA-L's {@code igzip} (Debian package isal), where installed,
 * inflates about twice as fast as zlib and does it in its own process, so on a node the merge,
 * the inflation and tar2sqfs's compression run on separate cores; without it, the JDK's zlib.
 * A failing igzip (a corrupt or truncated layer) is an {@link IOException} at the end of the
 * stream, never a silently short layer.
 */
final class Gunzip {

    private static final List<Path> FALLBACK_DIRS = List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"));
    private static volatile Optional<Path> igzip;

    private Gunzip() {}

    /** The decompressed content of gzip file {@code file}; {@code raw} is its opened bytes. */
    static InputStream open(Path file, InputStream raw) throws IOException {
        Optional<Path> program = igzip();
        if (program.isEmpty()) {
            return new GZIPInputStream(raw, 1 << 16);
        }
        raw.close();
        Process p = new ProcessBuilder(program.get().toString(), "-d", "-c", file.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new ProcessOutput(p, program.get(), file.toString(), CompletableFuture.completedFuture(null));
    }

    /**
     * The decompressed content of a gzip layer that may still be downloading: igzip reads a pipe
     * that a thread fills from {@code arriving} as it grows (sendfile, no copy through Java).
     */
    static InputStream open(ArrivingBlob.Reader arriving) throws IOException {
        Optional<Path> program = igzip();
        if (program.isEmpty()) {
            return new GZIPInputStream(arriving, 1 << 16);
        }
        PipedProcess p = PipedProcess.start(new ProcessBuilder(program.get().toString(), "-d", "-c"));
        CompletableFuture<IOException> feeding = new CompletableFuture<>();
        Thread feeder = new Thread(() -> {
            IOException failure = null;
            try (arriving; var in = p.channel()) {
                arriving.feed(in);
            } catch (IOException e) {
                failure = e;
            } finally {
                feeding.complete(failure);
            }
        }, "slipway-feed " + arriving.digest());
        feeder.setDaemon(true);
        feeder.start();
        return new ProcessOutput(p.process(), program.get(), arriving.digest(), feeding);
    }

    static Optional<Path> igzip() {
        Optional<Path> found = igzip;
        if (found == null) {
            found = find("igzip", System.getenv("PATH"));
            igzip = found;
        }
        return found;
    }

    /** {@code name} on {@code pathList}, else in the usual program directories. */
    static Optional<Path> find(String name, String pathList) {
        List<Path> dirs = new ArrayList<>(ProgramSearch.dirs(pathList));
        dirs.addAll(FALLBACK_DIRS);
        return ProgramSearch.find(name, dirs);
    }

    /**
     * igzip's stdout; its exit status, and the failure of what fed it, are checked at the end of
     * the stream.
     */
    private static final class ProcessOutput extends FilterInputStream {
        private final Process process;
        private final Path program;
        private final String file;
        private final CompletableFuture<IOException> feeding;
        private final CompletableFuture<String> stderr;
        private boolean ended;

        ProcessOutput(Process process, Path program, String file, CompletableFuture<IOException> feeding) {
            super(new BufferedInputStream(process.getInputStream(), 1 << 16));
            this.process = process;
            this.program = program;
            this.file = file;
            this.feeding = feeding;
            this.stderr = ProcessStderr.collect(process);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            return b < 0 ? atEnd() : b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            return n < 0 ? atEnd() : n;
        }

        private int atEnd() throws IOException {
            if (!ended) {
                ended = true;
                int rc;
                try {
                    rc = process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while decompressing " + file, e);
                }
                IOException fed = feeding.join();
                if (fed != null) {
                    throw new IOException(fed.getMessage(), fed);
                }
                if (rc != 0) {
                    String why = stderr.join();
                    throw new IOException("cannot decompress " + file + ": " + program.getFileName() + " exited with "
                            + rc + (why.isEmpty() ? "" : " (" + why + ")"));
                }
            }
            return -1;
        }

        @Override
        public void close() throws IOException {
            // A reader may stop early (hard-link resolution reads only as far as it needs).
            process.destroy();
            super.close();
        }
    }
}
