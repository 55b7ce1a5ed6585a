package io.slipway.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetrcTest {

    @TempDir
    Path home;

    @Test
    void entriesOnOneOrManyLinesWithComments() {
        List<Netrc.Entry> e = Netrc.parse("""
                # NGC
                machine nvcr.io login $oauthtoken password tok1
                machine gitlab.example
                  login bob
                  password "with space"   # trailing comment
                default login anon password x
                """);
        assertEquals(3, e.size());
        assertEquals(new Netrc.Entry("nvcr.io", "$oauthtoken", "tok1"), e.get(0));
        assertEquals(new Netrc.Entry("gitlab.example", "bob", "with space"), e.get(1));
        assertEquals("", e.get(2).machine());
    }

    @Test
    void entriesNeverPrintTheirSecret() {
        assertFalse(Netrc.parse("machine h login u password SECRET").get(0).toString().contains("SECRET"));
        assertFalse(new Credential("u", "SECRET", "f").toString().contains("SECRET"));
    }

    private CredentialStore load(List<String> warnings) {
        return CredentialStore.load(Map.of("HOME", home.toString()), warnings::add);
    }

    @Test
    void hostMatchesWithOrWithoutPortAndUserSelectsTheLogin() throws IOException {
        Path f = home.resolve(".config/enroot/.credentials");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "machine reg.example login alice password a1\nmachine reg.example login bob password b2\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        List<String> warnings = new ArrayList<>();
        CredentialStore s = load(warnings);
        assertEquals("alice", s.find("reg.example:5000", "").orElseThrow().login());
        assertEquals("b2", s.find("reg.example", "bob").orElseThrow().secret());
        assertTrue(s.find("other.example", "").isEmpty());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void aCredentialsFileReadableByOthersIsWarnedAbout() throws IOException {
        Path f = home.resolve(".config/enroot/.credentials");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "machine h login u password SECRET\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> warnings = new ArrayList<>();
        load(warnings);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("readable by other users"));
        assertFalse(warnings.get(0).contains("SECRET"));
    }

    @Test
    void dockerConfigAuthsAreRead() throws IOException {
        Path f = home.resolve(".docker/config.json");
        Files.createDirectories(f.getParent());
        String auth = Base64.getEncoder().encodeToString("carol:c3".getBytes());
        Files.writeString(f, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"},"
                + "\"127.0.0.1:5000\":{\"auth\":\"" + auth + "\"}}}");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        CredentialStore s = load(new ArrayList<>());
        assertEquals("carol", s.find("registry-1.docker.io", "").orElseThrow().login());
        assertEquals("c3", s.find("127.0.0.1:5000", "").orElseThrow().secret());
    }
}
