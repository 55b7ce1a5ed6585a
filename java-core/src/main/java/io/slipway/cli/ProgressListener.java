package io.slipway.cli;

import io.slipway.image.ImportListener;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Renders import progress on stderr: on a terminal, one self-updating line per layer with bytes
 * and rate; otherwise one line per downloaded layer. Nothing is printed for cache hits.
 */
public final class ProgressListener implements ImportListener, AutoCloseable {

    private static final class Layer {
        final long size;
        final long start = System.nanoTime();
        long bytes;
        boolean done;
        long end;

        Layer(long size) {
            this.size = size;
        }
    }

    private final PrintWriter err;
    private final boolean tty;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private ScheduledExecutorService ticker;
    private int drawn;
    private int downloads;

    /** Progress on the caller's stderr, animated only when a person watches it. */
    static ProgressListener onStderr(CliContext context) {
        boolean tty;
        try {
            tty = io.slipway.posix.Posix.isatty(2);
        } catch (RuntimeException e) {
            tty = false;
        }
        return new ProgressListener(context.err(), tty);
    }

    public ProgressListener(PrintWriter err, boolean tty) {
        this.err = err;
        this.tty = tty;
    }

    @Override
    public synchronized void info(String message) {
        clear();
        err.println("slipway: " + message);
        err.flush();
    }

    @Override
    public synchronized void buildOutput(String line) {
        clear();
        err.println(line);
        err.flush();
    }

    @Override
    public synchronized void warning(String message) {
        clear();
        err.println("slipway: warning: " + message);
        err.flush();
    }

    @Override
    public synchronized void layerStarted(String digest, long size, boolean cached) {
        downloads += cached ? 0 : 1;
        if (cached) {
            return;
        }
        layers.put(digest, new Layer(size));
        if (tty && ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "slipway-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, 200, 200, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void layerProgress(String digest, long bytes) {
        Layer l = layers.get(digest);
        if (l != null) {
            l.bytes += bytes;
        }
    }

    @Override
    public synchronized void layerDone(String digest) {
        Layer l = layers.get(digest);
        if (l == null) {
            return;
        }
        l.done = true;
        l.end = System.nanoTime();
        if (!tty) {
            err.println("slipway: pulled " + shortDigest(digest) + " " + human(l.bytes) + " at " + rate(l) + "/s");
            err.flush();
        }
    }

    @Override
    public synchronized void squashing(String image) {
        if (tty && !layers.isEmpty()) {
            draw();
            drawn = 0;
            err.println("slipway: squashing " + image);
            err.flush();
        }
    }

    /** How many layers were downloaded rather than found in the cache. */
    public synchronized int layersDownloaded() {
        return downloads;
    }

    public synchronized void finish() {
        if (tty && drawn > 0) {
            draw();
        }
        drawn = 0;
    }

    private synchronized void draw() {
        if (layers.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        if (drawn > 0) {
            sb.append("\033[").append(drawn).append('F');
        }
        for (var e : layers.entrySet()) {
            Layer l = e.getValue();
            sb.append("\033[2K").append(shortDigest(e.getKey())).append(' ')
                    .append(String.format("%9s / %-9s %9s/s %s", human(l.bytes), l.size >= 0 ? human(l.size) : "?",
                            rate(l), l.done ? "done" : "")).append('\n');
        }
        drawn = layers.size();
        err.print(sb);
        err.flush();
    }

    private void clear() {
        drawn = 0;
    }

    private static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(colon + 1, Math.min(digest.length(), colon + 13));
    }

    private static String rate(Layer l) {
        long ns = (l.done ? l.end : System.nanoTime()) - l.start;
        return human(ns <= 0 ? 0 : (long) (l.bytes / (ns / 1e9)));
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
