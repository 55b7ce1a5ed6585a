package io.slipway.edf;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Gives each test a fresh {@link EdfFixture} in its own temporary directory. */
abstract class EdfTestBase {
    @TempDir
    Path tmp;
    EdfFixture f;

    @BeforeEach
    void newFixture() {
        f = new EdfFixture(tmp);
    }
}
