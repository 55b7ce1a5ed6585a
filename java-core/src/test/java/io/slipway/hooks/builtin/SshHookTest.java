package io.slipway.hooks.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.hooks.Stage;
import io.slipway.runtime.FstabEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshHookTest {

    /** The dropbear `make` built (unit-test depends on it). */
    private static final Path DROPBEAR = Path.of("..", "build/libexec/slipway/dropbear").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private HookContext context(Map<String, String> annotations, Map<String, String> hookEnv, Map<String, String> env)
            throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "alice:x:1000:1000::/home/alice:/bin/bash\n");
        return new HookContext(Stage.CREATE_CONTAINER, "c1", bundle, 4242, rootfs, new RootView(rootfs), false, 1000,
                1000, env, annotations, List.of(), hookEnv);
    }

    private HookContext context(Map<String, String> annotations) throws Exception {
        return context(annotations, Map.of("DROPBEAR_DIR", DROPBEAR.toString()), Map.of("PATH", "/bin"));
    }

    @Test
    void thePortIsTheAnnotationElseTheHookFileElse15263() throws Exception {
        assertEquals(15263, SshHook.Settings.of(context(Map.of())).port());
        assertEquals(2222, SshHook.Settings.of(context(Map.of(), Map.of("DROPBEAR_DIR", "/d",
                "SERVER_PORT_DEFAULT", "2222"), Map.of())).port());
        assertEquals(33333, SshHook.Settings.of(context(Map.of("com.hooks.ssh.port", " 33333 "))).port());
        for (String bad : List.of("0", "65536", "22x", "")) {
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> SshHook.Settings.of(context(Map.of("com.hooks.ssh.port", bad))));
            assertEquals("com.hooks.ssh.port: '" + bad + "' is not a TCP port (1 to 65535)", e.getMessage());
        }
    }

    @Test
    void pidfilesAndTheKeyFileMustBeAbsolute() throws Exception {
        SshHook.Settings s = SshHook.Settings.of(context(Map.of()));
        assertEquals("/opt/oci-hooks/ssh/dropbear/dropbear.pid", s.pidfileContainer());
        assertEquals(Optional.empty(), s.pidfileHost());
        assertEquals(Optional.of(Path.of("/tmp/x.pid")),
                SshHook.Settings.of(context(Map.of("com.hooks.ssh.pidfile_host", "/tmp/x.pid"))).pidfileHost());
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.Settings.of(context(
                Map.of("com.hooks.ssh.pidfile_host", "x.pid")))).getMessage().startsWith("com.hooks.ssh.pidfile_host"));
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.Settings.of(context(
                Map.of("com.hooks.ssh.pidfile_container", "run/x.pid")))).getMessage()
                .startsWith("com.hooks.ssh.pidfile_container"));
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.Settings.of(context(
                Map.of("com.hooks.ssh.authorize_ssh_key", "k.pub")))).getMessage()
                .startsWith("com.hooks.ssh.authorize_ssh_key"));
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.Settings.of(context(Map.of(), Map.of(), Map.of())))
                .getMessage().contains("DROPBEAR_DIR"));
    }

    @Test
    void theEnvironmentScriptRestoresEveryValueThroughSh() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PLAIN", "a b");
        env.put("QUOTES", "say \"hi\" it's $HOME `x` \\n");
        env.put("NCCL_NET", "AWS Libfabric");
        env.put("MULTI", "one\ntwo");
        env.put("HOME", "/not/replayed");
        env.put("SSH_CONNECTION", "not replayed");
        env.put("BAD-NAME", "skipped");
        Path script = dir.resolve("env.sh");
        Files.writeString(script, SshHook.environmentScript(env));
        Process p = new ProcessBuilder("/bin/sh", "-c", ". " + script + "; printf '%s|' \"$PLAIN\" \"$QUOTES\" "
                + "\"$NCCL_NET\" \"$MULTI\" \"$HOME\" \"${SSH_CONNECTION:-unset}\"").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals("a b|say \"hi\" it's $HOME `x` \\n|AWS Libfabric|one\ntwo|" + System.getenv("HOME") + "|unset|",
                out);
        assertFalse(SshHook.environmentScript(env).contains("BAD-NAME"));
    }

    @Test
    void anAuthorizedKeyFileMustHoldPublicKeys() throws Exception {
        Path pub = dir.resolve("k.pub");
        Files.writeString(pub, "# mine\nssh-ed25519 AAAAC3Nza me@host\n\n");
        assertEquals(List.of("ssh-ed25519 AAAAC3Nza me@host"), SshHook.userKeys(pub));
        Files.writeString(pub, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.userKeys(pub)).getMessage()
                .contains("holds a private key; give the public one"));
        Files.writeString(pub, "# nothing\n");
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.userKeys(pub)).getMessage()
                .contains("holds no public key"));
        assertEquals("com.hooks.ssh.authorize_ssh_key: cannot read " + dir.resolve("none") + ": no such file",
                assertThrows(SlipwayException.class, () -> SshHook.userKeys(dir.resolve("none"))).getMessage());
    }

    @Test
    void aShellTheImageDoesNotListIsAddedToAPrivateEtcShells() throws Exception {
        HookContext ctx = context(Map.of());
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        // No /etc/shells: /bin/sh and /bin/csh are the defaults.
        assertEquals(Optional.empty(), SshHook.shellsFile(ctx, "/bin/sh", scratch));
        assertEquals("/bin/sh\n/bin/csh\n/bin/bash\n",
                Files.readString(SshHook.shellsFile(ctx, "/bin/bash", scratch).orElseThrow()));
        Files.writeString(ctx.root().viewOf("/etc/shells"), "/bin/sh\n/bin/bash\n");
        assertEquals(Optional.empty(), SshHook.shellsFile(ctx, "/bin/bash", scratch));
    }

    @Test
    void withoutKeysTheStartFailsWithTheHint() throws Exception {
        HookContext ctx = context(Map.of());
        SlipwayException e = assertThrows(SlipwayException.class,
                () -> new SshHook(dir.resolve("home")).run(ctx, new HookActions()));
        assertEquals("no SSH keys in " + dir.resolve("home/.config/slipway/ssh") + ": run 'slipway ssh-keygen' once, "
                + "then start the container again", e.getMessage());
    }

    @Test
    void keygenMakesTheKeysOnceAndTheHookMountsThemOverHomeSsh() throws Exception {
        SshKeys keys = SshKeys.ofHome(dir.resolve("home"));
        assertTrue(keys.generate(DROPBEAR, false));
        assertTrue(keys.complete());
        String pub = keys.clientPublicKey();
        assertTrue(pub.startsWith("ssh-ed25519 "), pub);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keys.dir())));
        assertFalse(keys.generate(DROPBEAR, false));
        assertEquals(pub, keys.clientPublicKey());
        assertTrue(keys.generate(DROPBEAR, true));
        assertFalse(pub.equals(keys.clientPublicKey()));

        Path extra = dir.resolve("extra.pub");
        Files.writeString(extra, "ssh-ed25519 AAAAextra me@laptop\n");
        HookContext ctx = context(Map.of("com.hooks.ssh.port", "2022", "com.hooks.ssh.authorize_ssh_key",
                extra.toString(), "com.hooks.ssh.pidfile_host", "/tmp/h.pid"));
        HookActions out = new HookActions();
        new SshHook(dir.resolve("home")).run(ctx, out);

        Path scratch = ctx.bundle().resolve("hooks/ssh");
        assertEquals(keys.clientPublicKey() + "\nssh-ed25519 AAAAextra me@laptop\n",
                Files.readString(scratch.resolve("home-ssh/authorized_keys")));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(scratch.resolve("home-ssh"))));
        List<String> targets = out.mounts().stream().map(FstabEntry::target).toList();
        assertEquals(List.of("/opt/oci-hooks/ssh/dropbear", "/opt/oci-hooks/ssh/dropbear/bin", "/home/alice/.ssh",
                "/etc/profile.d/slipway-ssh.sh", "/usr/bin/ssh", "/etc/shells"), targets);
        assertEquals(DROPBEAR.toString(), out.mounts().get(1).source());
        assertTrue(out.mounts().get(1).options().contains("ro"));
        HookActions.Command server = out.commands().get(0);
        assertTrue(server.inRoot());
        assertEquals("/opt/oci-hooks/ssh/dropbear/dropbear.pid", server.daemonPidfile());
        assertEquals(List.of(scratch.resolve("dropbear.pid").toString(), "/tmp/h.pid"), server.hostPidfiles());
        assertEquals(List.of("/opt/oci-hooks/ssh/dropbear/bin/dropbear", "-E", "-r",
                "/home/alice/.ssh/dropbear_ed25519_host_key", "-p", "2022", "-P",
                "/opt/oci-hooks/ssh/dropbear/dropbear.pid", "-c", "/opt/oci-hooks/ssh/dropbear/session"), server.argv());
        assertTrue(Files.readString(scratch.resolve("ssh")).contains("/opt/oci-hooks/ssh/dropbear/bin/dbclient -y -p 2022 "));
    }

    @Test
    void aHomeTheSshHookCannotUseIsAnError() throws Exception {
        HookContext ctx = context(Map.of());
        Files.writeString(ctx.root().viewOf("/etc/passwd"), "alice:x:1000:1000::/nonexistent:/bin/sh\n");
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.Account.of(ctx)).getMessage()
                .contains("home directory '/nonexistent'"));
        Files.writeString(ctx.root().viewOf("/etc/passwd"), "bob:x:1001:1001::/home/bob:/bin/sh\n");
        assertTrue(assertThrows(SlipwayException.class, () -> SshHook.Account.of(ctx)).getMessage()
                .contains("no entry for uid 1000"));
    }

    @Test
    void theHookPreparesItsMountParents() {
        assertEquals(List.of("/opt/oci-hooks/ssh", "/etc/profile.d", "/usr/bin", "/home/alice"),
                new SshHook().preparedPaths(new HookPlan(List.of(), Map.of(), Map.of("HOME", "/home/alice"), Map.of(), Path.of("/run/x"))));
        assertEquals(List.of("/opt/oci-hooks/ssh", "/etc/profile.d", "/usr/bin"), new SshHook().preparedPaths(
                new HookPlan(List.of(), Map.of(), Map.of("HOME", "/"), Map.of(), Path.of("/run/x"))));
    }
}
