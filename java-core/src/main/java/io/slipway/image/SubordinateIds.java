package io.slipway.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a user has subordinate uid and gid ranges ({@code /etc/subuid}, {@code /etc/subgid}).
 * Rootless buildah maps a container's other ids onto them; without them it falls back to a
 * single-id namespace in which {@code RUN} fails (it cannot set supplementary groups) and
 * images with files of other owners cannot be unpacked.
 */
final class SubordinateIds {

    private SubordinateIds() {}

    /** True when both files give {@code user} (by name or uid) a range of at least one id. */
    static boolean present(Path etc, String user, int uid) {
        return hasRange(etc.resolve("subuid"), user, uid) && hasRange(etc.resolve("subgid"), user, uid);
    }

    static boolean hasRange(Path file, String user, int uid) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            return false;
        }
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(":");
            if (f.length == 3 && (f[0].equals(user) || f[0].equals(Integer.toString(uid)))
                    && f[2].trim().matches("[0-9]+") && Long.parseLong(f[2].trim()) > 0) {
                return true;
            }
        }
        return false;
    }

    /** What the administrator must add, for the error and warning texts. */
    static String advice(String user) {
        return "rootless buildah needs subordinate ids: the administrator must give " + user
                + " a range in /etc/subuid and /etc/subgid (for example `usermod --add-subuids 100000-165535"
                + " --add-subgids 100000-165535 " + user + "`, or useradd's automatic ranges)";
    }
}
