package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.config.Installation;
import io.slipway.runtime.FstabEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's ldconfig, run on the container's root: what every library-injecting hook ends with. */
public final class Ldconfig {

    private static final String CACHE = "/etc/ld.so.cache";
    private static final String NEW_CACHE = "/etc/ld.so.cache.slipway-new";

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

    /** Whether the image uses glibc's dynamic linker cache (musl images have none). */
    public static boolean imageHasCache(HookContext ctx) {
        return Files.isRegularFile(ctx.root().viewOf("/etc/ld.so.cache"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Asks for {@code ldconfig -r ROOT [DIR...]} after the hook's mounts, when the image has a
     * glibc cache. The {@code dirs} (container paths) are searched besides the image's configured
     * ones, so libraries a hook put in a directory of its own get into the cache.
     *
     * @return whether it was asked for
     */
    public static boolean refresh(HookContext ctx, HookActions out, String... dirs) {
        if (!imageHasCache(ctx)) {
            out.note(ctx.stage().jsonName() + ": no /etc/ld.so.cache in the image (not glibc): linker cache left alone");
            return false;
        }
        if (ctx.readonly()) {
            out.note(ctx.stage().jsonName() + ": read-only root filesystem: linker cache not refreshed");
            return false;
        }
        // ldconfig renames its new cache over /etc/ld.so.cache. When the user is not root inside,
        // the image's cache belongs to an unmapped owner, which the overlay refuses to copy up,
        // rename over or remove (EOVERFLOW). So the new cache is written beside it and bound
        // over it, which works for every user (a later refresh binds its own on top).
        String root = ctx.rootfs().toString();
        List<String> argv = new ArrayList<>(List.of(path(ctx), "-r", root, "-C", NEW_CACHE));
        argv.addAll(List.of(dirs));
        out.run(argv.toArray(String[]::new));
        Path plan;
        try {
            plan = ctx.scratch("ldconfig").resolve("cache.fstab");
            Files.writeString(plan, FstabEntry.bind(root + NEW_CACHE, CACHE, List.of("bind", "nosuid", "x-create=file"))
                    .toLine());
        } catch (IOException e) {
            throw new SlipwayException("cannot write the linker cache's mount plan: " + e.getMessage(), e);
        }
        String mount = Installation.current().map(i -> i.libexecDir().resolve("slipway-mount").toString())
                .orElse("slipway-mount");
        out.run(mount, root, plan.toString());
        return true;
    }
}
