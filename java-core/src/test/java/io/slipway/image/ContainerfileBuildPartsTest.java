package io.slipway.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.image.registry.Credential;
import io.slipway.image.registry.CredentialStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of a Containerfile build: command lines, registries.conf, auth file, subordinate ids. */
class ContainerfileBuildPartsTest {

    @TempDir
    Path tmp;

    @Test
    void buildahBuildsRootlessIntoTheLayoutWithItsOwnStorage() {
        var c = new BuilderCommands("buildah", Path.of("/t/b/storage"),
                BuilderCommands.runRootFor("buildah", Path.of("/t/b/storage"), 1000, "k"));
        assertThat(c.build(Path.of("/r/Containerfile"), Path.of("/t/b/layout"), Optional.empty(), Optional.empty()))
                .containsExactly("buildah", "--root", "/t/b/storage/root", "--runroot", "/t/b/storage/run",
                        "--storage-driver", "vfs", "build", "--isolation=chroot", "--file", "/r/Containerfile",
                        "--tag", "oci:/t/b/layout", "/r");
        assertThat(c.export(Path.of("/t/b/layout"))).isEmpty();
        assertThat(c.removeInNamespace(Path.of("/t/b"))).containsExactly("buildah", "unshare", "rm", "-rf", "--", "/t/b");
    }

    @Test
    void podmanTagsInItsStorageThenPushesIntoTheLayout() {
        Path runRoot = BuilderCommands.runRootFor("/usr/bin/podman", Path.of("/s"), 1000, "0a1b2c3d4e5f");
        var c = new BuilderCommands("/usr/bin/podman", Path.of("/s"), runRoot);
        // podman refuses a longer run root.
        assertThat(runRoot.toString()).isEqualTo("/tmp/slipway-run-1000-0a1b2c3d4e5f").hasSizeLessThanOrEqualTo(50);
        List<String> build = c.build(Path.of("/r/Cf"), Path.of("/l"), Optional.of(Path.of("/a.json")),
                Optional.of(Path.of("/certs")));
        assertThat(build).containsSubsequence("build", "--authfile", "/a.json", "--cert-dir", "/certs", "--tag",
                BuilderCommands.PODMAN_TAG, "/r");
        assertThat(c.export(Path.of("/l"))).hasValueSatisfying(e -> assertThat(e).endsWith(
                "push", "--quiet", BuilderCommands.PODMAN_TAG, "oci:/l"));
        // Its state stays in the run root, and removing the build uses a scratch storage, not the one removed.
        assertThat(build).containsSubsequence("--runroot", runRoot.toString(), "--tmpdir", runRoot + "/tmp", "build");
        assertThat(c.podmanRuntimeDir()).isEqualTo(runRoot.resolve("xdg"));
        assertThat(c.removeInNamespace(Path.of("/w"))).containsSubsequence("/usr/bin/podman", "--root",
                runRoot + "/unshare-storage", "unshare", "rm", "-rf", "--", "/w");
    }

    @Test
    void registriesConfListsTheInsecureRegistries() {
        assertThat(BuildRegistries.conf(List.of("127.0.0.1:5000", "reg.example"))).isEqualTo("""
                unqualified-search-registries = ["docker.io"]

                [[registry]]
                location = "127.0.0.1:5000"
                insecure = true

                [[registry]]
                location = "reg.example"
                insecure = true
                """);
    }

    @Test
    void baseRegistriesComeFromFromLines() {
        String file = """
                ARG BASE=x
                FROM --platform=linux/amd64 127.0.0.1:5000/test/busybox:1 AS build
                RUN echo from the line FROM nowhere
                from ubuntu:22.04
                FROM build
                FROM $BASE
                FROM scratch
                FROM \\
                  nvcr.io/nvidia/pytorch:24.01-py3
                FROM localhost/mine
                """;
        assertThat(BaseImages.registries(file)).containsExactly("127.0.0.1:5000", "docker.io", "nvcr.io", "localhost");
    }

    @Test
    void authFileHoldsTheCredentialsOfTheBaseRegistriesOnly() {
        CredentialStore store = CredentialStore.of(Map.of(
                "127.0.0.1:5000", new Credential("alice", "pw", "netrc"),
                "registry-1.docker.io", new Credential("bob", "hub", "config.json"),
                "other.example", new Credential("carol", "x", "netrc")));
        assertThat(BuildAuth.authJson(List.of("127.0.0.1:5000", "docker.io", "nvcr.io"), store)).hasValue(
                "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"YWxpY2U6cHc=\"},\"docker.io\":{\"auth\":\"Ym9iOmh1Yg==\"}}}");
        assertThat(BuildAuth.authJson(List.of("nvcr.io"), store)).isEmpty();
    }

    @Test
    void subordinateIdsAreFoundByNameOrUid() throws IOException {
        Files.writeString(tmp.resolve("subuid"), "alice:100000:65536\n1001:200000:65536\nzero:300000:0\n");
        Files.writeString(tmp.resolve("subgid"), "alice:100000:65536\n1001:200000:65536\nzero:300000:0\n");
        assertThat(SubordinateIds.present(tmp, "alice", 1000)).isTrue();
        assertThat(SubordinateIds.present(tmp, "bob", 1001)).isTrue();
        assertThat(SubordinateIds.present(tmp, "zero", 1002)).isFalse();
        assertThat(SubordinateIds.present(tmp, "carol", 1003)).isFalse();
        Files.writeString(tmp.resolve("subgid"), "");
        assertThat(SubordinateIds.present(tmp, "alice", 1000)).isFalse();
    }
}
