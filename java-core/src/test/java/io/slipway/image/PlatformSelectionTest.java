package io.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PlatformSelectionTest {

    private static final List<Platform> INDEX = List.of(
            new Platform("linux", "amd64", ""), new Platform("linux", "arm", "v7"),
            new Platform("linux", "arm64", "v8"), new Platform("unknown", "unknown", ""));

    @Test
    void nodeArchitecturesMapToOciNames() {
        assertEquals("amd64", Platform.ofMachine("x86_64").architecture());
        assertEquals("amd64", Platform.ofMachine("amd64").architecture());
        assertEquals("arm64", Platform.ofMachine("aarch64").architecture());
    }

    @Test
    void storeDirectoriesAreX86AndAarch64() {
        assertEquals("x86", Platform.ofMachine("amd64").storeDirectory());
        assertEquals("aarch64", Platform.ofMachine("aarch64").storeDirectory());
    }

    @Test
    void theNodesArchitectureIsPicked() {
        assertEquals(INDEX.get(0), Platform.ofMachine("x86_64").select(INDEX, Function.identity(), "img"));
        assertEquals(INDEX.get(2), Platform.ofMachine("aarch64").select(INDEX, Function.identity(), "img"));
    }

    @Test
    void aRequestedVariantMustMatchWhenTheIndexNamesOne() {
        assertEquals(INDEX.get(2), Platform.parse("linux/arm64/v8").select(INDEX, Function.identity(), "img"));
        assertThrows(SlipwayException.class, () -> Platform.parse("linux/arm64/v9").select(
                List.of(new Platform("linux", "arm64", "v8")), Function.identity(), "img"));
    }

    @Test
    void noMatchListsTheAvailablePlatforms() {
        var e = assertThrows(SlipwayException.class, () -> Platform.ofMachine("ppc64le").select(INDEX,
                Function.identity(), "127.0.0.1:5000#multi:1"));
        assertTrue(e.getMessage().contains("linux/amd64, linux/arm/v7, linux/arm64/v8"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:5000#multi:1"));
    }
}
