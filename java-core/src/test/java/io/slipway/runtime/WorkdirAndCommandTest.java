package io.slipway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.slipway.SlipwayException;
import io.slipway.image.ImageConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkdirAndCommandTest {

    private static ImageConfig image(List<String> entrypoint, List<String> cmd) {
        return new ImageConfig(List.of(), entrypoint, cmd, null, null, Map.of());
    }

    @Test
    void edfWorkdirWinsOverImageWorkingDir() {
        assertEquals("/edf", ContainerPlanner.workdir("/edf", "/image"));
    }

    @Test
    void imageWorkingDirIsUsedWhenTheEdfHasNone() {
        assertEquals("/image", ContainerPlanner.workdir(null, "/image"));
    }

    @Test
    void theRootIsTheLastResort() {
        assertEquals("/", ContainerPlanner.workdir(null, null));
    }

    @Test
    void entrypointOnPrependsTheImageEntrypointToTheCommand() {
        assertEquals(List.of("/ep", "x"), ContainerPlanner.argv(true, image(List.of("/ep"), List.of("c")), List.of("x")));
    }

    @Test
    void entrypointOnWithoutCommandUsesTheImageCmd() {
        assertEquals(List.of("/ep", "c"), ContainerPlanner.argv(true, image(List.of("/ep"), List.of("c")), List.of()));
    }

    @Test
    void entrypointOffRunsTheCommandDirectly() {
        assertEquals(List.of("x"), ContainerPlanner.argv(false, image(List.of("/ep"), List.of("c")), List.of("x")));
    }

    @Test
    void noCommandAtAllIsAnError() {
        assertThrows(SlipwayException.class, () -> ContainerPlanner.argv(false, image(List.of(), List.of()), List.of()));
    }

    @Test
    void mountOptionsAreParsedWithPlusOrComma() {
        var m = ContainerRequest.parseMount("rel:/dst:ro+nosuid", java.nio.file.Path.of("/base"));
        assertEquals("/base/rel", m.source());
        assertEquals(List.of("ro", "nosuid"), m.flags());
        assertThrows(SlipwayException.class, () -> ContainerRequest.parseMount("a:/b:bogus", java.nio.file.Path.of("/")));
    }
}
