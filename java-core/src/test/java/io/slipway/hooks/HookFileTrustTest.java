package io.slipway.hooks;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as root, as the test suite does (it changes file owners). */
class HookFileTrustTest {

    @TempDir
    Path tmp;

    Path dir;
    Path program;

    @BeforeEach
    void layout() throws Exception {
        dir = Files.createDirectory(tmp.resolve("hooks.d"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        program = tmp.resolve("hook.sh");
        Files.writeString(program, "#!/bin/sh\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private OciHook hook() throws Exception {
        Path file = dir.resolve("10-x.json");
        Files.writeString(file, "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"" + program
                + "\"},\"when\":{\"always\":true},\"stages\":[\"createContainer\"]}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return OciHooks.parse(file);
    }

    private static int owner(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    @Test
    void filesOfRootOrTheCallerUnderAStickyTmpAreTrusted() throws Exception {
        OciHook h = hook();
        assertDoesNotThrow(() -> HookFileTrust.require(h, owner(h.file())));
        assertDoesNotThrow(() -> HookFileTrust.require(h, 4321));
    }

    @Test
    void aWorldWritableHookFileIsRefusedNamingIt() throws Exception {
        OciHook h = hook();
        Files.setPosixFilePermissions(h.file(), PosixFilePermissions.fromString("rw-rw-rw-"));
        var e = assertThrows(SlipwayException.class, () -> HookFileTrust.require(h, 4321));
        assertTrue(e.getMessage().contains("10-x.json") && e.getMessage().contains("all users"), e.getMessage());
    }

    @Test
    void aGroupWritableDirectoryAboveTheProgramIsRefused() throws Exception {
        OciHook h = hook();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxr-x"));
        var e = assertThrows(SlipwayException.class, () -> HookFileTrust.require(h, 4321));
        assertTrue(e.getMessage().contains("directory " + tmp) && e.getMessage().contains("its group"),
                e.getMessage());
    }

    @Test
    void aProgramOwnedBySomeoneElseIsRefusedButItsOwnerMayRunIt() throws Exception {
        OciHook h = hook();
        Files.setAttribute(program, "unix:uid", 4321);
        var e = assertThrows(SlipwayException.class, () -> HookFileTrust.require(h, 1234));
        assertTrue(e.getMessage().contains("belongs to uid 4321"), e.getMessage());
        assertDoesNotThrow(() -> HookFileTrust.require(h, 4321));
    }

    @Test
    void aSymlinkedProgramIsCheckedWhereItReallyIs() throws Exception {
        Path other = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path real = Files.move(program, other.resolve("hook.sh"));
        Files.createSymbolicLink(program, real);
        OciHook h = hook();
        var e = assertThrows(SlipwayException.class, () -> HookFileTrust.require(h, 4321));
        assertTrue(e.getMessage().contains("directory " + other), e.getMessage());
    }

    @Test
    void aSymlinkedDirectoryOnTheWayCountsByItsTargetNotItsMode() throws Exception {
        // Like Debian's /bin -> usr/bin: the link's 0777 means nothing.
        Path usr = Files.createDirectories(tmp.resolve("usr/bin"));
        Path real = Files.move(program, usr.resolve("hook.sh"));
        Files.createSymbolicLink(tmp.resolve("bin"), Path.of("usr/bin"));
        program = tmp.resolve("bin/hook.sh");
        OciHook h = hook();
        assertDoesNotThrow(() -> HookFileTrust.require(h, 4321));
        Files.setPosixFilePermissions(usr, PosixFilePermissions.fromString("rwxrwxrwx"));
        var e = assertThrows(SlipwayException.class, () -> HookFileTrust.require(h, 4321));
        assertTrue(e.getMessage().contains("directory " + usr), e.getMessage());
        assertTrue(Files.exists(real));
    }
}
