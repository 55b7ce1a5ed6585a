package io.slipway.posix;

import io.slipway.SlipwayException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a stream of bytes, for verifying downloads as they arrive. It uses OpenSSL's
 * libcrypto through the native library when both are there: the CLI and the plugin run the JVM
 * with the C1 compiler only (for start-up time), and there the JDK's SHA-256 lacks its SHA-NI
 * intrinsic and hashes a layer about five times slower. Otherwise it is the JDK's.
 * Not thread-safe; {@link #close} frees the native context.
 */
public final class Sha256 implements AutoCloseable {

    private static volatile Boolean nativeUsable;

    private long ctx;
    private final MessageDigest jdk;

    private Sha256(long ctx, MessageDigest jdk) {
        this.ctx = ctx;
        this.jdk = jdk;
    }

    /** A fresh digest: native when libslipway and libcrypto load, else the JDK's. */
    public static Sha256 create() {
        if (!Boolean.FALSE.equals(nativeUsable)) {
            long ctx = openNative();
            if (ctx != 0) {
                return new Sha256(ctx, null);
            }
        }
        return jdk();
    }

    /** The JDK's implementation, whatever is installed (tests compare the two). */
    public static Sha256 jdk() {
        try {
            return new Sha256(0, MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code sha256:HEX} of {@code data}, as OCI digests name manifests and configurations. */
    public static String ociDigestOf(byte[] data) {
        try (Sha256 sha = jdk()) {
            sha.update(data, 0, data.length);
            return sha.ociDigest();
        }
    }

    /** Whether {@link #create} gives libcrypto's implementation. */
    public boolean isNative() {
        return jdk == null;
    }

    private static long openNative() {
        long ctx = 0;
        try {
            Posix.ensureLoaded();
            ctx = open0();
        } catch (SlipwayException | UnsatisfiedLinkError e) {
            ctx = 0;
        }
        nativeUsable = ctx != 0;
        return ctx;
    }

    public void update(byte[] data, int off, int len) {
        if (off < 0 || len < 0 || off + len > data.length) {
            throw new IndexOutOfBoundsException("range " + off + "+" + len + " of " + data.length);
        }
        if (jdk != null) {
            jdk.update(data, off, len);
        } else if (!update0(live(), data, off, len)) {
            throw new IllegalStateException("libcrypto SHA-256 update failed");
        }
    }

    /** The digest of everything given since the start or the last reset; starts afresh. */
    public byte[] digest() {
        if (jdk != null) {
            return jdk.digest();
        }
        byte[] out = new byte[32];
        if (!finish0(live(), out)) {
            throw new IllegalStateException("libcrypto SHA-256 final failed");
        }
        return out;
    }

    /** {@code sha256:HEX} of everything given, as OCI digests are written; starts afresh. */
    public String ociDigest() {
        return "sha256:" + HexFormat.of().formatHex(digest());
    }

    public void reset() {
        if (jdk != null) {
            jdk.reset();
        } else if (!reset0(live())) {
            throw new IllegalStateException("libcrypto SHA-256 init failed");
        }
    }

    private long live() {
        if (ctx == 0) {
            throw new IllegalStateException("SHA-256 used after close");
        }
        return ctx;
    }

    @Override
    public void close() {
        if (ctx != 0) {
            close0(ctx);
            ctx = 0;
        }
    }

    private static native long open0();

    private static native boolean update0(long ctx, byte[] data, int off, int len);

    private static native boolean finish0(long ctx, byte[] out);

    private static native boolean reset0(long ctx);

    private static native void close0(long ctx);
}
