package io.slipway.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhenMatchingTest {

    private static OciHook hook(String when) {
        return OciHooks.parse(Path.of("/h/10-x.json"), "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/true\"},"
                + "\"when\":" + when + ",\"stages\":[\"createContainer\"]}");
    }

    private static final When.Facts FACTS = new When.Facts(Map.of("com.hooks.mpi.enabled", "true"), "/usr/bin/app", true);

    @Test
    void alwaysTrueMatchesAndAlwaysFalseDisables() {
        assertTrue(hook("{\"always\":true}").when().matches(FACTS));
        assertFalse(hook("{\"always\":false}").when().matches(FACTS));
    }

    @Test
    void annotationsMatchKeyAndValueInFull() {
        assertTrue(hook("{\"annotations\":{\"^com\\\\.hooks\\\\.mpi\\\\.enabled$\":\"^true$\"}}").when().matches(FACTS));
        assertFalse(hook("{\"annotations\":{\"com.hooks.mpi\":\"true\"}}").when().matches(FACTS));
        assertFalse(hook("{\"annotations\":{\"com.hooks.mpi.enabled\":\"tru\"}}").when().matches(FACTS));
    }

    @Test
    void commandsMatchArgv0InFullAndAnyOfThemIsEnough() {
        assertTrue(hook("{\"commands\":[\"nope\", \".*/app\"]}").when().matches(FACTS));
        assertFalse(hook("{\"commands\":[\"app\"]}").when().matches(FACTS));
        assertFalse(hook("{\"commands\":[]}").when().matches(FACTS));
    }

    @Test
    void hasBindMountsComparesWithTheContainer() {
        assertTrue(hook("{\"hasBindMounts\":true}").when().matches(FACTS));
        assertFalse(hook("{\"hasBindMounts\":false}").when().matches(FACTS));
    }

    @Test
    void allConditionsAreAnded() {
        assertFalse(hook("{\"always\":true,\"commands\":[\"other\"]}").when().matches(FACTS));
    }

    @Test
    void badFilesAreErrorsNamingTheFile() {
        var e = assertThrows(SlipwayException.class, () -> OciHooks.parse(Path.of("/h/bad.json"),
                "{\"version\":\"2.0.0\",\"hook\":{\"path\":\"/x\"},\"when\":{\"always\":true},\"stages\":[]}"));
        assertTrue(e.getMessage().contains("/h/bad.json"));
        assertThrows(SlipwayException.class, () -> hook("{\"sometimes\":true}"));
        assertThrows(SlipwayException.class, () -> OciHooks.parse(Path.of("/h/x.json"),
                "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/x\"},\"when\":{\"always\":true},\"stages\":[],\"extra\":1}"));
    }

    @Test
    void filesAreReadInLexicographicOrder(@TempDir Path dir) throws Exception {
        for (String name : List.of("10-b.json", "050-x.json", "9-a.json", "ignored.txt")) {
            Files.writeString(dir.resolve(name), "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/true\"},"
                    + "\"when\":{\"always\":true},\"stages\":[\"poststop\"]}");
        }
        assertEquals(List.of("050-x", "10-b", "9-a"), OciHooks.load(List.of(dir)).stream().map(OciHook::name).toList());
    }
}
