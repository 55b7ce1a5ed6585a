package io.slipway.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.config.ImageSettings;
import io.slipway.config.SlipwayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which image store a user gets: EDF_IMAGESTORE, then SCRATCH, then the site's image_store. */
class StoreChoiceTest {

    @TempDir
    Path tmp;

    private Optional<ImageStore> store(Map<String, String> env, Optional<String> site, List<String> infos) {
        ImageSettings image = new ImageSettings(6, 5, Optional.empty(), "zstd:3", "buildah", site);
        SlipwayConfig config = new SlipwayConfig(Optional.empty(), List.of(), List.of(), List.of(), Optional.empty(),
                Optional.empty(), List.of(), image);
        ImportListener listener = new ImportListener() {
            @Override
            public void info(String message) {
                infos.add(message);
            }
        };
        return new ImageService(new ImageService.Context(env, tmp, config, Platform.parse("linux/amd64"), listener))
                .store();
    }

    @Test
    void theSiteStoreServesUsersWithoutTheirOwnAndNamesThem() {
        List<String> infos = new ArrayList<>();
        Optional<ImageStore> s = store(Map.of("USER", "alice", "HOME", tmp.toString()),
                Optional.of(tmp + "/site/${USER}/x"), infos);
        assertThat(s).isPresent();
        assertThat(s.get().directory()).startsWith(tmp.resolve("site/alice/x"));
        assertThat(Files.isDirectory(s.get().directory())).isTrue();
        assertThat(infos).isEmpty();
    }

    @Test
    void scratchAndEdfImagestoreWinOverTheSiteStore() throws Exception {
        Files.createDirectories(tmp.resolve("mine"));
        assertThat(store(Map.of("USER", "a", "EDF_IMAGESTORE", tmp.resolve("mine").toString()),
                Optional.of(tmp + "/site"), new ArrayList<>()).get().directory()).startsWith(tmp.resolve("mine"));
        assertThat(store(Map.of("USER", "a", "SCRATCH", tmp.resolve("scratch").toString()),
                Optional.of(tmp + "/site"), new ArrayList<>()).get().directory())
                .startsWith(tmp.resolve("scratch/.edf_imagestore"));
    }

    @Test
    void withNoStoreAtAllImportsAreCacheFreeAndSaySo() {
        List<String> infos = new ArrayList<>();
        assertThat(store(Map.of("USER", "a"), Optional.empty(), infos)).isEmpty();
        assertThat(infos).singleElement().asString().contains("without an image cache");
    }
}
