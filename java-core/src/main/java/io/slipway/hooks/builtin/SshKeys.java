package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.posix.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user's keys for the SSH hook, made once by {@code slipway ssh-keygen} and shared by all their
 * containers: the servers' host key and the client key with which containers reach each other.
 * They live in {@code ~/.config/slipway/ssh} (the home of the host's passwd database), mode 0700,
 * so every node of a cluster with shared homes sees the same ones.
 *
 * @param dir the directory of the keys
 */
public record SshKeys(Path dir) {

    /** The servers' host key (dropbear format). */
    public static final String HOST_KEY = "dropbear_ed25519_host_key";
    /** The client key (dropbear format): what the container's ssh uses. */
    public static final String CLIENT_KEY = "id_dropbear";
    /** The same client key in OpenSSH's format, for OpenSSH clients on the host or in images. */
    public static final String CLIENT_KEY_OPENSSH = "id_ed25519";
    /** The client key's public half (an authorized_keys line). */
    public static final String CLIENT_PUB = "id_ed25519.pub";

    private static final List<String> FILES = List.of(HOST_KEY, CLIENT_KEY, CLIENT_KEY_OPENSSH, CLIENT_PUB);

    /** The keys of the user whose home directory is {@code home}. */
    public static SshKeys ofHome(Path home) {
        return new SshKeys(home.resolve(".config/slipway/ssh"));
    }

    /** Whether every key file is there. */
    public boolean complete() {
        return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** The client's public key line. */
    public String clientPublicKey() throws IOException {
        return Files.readString(file(CLIENT_PUB), StandardCharsets.UTF_8).strip();
    }

    /**
     * Makes the keys with the dropbear in {@code dropbearDir} (its dropbearkey and
     * dropbearconvert), unless they all exist and {@code overwrite} is false. Each file is written
     * aside and renamed into place, so a container starting meanwhile reads old or new keys,
     * never half-written ones.
     *
     * @return whether keys were made
     */
    public boolean generate(Path dropbearDir, boolean overwrite) {
        if (complete() && !overwrite) {
            return false;
        }
        Path work = null;
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            work = Files.createTempDirectory(dir, ".new-");
            Path key = dropbearDir.resolve("dropbearkey");
            run(List.of(key.toString(), "-t", "ed25519", "-f", work.resolve(HOST_KEY).toString()));
            String out = run(List.of(key.toString(), "-t", "ed25519", "-f", work.resolve(CLIENT_KEY).toString()));
            String pub = out.lines().filter(l -> l.startsWith("ssh-ed25519 ")).findFirst().orElseThrow(
                    () -> new SlipwayException("dropbearkey printed no public key:\n" + out.strip()));
            Files.writeString(work.resolve(CLIENT_PUB), pub + "\n");
            run(List.of(dropbearDir.resolve("dropbearconvert").toString(), "dropbear", "openssh",
                    work.resolve(CLIENT_KEY).toString(), work.resolve(CLIENT_KEY_OPENSSH).toString()));
            for (String f : FILES) {
                Files.setPosixFilePermissions(work.resolve(f),
                        PosixFilePermissions.fromString(f.equals(CLIENT_PUB) ? "rw-r--r--" : "rw-------"));
                Files.move(work.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            return true;
        } catch (IOException e) {
            throw new SlipwayException("cannot make the SSH keys in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (work != null) {
                FileTrees.deleteQuietly(work);
            }
        }
    }

    private static String run(List<String> argv) throws IOException {
        if (!Files.isExecutable(Path.of(argv.get(0)))) {
            throw new SlipwayException(argv.get(0) + " is missing: Slipway was built without its dropbear");
        }
        Process p = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new SlipwayException(String.join(" ", argv) + " failed:\n" + out.strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlipwayException("interrupted while making SSH keys");
        }
        return out;
    }
}
