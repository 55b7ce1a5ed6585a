package io.slipway.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image configuration beside each squashfs and the store's index.json keep the format that
 * Slipway wrote with jackson's data binding, so existing stores stay readable.
 */
class StoreFilesFormatTest {

    @TempDir
    Path dir;

    @Test
    void aSidecarInTheEarlierFormatReadsBackAndIsWrittenTheSameWay() throws Exception {
        Path image = dir.resolve("img.sqsh");
        String earlier = """
                {
                  "env" : [ "PATH=/usr/bin", "LANG=C.UTF-8" ],
                  "entrypoint" : [ "/init" ],
                  "cmd" : [ ],
                  "workingDir" : "/work",
                  "user" : null,
                  "labels" : {
                    "org.example" : "yes"
                  },
                  "unknownLater" : 1
                }""";
        Files.writeString(ImageConfig.sidecarOf(image), earlier);

        ImageConfig read = ImageConfig.readBeside(image).orElseThrow();

        assertThat(read).isEqualTo(new ImageConfig(List.of("PATH=/usr/bin", "LANG=C.UTF-8"), List.of("/init"), List.of(),
                "/work", null, Map.of("org.example", "yes")));
        read.writeBeside(image);
        assertThat(Files.readString(ImageConfig.sidecarOf(image))).isEqualTo(earlier.replace(",\n  \"unknownLater\" : 1", ""));
    }

    @Test
    void anIndexInTheEarlierFormatReadsBack() throws Exception {
        ImageStore store = new ImageStore(dir, "x86");
        Files.createDirectories(dir.resolve("x86"));
        Files.writeString(dir.resolve("x86/index.json"), """
                {
                  "version" : 1,
                  "images" : [ {
                    "reference" : "docker.io/library/debian:12",
                    "digest" : "sha256:aa",
                    "file" : "sha256-aa.sqsh",
                    "size" : 1234,
                    "created" : "2026-01-01T00:00:00Z",
                    "lastUsed" : "2026-01-02T00:00:00Z",
                    "layers" : [ "sha256:l1" ]
                  } ]
                }""");

        List<ImageStore.Entry> entries = store.entries();

        assertThat(entries).containsExactly(new ImageStore.Entry("docker.io/library/debian:12", "sha256:aa",
                "sha256-aa.sqsh", 1234, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", List.of("sha256:l1")));
    }
}
