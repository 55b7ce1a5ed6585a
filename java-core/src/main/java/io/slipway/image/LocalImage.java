package io.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.posix.FileTrees;
import io.slipway.posix.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image on the local file system: an OCI layout directory, or a tarball of one
 * ({@code oci-archive}) or of {@code docker save} ({@code docker-archive}); tarballs are unpacked
 * to a temporary directory (they hold compressed layers, so that is a copy, not an extraction).
 *
 * @param id the identity in the store: the manifest digest (docker-archive: the config digest)
 */
record LocalImage(String name, String id, ImageConfig config, List<Path> bottomFirst, Path temporary)
        implements AutoCloseable {


    List<LayerMerger.Layer> layersTopFirst() {
        List<LayerMerger.Layer> out = new ArrayList<>();
        for (int i = bottomFirst.size() - 1; i >= 0; i--) {
            Path p = bottomFirst.get(i);
            out.add(LayerMerger.Layer.of(p));
        }
        return out;
    }

    @Override
    public void close() {
        if (temporary != null) {
            FileTrees.deleteQuietly(temporary);
        }
    }

    static LocalImage ociDirectory(Path dir, String tag, Platform platform) {
        return fromLayout(dir, tag, platform, "oci:" + dir + (tag.isEmpty() ? "" : ":" + tag), null);
    }

    static LocalImage ociArchive(Path file, String tag, Platform platform) {
        Path tmp = unpack(file);
        try {
            return fromLayout(tmp, tag, platform, "oci-archive:" + file + (tag.isEmpty() ? "" : ":" + tag), tmp);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
        }
    }

    static LocalImage dockerArchive(Path file, String tag) {
        Path tmp = unpack(file);
        String name = "docker-archive:" + file + (tag.isEmpty() ? "" : ":" + tag);
        try {
            JsonNode manifests = Json.read(tmp.resolve("manifest.json"));
            JsonNode chosen = null;
            for (JsonNode m : manifests) {
                if (tag.isEmpty()) {
                    chosen = m;
                    break;
                }
                for (JsonNode t : m.path("RepoTags")) {
                    String s = t.asText();
                    if (s.equals(tag) || s.endsWith(":" + tag) || s.endsWith("/" + tag)) {
                        chosen = m;
                    }
                }
            }
            if (chosen == null) {
                throw new SlipwayException(name + ": no image tagged '" + tag + "' in the archive");
            }
            byte[] configBytes = Files.readAllBytes(inside(tmp, chosen.path("Config").asText(), name));
            List<Path> layers = new ArrayList<>();
            for (JsonNode l : chosen.path("Layers")) {
                layers.add(inside(tmp, l.asText(), name));
            }
            String id = Sha256.ociDigestOf(configBytes);
            return new LocalImage(name, id, ImageConfig.fromOciConfig(configBytes, name), layers, tmp);
        } catch (IOException e) {
            FileTrees.deleteQuietly(tmp);
            throw new SlipwayException(name + ": not a docker-archive (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
        }
    }

    private static LocalImage fromLayout(Path dir, String tag, Platform platform, String name, Path temporary) {
        try {
            JsonNode index = Json.read(dir.resolve("index.json"));
            List<Descriptor> candidates = new ArrayList<>();
            for (JsonNode m : index.path("manifests")) {
                String ref = m.path("annotations").path("org.opencontainers.image.ref.name").asText("");
                if (tag.isEmpty() || ref.equals(tag)) {
                    candidates.add(Descriptor.of(m, name));
                }
            }
            if (candidates.isEmpty()) {
                throw new SlipwayException(name + ": no image " + (tag.isEmpty() ? "" : "tagged '" + tag + "' ")
                        + "in the layout");
            }
            Descriptor d = candidates.size() == 1 ? candidates.get(0)
                    : platform.select(candidates, Descriptor::platform, name);
            ManifestDocument doc = ManifestDocument.parse(Files.readAllBytes(blob(dir, d.digest(), name)), d.mediaType(), name);
            if (doc.isIndex()) {
                Descriptor inner = platform.select(doc.manifests(), Descriptor::platform, name);
                d = inner;
                doc = ManifestDocument.parse(Files.readAllBytes(blob(dir, inner.digest(), name)), inner.mediaType(), name);
            }
            ImageConfig config = ImageConfig.fromOciConfig(Files.readAllBytes(blob(dir, doc.config().digest(), name)), name);
            List<Path> layers = new ArrayList<>();
            for (Descriptor l : doc.layers()) {
                layers.add(blob(dir, l.digest(), name));
            }
            return new LocalImage(name, d.digest(), config, layers, temporary);
        } catch (IOException e) {
            throw new SlipwayException(name + ": not an OCI image layout (" + e.getMessage() + ")", e);
        }
    }

    private static Path blob(Path dir, String digest, String name) {
        Path p = dir.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
        if (!Files.isRegularFile(p)) {
            throw new SlipwayException(name + ": blob " + digest + " is missing");
        }
        return p;
    }

    private static Path inside(Path root, String rel, String name) {
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root) || !Files.isRegularFile(p)) {
            throw new SlipwayException(name + ": the archive names a missing or outside file '" + rel + "'");
        }
        return p;
    }

    /** Copies the regular files of a tarball into a temporary directory, refusing escaping names. */
    private static Path unpack(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SlipwayException("archive " + file + " does not exist");
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory(file.toAbsolutePath().getParent(), ".slipway-unpack-");
        } catch (IOException e) {
            try {
                tmp = Files.createTempDirectory("slipway-unpack-");
            } catch (IOException e2) {
                throw new SlipwayException("cannot create a temporary directory: " + e2.getMessage(), e2);
            }
        }
        try (InputStream raw = Files.newInputStream(file);
             TarArchiveInputStream in = new TarArchiveInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String rel = LayerMerger.normalize(e.getName());
                if (rel == null || rel.isEmpty() || !e.isFile()) {
                    continue;
                }
                Path target = tmp.resolve(rel);
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
            }
            return tmp;
        } catch (IOException e) {
            FileTrees.deleteQuietly(tmp);
            throw new SlipwayException("cannot read archive " + file + ": " + e.getMessage(), e);
        }
    }
}
