package io.slipway.hooks;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Refuses hooks that someone other than root or the caller could change. A hook runs as every
 * user whose container it matches, so a hook file, or the program it names, that user A can
 * rewrite would run A's code as user B. Like Sarus, each file and every directory above it must
 * be owned by root and not writable by group or others; unlike Sarus, the caller's own files are
 * accepted too (a user can only hurt themselves with them, and a developer's build tree works),
 * and a sticky directory such as /tmp is accepted above a file its owner controls.
 */
public final class HookFileTrust {

    private HookFileTrust() {}

    /** Throws, naming the hook file and the culprit, unless the hook's file and program are trusted for {@code uid}. */
    public static void require(OciHook hook, int uid) {
        check(hook, hook.file(), "the hook file", uid);
        check(hook, Path.of(hook.path()), "its program " + hook.path(), uid);
    }

    private static void check(OciHook hook, Path path, String what, int uid) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new SlipwayException("OCI hook file " + hook.file() + ": " + what + " cannot be found: "
                    + e.getMessage(), e);
        }
        checkChain(hook, path.toAbsolutePath(), what, uid, false);
        if (!real.equals(path.toAbsolutePath())) {
            checkChain(hook, real, what, uid, true);
        }
    }

    private static void checkChain(OciHook hook, Path path, String what, int uid, boolean followed) {
        boolean first = true;
        for (Path p = path; p != null; p = p.getParent()) {
            boolean link = !followed && Files.isSymbolicLink(p);
            try {
                int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                boolean sticky = (mode & 01000) != 0 && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                String where = p.equals(path) ? what + (followed ? " (" + p + ")" : "") : "directory " + p + " above " + what;
                if (owner != 0 && owner != uid) {
                    throw untrusted(hook, where + " belongs to uid " + owner + ", not root");
                }
                boolean othersWrite = perms.contains(PosixFilePermission.GROUP_WRITE)
                        || perms.contains(PosixFilePermission.OTHERS_WRITE);
                // A symbolic link's mode means nothing (its target is checked on its own, through
                // the real path); who owns it and the directory holding it do.
                if (othersWrite && !link && !(sticky && !first)) {
                    throw untrusted(hook, where + " is writable by " + (perms.contains(PosixFilePermission.OTHERS_WRITE)
                            ? "all users" : "its group") + String.format(" (mode %04o)", mode & 07777));
                }
            } catch (IOException e) {
                throw new SlipwayException("OCI hook file " + hook.file() + ": cannot check " + p + ": "
                        + e.getMessage(), e);
            }
            first = false;
        }
    }

    private static SlipwayException untrusted(OciHook hook, String why) {
        return new SlipwayException("OCI hook file " + hook.file() + ": " + why
                + "; a hook must be changeable only by root (or you), since it runs as every user it applies to");
    }
}
