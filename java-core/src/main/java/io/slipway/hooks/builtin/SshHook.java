package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.hooks.Stage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The SSH hook ({@code com.hooks.ssh.*}): a dropbear server inside the container, running as the
 * user, so that {@code ssh -p PORT NODE} lands in the container. Nothing is needed in the image:
 * <ul>
 * <li>Slipway's static dropbear is bound read-only at {@value #BIN} (the path CSCS's checks look
 *     for with pgrep), next to a per-container directory at {@value #DIR} holding the replayed
 *     environment, the session script and the default pidfile;</li>
 * <li>a per-container directory is bound over {@code ~/.ssh}: the host key, the client key and
 *     {@code authorized_keys} (the user's client key plus {@code authorize_ssh_key}), so neither
 *     the image's nor the host's {@code ~/.ssh} is read or changed;</li>
 * <li>every session runs {@value #SESSION} (dropbear {@code -c}), which loads the container's
 *     environment and then runs the client's command, or a login shell; a login shell loads it
 *     again from {@code /etc/profile.d} after {@code /etc/profile} reset PATH;</li>
 * <li>{@code /usr/bin/ssh} runs dropbear's client on the hook's port with the user's key.</li>
 * </ul>
 * The server is started at createContainer, chrooted into the container's root by slipway-nsexec,
 * and killed at poststop with the sessions it started (the pid is recorded in the bundle).
 */
final class SshHook implements BuiltinHook {

    static final String NAME = "ssh";
    static final String DIR = "/opt/oci-hooks/ssh/dropbear";
    static final String BIN = DIR + "/bin";
    static final String SERVER = BIN + "/dropbear";
    static final String SESSION = DIR + "/session";
    static final String ENVIRONMENT = DIR + "/environment";
    static final String PROFILE = "/etc/profile.d/slipway-ssh.sh";
    static final int DEFAULT_PORT = 15263;
    /** Where the daemon's pid is kept for poststop, in the hook's scratch directory. */
    static final String PID_RECORD = "dropbear.pid";

    /** Variables a session sets for itself, never replayed from the container. */
    private static final Set<String> OWN = Set.of("HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "SHLVL", "_",
            "TERM", "MAIL");
    private static final Pattern NAME_OK = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Path userHome;

    /** The hook of the user running it: keys under their home in the host's passwd database. */
    SshHook() {
        this(Path.of(System.getProperty("user.home")));
    }

    SshHook(Path userHome) {
        this.userHome = userHome;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> preparedPaths(HookPlan plan) {
        String home = plan.env().getOrDefault("HOME", "");
        List<String> dirs = new ArrayList<>(List.of("/opt/oci-hooks/ssh", "/etc/profile.d", "/usr/bin"));
        if (home.startsWith("/") && !home.equals("/")) {
            dirs.add(home);
        }
        return dirs;
    }

    /** What the annotations and the hook file ask for. */
    record Settings(int port, String pidfileContainer, Optional<Path> pidfileHost, Optional<Path> authorizedKeyFile,
            Path dropbearDir) {

        static Settings of(HookContext ctx) {
            String portText = ctx.annotation(NAME, "port")
                    .orElse(ctx.setting("SERVER_PORT_DEFAULT", Integer.toString(DEFAULT_PORT))).trim();
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new SlipwayException("com.hooks.ssh.port: '" + portText + "' is not a TCP port (1 to 65535)");
            }
            String inside = ctx.annotation(NAME, "pidfile_container").orElse(DIR + "/dropbear.pid").trim();
            if (!inside.startsWith("/")) {
                throw new SlipwayException("com.hooks.ssh.pidfile_container: '" + inside
                        + "' is not an absolute path in the container");
            }
            Optional<Path> host = ctx.annotation(NAME, "pidfile_host").map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> absolute("com.hooks.ssh.pidfile_host", s));
            Optional<Path> key = ctx.annotation(NAME, "authorize_ssh_key").map(String::trim)
                    .filter(s -> !s.isEmpty()).map(s -> absolute("com.hooks.ssh.authorize_ssh_key", s));
            String dropbear = ctx.setting("DROPBEAR_DIR", "");
            if (dropbear.isEmpty()) {
                throw new SlipwayException("the SSH hook's file sets no DROPBEAR_DIR (the directory of Slipway's "
                        + "dropbear) in its env");
            }
            return new Settings(port, inside, host, key, Path.of(dropbear));
        }

        private static Path absolute(String what, String value) {
            if (!value.startsWith("/")) {
                throw new SlipwayException(what + ": '" + value + "' is not an absolute host path");
            }
            return Path.of(value);
        }
    }

    /** The user's entry in the container's /etc/passwd. */
    record Account(String home, String shell) {

        static Account of(HookContext ctx) {
            Optional<Path> passwd = ctx.root().resolve("/etc/passwd");
            List<String> lines = List.of();
            try {
                lines = passwd.isPresent() ? Files.readAllLines(passwd.get()) : List.of();
            } catch (IOException e) {
                // Reported below as a missing entry.
            }
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length >= 7 && f[2].equals(Integer.toString(ctx.uid()))) {
                    if (f[5].isEmpty() || f[5].equals("/nonexistent") || f[5].equals("/")) {
                        throw new SlipwayException("the container's /etc/passwd gives " + f[0] + " the home directory '"
                                + f[5] + "'; the SSH hook needs a home for ~/.ssh");
                    }
                    return new Account(f[5], f[6].isEmpty() ? "/bin/sh" : f[6]);
                }
            }
            throw new SlipwayException("the container's /etc/passwd has no entry for uid " + ctx.uid()
                    + "; the SSH hook needs one (dropbear looks the user up)");
        }
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        if (ctx.stage() == Stage.POSTSTOP) {
            stop(ctx, out);
            return;
        }
        if (ctx.stage() != Stage.CREATE_CONTAINER && ctx.stage() != Stage.CREATE_RUNTIME
                && ctx.stage() != Stage.PRESTART) {
            return;
        }
        Settings settings = Settings.of(ctx);
        SshKeys keys = SshKeys.ofHome(userHome);
        if (!keys.complete()) {
            throw new SlipwayException("no SSH keys in " + keys.dir() + ": run 'slipway ssh-keygen' once, then start "
                    + "the container again");
        }
        if (!Files.isExecutable(settings.dropbearDir().resolve("dropbear"))) {
            throw new SlipwayException("no dropbear in " + settings.dropbearDir() + " (DROPBEAR_DIR of the hook file)");
        }
        Account account = Account.of(ctx);
        List<String> authorized = new ArrayList<>(List.of(keys.clientPublicKey()));
        if (settings.authorizedKeyFile().isPresent()) {
            authorized.addAll(userKeys(settings.authorizedKeyFile().get()));
        }

        Path scratch = ctx.scratch(NAME);
        Path opt = directory(scratch.resolve("opt"), "rwxr-xr-x");
        directory(opt.resolve("bin"), "rwxr-xr-x");
        Map<String, String> env = new LinkedHashMap<>(ctx.env());
        BuiltinHooks.readEnvironment(ctx.bundle()).forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        write(opt.resolve("environment"), environmentScript(env), "rw-r--r--");
        write(opt.resolve("session"), sessionScript(), "rwxr-xr-x");
        Path dotSsh = directory(scratch.resolve("home-ssh"), "rwx------");
        for (String f : List.of(SshKeys.HOST_KEY, SshKeys.CLIENT_KEY, SshKeys.CLIENT_KEY_OPENSSH)) {
            Files.copy(keys.file(f), dotSsh.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(dotSsh.resolve(f), PosixFilePermissions.fromString("rw-------"));
        }
        write(dotSsh.resolve("authorized_keys"), String.join("\n", authorized) + "\n", "rw-------");
        write(scratch.resolve("profile.sh"), profileScript(), "rw-r--r--");
        write(scratch.resolve("ssh"), clientScript(settings.port()), "rwxr-xr-x");

        String home = account.home().replaceAll("/+$", "");
        out.bind(opt.toString(), DIR);
        out.bindReadOnly(settings.dropbearDir().toString(), BIN);
        out.bind(dotSsh.toString(), home + "/.ssh");
        out.bindReadOnly(scratch.resolve("profile.sh").toString(), PROFILE);
        out.bindReadOnly(scratch.resolve("ssh").toString(), "/usr/bin/ssh");
        shellsFile(ctx, account.shell(), scratch).ifPresent(f -> out.bindReadOnly(f.toString(), "/etc/shells"));

        List<String> pidfiles = new ArrayList<>(List.of(scratch.resolve(PID_RECORD).toString()));
        settings.pidfileHost().ifPresent(p -> pidfiles.add(p.toString()));
        out.runInRoot(settings.pidfileContainer(), pidfiles, SERVER, "-E", "-r", home + "/.ssh/" + SshKeys.HOST_KEY,
                "-p", Integer.toString(settings.port()), "-P", settings.pidfileContainer(), "-c", SESSION);
        out.note("dropbear on port " + settings.port() + " as uid " + ctx.uid() + ", keys from " + keys.dir());
    }

    /** The public keys of {@code file} (read as the user, as the hook runs), one per line. */
    static List<String> userKeys(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SlipwayException("com.hooks.ssh.authorize_ssh_key: cannot read " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        if (text.contains("PRIVATE KEY")) {
            throw new SlipwayException("com.hooks.ssh.authorize_ssh_key: " + file + " holds a private key; give the "
                    + "public one (the .pub file)");
        }
        List<String> keys = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        if (keys.isEmpty()) {
            throw new SlipwayException("com.hooks.ssh.authorize_ssh_key: " + file + " holds no public key");
        }
        return keys;
    }

    /** {@code export NAME='VALUE'} for each variable a session should get, quoted for any value. */
    static String environmentScript(Map<String, String> env) {
        StringBuilder out = new StringBuilder("# The container's environment, for SSH sessions (the SSH hook).\n");
        env.forEach((k, v) -> {
            if (!OWN.contains(k) && !k.startsWith("SSH_") && NAME_OK.matcher(k).matches()) {
                out.append("export ").append(k).append("='").append(v.replace("'", "'\\''")).append("'\n");
            }
        });
        return out.toString();
    }

    static String sessionScript() {
        return "#!/bin/sh\n"
                + "# Every SSH session of the container (dropbear -c): the container's environment, then the\n"
                + "# client's command, else a login shell.\n"
                + ". " + ENVIRONMENT + "\n"
                + "if [ -n \"$SSH_ORIGINAL_COMMAND\" ]; then\n"
                + "    exec \"$SHELL\" -c \"$SSH_ORIGINAL_COMMAND\"\n"
                + "fi\n"
                + "exec \"$SHELL\" -l\n";
    }

    static String profileScript() {
        return "# The SSH hook: /etc/profile may have reset PATH; SSH logins get the container's environment back.\n"
                + "if [ -n \"${SSH_CONNECTION:-}\" ] && [ -r " + ENVIRONMENT + " ]; then\n"
                + "    . " + ENVIRONMENT + "\n"
                + "fi\n";
    }

    static String clientScript(int port) {
        return "#!/bin/sh\n"
                + "# ssh into the other containers of the job (the SSH hook): dropbear's client, on the hook's port,\n"
                + "# with the user's key.\n"
                + "exec " + BIN + "/dbclient -y -p " + port + " -i \"$HOME/.ssh/" + SshKeys.CLIENT_KEY + "\" \"$@\"\n";
    }

    /**
     * dropbear refuses a login shell that /etc/shells does not list (without the file: /bin/sh
     * and /bin/csh): a private copy with the user's shell added, or empty when none is needed.
     */
    static Optional<Path> shellsFile(HookContext ctx, String shell, Path scratch) throws IOException {
        Optional<Path> file = ctx.root().resolve("/etc/shells");
        List<String> listed = file.isPresent() && Files.isRegularFile(file.get())
                ? Files.readAllLines(file.get()) : List.of("/bin/sh", "/bin/csh");
        if (listed.stream().map(String::strip).anyMatch(shell::equals)) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>(listed);
        lines.add(shell);
        Path copy = scratch.resolve("shells");
        write(copy, String.join("\n", lines) + "\n", "rw-r--r--");
        return Optional.of(copy);
    }

    /** Poststop: the server and every session it started, if the recorded pid is still our dropbear. */
    private static void stop(HookContext ctx, HookActions out) throws IOException {
        Path record = ctx.bundle().resolve("hooks").resolve(NAME).resolve(PID_RECORD);
        if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String text = Files.readString(record).strip();
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> server = ProcessHandle.of(pid).filter(SshHook::isOurServer);
        if (server.isPresent()) {
            List<ProcessHandle> all = new ArrayList<>(server.get().descendants().toList());
            all.add(0, server.get());
            all.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : all) {
                try {
                    p.onExit().get(2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            }
            out.note("poststop: stopped dropbear (pid " + pid + ")");
        }
        Files.deleteIfExists(record);
        Optional<String> host = ctx.annotation(NAME, "pidfile_host").map(String::trim).filter(s -> s.startsWith("/"));
        if (host.isPresent()) {
            Path p = Path.of(host.get());
            try {
                if (Files.readString(p).strip().equals(text)) {
                    Files.delete(p);
                }
            } catch (IOException ignored) {
                // Gone already, or replaced by someone else: not ours to remove.
            }
        }
    }

    /** Our dropbear: the user's process, run as {@value #SERVER} (never a recycled pid of another program). */
    private static boolean isOurServer(ProcessHandle p) {
        Path proc = Path.of("/proc/" + p.pid());
        try {
            byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
            int end = 0;
            while (end < cmdline.length && cmdline[end] != 0) {
                end++;
            }
            return new String(cmdline, 0, end, StandardCharsets.UTF_8).equals(SERVER)
                    && Files.getAttribute(proc, "unix:uid").equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Path directory(Path dir, String mode) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        return dir;
    }

    private static void write(Path file, String text, String mode) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }
}
