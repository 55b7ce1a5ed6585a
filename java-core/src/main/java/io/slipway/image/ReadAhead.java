package io.slipway.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a stream ahead of its consumer on a thread of its own, into a bounded queue of chunks.
 * A layer's decompression then runs on another core than the merge that consumes it, and the
 * decompressor is never held back by the 64 KiB of a pipe while the merge is busy elsewhere.
 * Memory is bounded by {@code chunks * chunkSize}, and the chunks are reused: a layer passes
 * through the same few buffers instead of leaving hundreds of megabytes for the collector (which,
 * with the serial collector of the CLI, promoted them and then spent longer collecting than the
 * merge took). Errors of the source reach the consumer at the point where they happened in the
 * stream.
 */
final class ReadAhead extends InputStream {

    private record Chunk(byte[] buf, int length) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final BlockingQueue<Object> queue;
    private final BlockingQueue<byte[]> free;
    private final InputStream source;
    private final Thread reader;
    private final int buffers;
    private Chunk current = new Chunk(new byte[0], 0);
    private int pos;
    private boolean ended;
    private volatile boolean closed;

    ReadAhead(InputStream source, String name, int chunks, int chunkSize) {
        this.source = source;
        this.queue = new ArrayBlockingQueue<>(chunks);
        // One more than the queue holds: the consumer reads from one while the queue is full.
        this.free = new ArrayBlockingQueue<>(chunks + 1);
        this.buffers = chunks + 1;
        this.reader = new Thread(() -> fill(chunkSize), "slipway-read-ahead " + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void fill(int chunkSize) {
        int allocated = 0;
        try {
            while (!closed) {
                // Buffers are made as needed, so a small layer costs a small buffer.
                byte[] buf = free.poll();
                if (buf == null && allocated < buffers) {
                    buf = new byte[chunkSize];
                    allocated++;
                }
                if (buf == null && (buf = free.poll(100, TimeUnit.MILLISECONDS)) == null) {
                    continue;
                }
                int n = 0;
                try {
                    for (int r; n < buf.length && (r = source.read(buf, n, buf.length - n)) >= 0; ) {
                        n += r;
                    }
                } catch (IOException | RuntimeException e) {
                    if (n > 0) {
                        put(new Chunk(buf, n));
                    }
                    throw e;
                }
                if (n == 0) {
                    break;
                }
                put(new Chunk(buf, n));
            }
            put(END);
        } catch (IOException | RuntimeException e) {
            put(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void put(Object item) {
        try {
            while (!closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // The consumer is busy; keep waiting unless it closed.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean next() throws IOException {
        if (ended) {
            return false;
        }
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading ahead", e);
        }
        if (item instanceof IOException e) {
            ended = true;
            throw new IOException(e.getMessage(), e);
        }
        if (item instanceof RuntimeException e) {
            ended = true;
            throw e;
        }
        if (current.buf().length > 0) {
            free.offer(current.buf()); // END and the initial empty chunk have no buffer to give back
        }
        Chunk chunk = (Chunk) item;
        current = chunk;
        pos = 0;
        if (chunk == END) {
            ended = true;
            return false;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        if (pos == current.length() && !next()) {
            return -1;
        }
        return current.buf()[pos++] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == current.length() && !next()) {
            return -1;
        }
        int n = Math.min(len, current.length() - pos);
        System.arraycopy(current.buf(), pos, buf, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current.length() - pos;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        queue.clear();
        reader.interrupt();
        source.close();
    }
}
