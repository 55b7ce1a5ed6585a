package io.slipway.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Who runs the container, as the host knows them: the ids, names, home and shell that go into the
 * container's /etc/passwd and /etc/group and into HOME, USER and LOGNAME.
 */
public record Identity(int uid, int gid, String user, String group, String home, String shell) {

    /** Looks the ids up in the host's /etc/passwd and /etc/group, falling back to the environment. */
    public static Identity of(int uid, int gid, Map<String, String> env, Path etc) {
        String user = env.getOrDefault("USER", uid == 0 ? "root" : "user" + uid);
        String home = env.getOrDefault("HOME", "/");
        String shell = "/bin/sh";
        String group = uid == 0 ? "root" : user;
        for (String line : lines(etc.resolve("passwd"))) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && f[2].equals(Integer.toString(uid))) {
                user = f[0];
                home = f[5];
                shell = f[6].isEmpty() ? shell : f[6];
                break;
            }
        }
        for (String line : lines(etc.resolve("group"))) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[2].equals(Integer.toString(gid))) {
                group = f[0];
                break;
            }
        }
        return new Identity(uid, gid, user, group, home, shell);
    }

    /** The same user seen as root inside (remap-root). */
    public Identity asRoot() {
        return new Identity(0, 0, "root", "root", "/root", "/bin/sh");
    }

    /**
     * The same user with /bin/sh as the shell when the image lacks the host's shell (a bash user
     * in a busybox image): programs that start the login shell, such as the SSH hook's server,
     * refuse a shell that does not exist.
     */
    public Identity withShellIn(io.slipway.hooks.builtin.RootView image) {
        return shell.equals("/bin/sh") || image.resolve(shell).isPresent() ? this
                : new Identity(uid, gid, user, group, home, "/bin/sh");
    }

    /** The image's /etc/passwd with this user's entry, replacing any entry with the same name or uid. */
    public String passwd(List<String> image) {
        StringBuilder out = new StringBuilder();
        boolean present = false;
        for (String line : image) {
            String[] f = line.split(":", -1);
            if (uid == 0 && f.length >= 3 && f[0].equals("root") && f[2].equals("0")) {
                present = true;
            } else if (f.length >= 3 && (f[0].equals(user) || f[2].equals(Integer.toString(uid)))) {
                continue;
            }
            out.append(line).append('\n');
        }
        if (!present) {
            out.append(user).append(":x:").append(uid).append(':').append(gid).append("::").append(home).append(':')
                    .append(shell).append('\n');
        }
        return out.toString();
    }

    /** The image's /etc/group with this user's group added when its gid is missing. */
    public String group(List<String> image) {
        StringBuilder out = new StringBuilder();
        boolean present = false;
        for (String line : image) {
            String[] f = line.split(":", -1);
            present |= f.length >= 3 && f[2].equals(Integer.toString(gid));
            out.append(line).append('\n');
        }
        if (!present) {
            out.append(group).append(":x:").append(gid).append(":\n");
        }
        return out.toString();
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
