package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host's ldconfig, run on the container's root: what every library-injecting hook ends with.
 *
 * <p>The new cache is written to the container's {@code /tmp} (a fresh tmpfs of the container)
 * and bound over {@code /etc/ld.so.cache}: ldconfig's own rename over the image's file fails
 * when the user is not remapped to root (the file's owner is not mapped, and overlayfs answers
 * EOVERFLOW), and a bind also works on a read-only root filesystem. Links ldconfig cannot create
 * in image directories only warn; injected libraries are bound under their soname, so they need
 * none.
 */
public final class Ldconfig {

    /** The container's linker cache, which {@link #refresh} replaces. */
    public static final String CACHE = "/etc/ld.so.cache";

    /** Where the refreshed caches are written inside the container (a prefix; one file per refresh). */
    public static final String CACHE_PREFIX = "/tmp/.slipway-ld.so.cache.";

    private static final AtomicLong COUNTER = new AtomicLong();

    private Ldconfig() {}

    /** The host ldconfig: the hook's {@code LDCONFIG_PATH}, else the usual places. */
    public static String path(HookContext ctx) {
        String configured = ctx.hookEnv().get("LDCONFIG_PATH");
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        for (String p : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig", "/sbin/ldconfig.real"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "ldconfig";
    }

    /**
     * The host's linker cache as {@code ldconfig -p} prints it (the host ldconfig of
     * {@link #path}): how hooks find the host's libraries by soname.
     */
    public static String hostCache(HookContext ctx) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(path(ctx), "-p").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new SlipwayException(path(ctx) + " -p failed with exit status " + p.exitValue() + ": "
                        + out.strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlipwayException("interrupted while running " + path(ctx) + " -p");
        }
        return out;
    }

    /** Whether the image uses glibc's dynamic linker cache (musl images have none). */
    public static boolean imageHasCache(HookContext ctx) {
        return Files.isRegularFile(ctx.root().viewOf(CACHE), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Asks for {@code ldconfig -r ROOT [DIR...]} after the hook's mounts, when the image has a
     * glibc cache. The {@code dirs} (container paths) are searched besides the image's configured
     * ones, so libraries a hook put in a directory of its own get into the cache.
     *
     * @param extraDirs container directories to scan besides the image's ld.so.conf and the host
     *     ldconfig's default ones (where a hook put libraries)
     * @return whether it was asked for
     */
    public static boolean refresh(HookContext ctx, HookActions out, String... extraDirs) {
        if (!imageHasCache(ctx)) {
            out.note(ctx.stage().jsonName() + ": no /etc/ld.so.cache in the image (not glibc): linker cache left alone");
            return false;
        }
        String cache = CACHE_PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        List<String> argv = new ArrayList<>(List.of(path(ctx), "-i", "-r", ctx.rootfs().toString(), "-C", cache));
        argv.addAll(List.of(extraDirs));
        out.run(argv.toArray(String[]::new));
        out.bindAfterCommands(ctx.rootfs() + cache, CACHE);
        return true;
    }
}
