package io.slipway.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A layer blob while its download is running, so that the merge can follow the download instead
 * of waiting for its end. The download reports here ({@link #writing}, {@link #progress},
 * {@link #complete}, {@link #failed}); readers ({@link #open}) get the bytes written so far and
 * wait for more.
 *
 * <p>Nothing read here is trusted before the download's digest check: a reader reaches the end
 * only once the blob was verified and is in the cache, a failed download is an error in every
 * reader, and a download that starts again from zero (a registry that ignores Range) counts a new
 * generation. Within one generation the temporary file only grows (the download writes each byte
 * once, at the position it hashed it), so what a reader of that generation read is a prefix of
 * the verified blob; {@link #restartedWhileRead} tells the caller to redo what it built from a
 * reader whose generation ended.
 */
final class ArrivingBlob {

    static final long BATCH = 1 << 20;

    private final String digest;
    private Path temp;
    private Path complete;
    private long length;
    private int generation;
    private int firstRead = -1;
    /** A waiting reader wants the length to reach this; no wake-up before. */
    private long wanted = Long.MAX_VALUE;
    private RuntimeException failure;

    ArrivingBlob(String digest) {
        this.digest = digest;
    }

    /** An already complete blob (a cache hit). */
    static ArrivingBlob completed(String digest, Path file) {
        ArrivingBlob b = new ArrivingBlob(digest);
        b.complete(file);
        return b;
    }

    /** The download writes to {@code file} from now on. */
    synchronized void writing(Path file) {
        temp = file;
        notifyAll();
    }

    /**
     * {@code n} more bytes are in the temporary file; a negative {@code n} says the download
     * starts again from zero (what the registry client's progress callback reports).
     */
    synchronized void progress(long n) {
        if (n < 0) {
            generation++;
            length = 0;
        } else {
            length += n;
        }
        if (n < 0 || length >= wanted) {
            wanted = Long.MAX_VALUE;
            notifyAll();
        }
    }

    /** The blob was verified and is {@code file} in the cache. */
    synchronized void complete(Path file) {
        complete = file;
        notifyAll();
    }

    /** The download failed for good (after its retries, or its digest did not match). */
    synchronized void failed(RuntimeException e) {
        failure = e;
        notifyAll();
    }

    /** Why the download failed; null while it runs or when it succeeded. */
    synchronized RuntimeException failure() {
        return failure;
    }

    synchronized boolean isComplete() {
        return complete != null;
    }

    /** The verified file; null while the download runs. */
    synchronized Path completeFile() {
        return complete;
    }

    String digest() {
        return digest;
    }

    /** Reads the blob from the start as it arrives. */
    synchronized Reader open() {
        if (firstRead < 0) {
            firstRead = generation;
        }
        return new Reader(generation);
    }

    /**
     * Whether the download started again from zero after a reader began: what was built from
     * that reader may hold bytes of the abandoned generation and must be built again from the
     * complete file.
     */
    synchronized boolean restartedWhileRead() {
        return firstRead >= 0 && firstRead != generation;
    }

    /** Bytes available to a reader at {@code position}: what, where and how many. */
    private record Available(Path file, long count, boolean end) {}

    /**
     * Waits until there are bytes at {@code position} or the blob is complete. A reader that
     * caught up is woken when {@link #BATCH} more bytes arrived, not for every network read
     * (two thread switches per few kilobytes).
     */
    private synchronized Available await(long position, int readerGeneration) throws IOException {
        while (true) {
            if (failure != null) {
                throw new IOException("layer " + digest + ": " + failure.getMessage(), failure);
            }
            if (generation != readerGeneration) {
                throw new IOException("layer " + digest + " restarted from zero while it was being read");
            }
            if (complete != null) {
                return new Available(complete, -1, true);
            }
            if (temp != null && length > position) {
                return new Available(temp, length - position, false);
            }
            wanted = Math.min(wanted, position + BATCH);
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for layer " + digest, e);
            }
        }
    }

    /**
     * One pass over the blob: an {@link InputStream} for the merge, or a pump into a channel
     * ({@link #feed}) that moves the bytes without copying them through Java (sendfile).
     */
    final class Reader extends InputStream {
        private final int readerGeneration;
        private FileChannel channel;
        private long position;
        private long end = -1;

        private Reader(int readerGeneration) {
            this.readerGeneration = readerGeneration;
        }

        String digest() {
            return digest;
        }

        /** Reads again from the start (within its generation the file only grew). */
        void rewind() {
            position = 0;
        }

        /** Up to {@code max} bytes are readable now at the position; 0 at the end. */
        private long available(long max) throws IOException {
            while (true) {
                if (end >= 0) {
                    return Math.min(max, end - position);
                }
                Available a = await(position, readerGeneration);
                try {
                    if (channel == null) {
                        channel = FileChannel.open(a.file(), StandardOpenOption.READ);
                    }
                } catch (NoSuchFileException e) {
                    // The temporary file was just renamed into the cache or deleted: ask again.
                    continue;
                }
                if (a.end()) {
                    // The same inode as the temporary file when it was opened before the rename.
                    end = channel.size();
                    continue;
                }
                return Math.min(max, a.count());
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long n = available(len);
            if (n == 0) {
                return -1;
            }
            int got = channel.read(ByteBuffer.wrap(buf, off, (int) n), position);
            if (got <= 0) {
                throw new IOException("layer " + digest + " shrank while it was being read");
            }
            position += got;
            return got;
        }

        /** Moves the rest of the blob into {@code out} as it arrives. */
        void feed(WritableByteChannel out) throws IOException {
            for (long n; (n = available(Long.MAX_VALUE)) > 0; ) {
                long moved = channel.transferTo(position, n, out);
                if (moved <= 0) {
                    throw new IOException("layer " + digest + " shrank while it was being read");
                }
                position += moved;
            }
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
