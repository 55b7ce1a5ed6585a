package io.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    private static final String D = "sha256:" + "a".repeat(64);

    @Test
    void bareNameIsDockerHubLibraryLatest() {
        ImageReference r = ImageReference.parse("ubuntu");
        assertEquals(ImageReference.DOCKER_HUB, r.registry());
        assertEquals("library/ubuntu", r.repository());
        assertEquals("latest", r.tag());
        assertEquals("", r.digest());
    }

    @Test
    void namespaceWithoutDotIsStillDockerHub() {
        ImageReference r = ImageReference.parse("nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04");
        assertEquals(ImageReference.DOCKER_HUB, r.registry());
        assertEquals("nvidia/cuda", r.repository());
        assertEquals("11.8.0-cudnn8-devel-ubuntu22.04", r.tag());
    }

    @Test
    void enrootHashSeparatesTheRegistry() {
        ImageReference r = ImageReference.parse("nvcr.io#nvidia/nvhpc:23.7-runtime-cuda11.8-ubuntu22.04");
        assertEquals("nvcr.io", r.registry());
        assertEquals("nvidia/nvhpc", r.repository());
        assertEquals("23.7-runtime-cuda11.8-ubuntu22.04", r.tag());
    }

    @Test
    void dockerFormFirstComponentWithDotColonOrLocalhostIsARegistry() {
        assertEquals("registry.example:5000", ImageReference.parse("registry.example:5000/repo:tag").registry());
        assertEquals("quay.io", ImageReference.parse("quay.io/org/img").registry());
        assertEquals("localhost", ImageReference.parse("localhost/img").registry());
        assertEquals("127.0.0.1:5000", ImageReference.parse("127.0.0.1:5000/library/tiny:1.0").registry());
    }

    @Test
    void dockerHubAliasesAreCanonical() {
        assertEquals(ImageReference.DOCKER_HUB, ImageReference.parse("docker.io/library/alpine").registry());
        assertEquals(ImageReference.DOCKER_HUB, ImageReference.parse("index.docker.io#alpine").registry());
        assertEquals("library/alpine", ImageReference.parse("docker.io#alpine").repository());
    }

    @Test
    void digestPinsAndKeepsTheTag() {
        ImageReference r = ImageReference.parse("ubuntu:22.04@" + D);
        assertEquals("22.04", r.tag());
        assertEquals(D, r.digest());
        assertEquals(D, r.manifestReference());
        assertEquals(D, ImageReference.parse("ubuntu@" + D).manifestReference());
    }

    @Test
    void userBeforeAtSelectsTheLogin() {
        ImageReference r = ImageReference.parse("alice@registry.example#team/app:1");
        assertEquals("alice", r.user());
        assertEquals("registry.example", r.registry());
        ImageReference email = ImageReference.parse("a@b.org@registry.example#team/app@" + D);
        assertEquals("a@b.org", email.user());
        assertEquals(D, email.digest());
        assertEquals("alice", ImageReference.parse("alice@ubuntu:latest").user());
    }

    @Test
    void dockerSchemePrefixIsAccepted() {
        assertEquals("library/ubuntu", ImageReference.parse("docker://ubuntu").repository());
    }

    @Test
    void invalidReferencesAreRefusedWithTheReason() {
        assertTrue(assertThrows(SlipwayException.class, () -> ImageReference.parse("Ubuntu")).getMessage()
                .contains("lower-case"));
        assertThrows(SlipwayException.class, () -> ImageReference.parse("ubuntu@sha256:abc"));
        assertThrows(SlipwayException.class, () -> ImageReference.parse(""));
        assertThrows(SlipwayException.class, () -> ImageReference.parse("#ubuntu"));
        assertThrows(SlipwayException.class, () -> ImageReference.parse("ubuntu:bad/tag!"));
    }

    @Test
    void enrootFileNameJoinsWithPlus() {
        assertEquals("nvidia+cuda+11.8.0.sqsh", ImageReference.parse("nvidia/cuda:11.8.0").enrootFileName());
        assertEquals("ubuntu+latest.sqsh", ImageReference.parse("ubuntu").enrootFileName());
        assertEquals("nvcr.io+nvidia+nvhpc+23.7.sqsh", ImageReference.parse("nvcr.io#nvidia/nvhpc:23.7").enrootFileName());
    }

    @Test
    void pathsAndArchivesAreNotRegistryReferences() {
        Path cwd = Path.of("/home/u");
        assertEquals(Path.of("/home/u/img.sqsh"),
                assertInstanceOf(ImageSource.SquashfsFile.class, ImageSource.parse("./img.sqsh", cwd)).file());
        assertEquals(Path.of("/x/y.sqsh"),
                assertInstanceOf(ImageSource.SquashfsFile.class, ImageSource.parse("/x/y.sqsh", cwd)).file());
        assertEquals("v1", assertInstanceOf(ImageSource.OciDirectory.class, ImageSource.parse("oci:lay:v1", cwd)).tag());
        assertEquals(Path.of("/home/u/a.tar"),
                assertInstanceOf(ImageSource.DockerArchive.class, ImageSource.parse("docker-archive:a.tar", cwd)).file());
        assertInstanceOf(ImageSource.OciArchive.class, ImageSource.parse("oci-archive:/t/a.tar", cwd));
        // skopeo's split: the path ends at the first colon; the reference keeps its own colons.
        var archive = assertInstanceOf(ImageSource.DockerArchive.class,
                ImageSource.parse("docker-archive:/t/a.tar:reg:5000/team/app:1", cwd));
        assertEquals(java.nio.file.Path.of("/t/a.tar"), archive.file());
        assertEquals("reg:5000/team/app:1", archive.tag());
        assertInstanceOf(ImageSource.Registry.class, ImageSource.parse("ubuntu:22.04", cwd));
    }
}
