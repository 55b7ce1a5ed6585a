package io.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whiteouts, layer order and neutralisation of what the merged image may contain. */
class LayerMergerTest {

    @TempDir
    Path tmp;

    /** A tiny tar builder: "d:path", "f:path=content", "l:path>target" (symlink), "h:path>target", "c:path" (char dev). */
    private Path layer(String name, boolean gzip, String... entries) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream os = gzip ? new GZIPOutputStream(raw) : raw;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (String spec : entries) {
                String body = spec.substring(2);
                TarArchiveEntry e;
                byte[] data = null;
                switch (spec.charAt(0)) {
                    case 'd' -> e = new TarArchiveEntry(body.endsWith("/") ? body : body + "/");
                    case 'f' -> {
                        String[] kv = body.split("=", 2);
                        e = new TarArchiveEntry(kv[0]);
                        data = kv[1].getBytes(StandardCharsets.UTF_8);
                        e.setSize(data.length);
                    }
                    case 's' -> {
                        e = new TarArchiveEntry(body);
                        e.setMode(0104755);
                        data = new byte[0];
                    }
                    case 'l' -> {
                        String[] kv = body.split(">", 2);
                        e = new TarArchiveEntry(kv[0], TarConstants.LF_SYMLINK);
                        e.setLinkName(kv[1]);
                    }
                    case 'h' -> {
                        String[] kv = body.split(">", 2);
                        e = new TarArchiveEntry(kv[0], TarConstants.LF_LINK);
                        e.setLinkName(kv[1]);
                    }
                    case 'c' -> {
                        e = new TarArchiveEntry(body, TarConstants.LF_CHR);
                        e.setDevMajor(1);
                        e.setDevMinor(3);
                    }
                    default -> throw new IllegalArgumentException(spec);
                }
                if (spec.charAt(0) != 's') {
                    e.setUserId(1234);
                }
                tar.putArchiveEntry(e);
                if (data != null) {
                    tar.write(data);
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    private record Merged(Map<String, TarArchiveEntry> entries, Map<String, String> contents, LayerMerger.Report report) {}

    private Merged merge(Path... topFirst) throws IOException {
        List<LayerMerger.Layer> layers = new ArrayList<>();
        for (Path p : topFirst) {
            layers.add(LayerMerger.Layer.of(p));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerMerger.Report report = new LayerMerger().merge(layers, out);
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String n = e.getName().replaceFirst("/$", "");
                entries.put(n, e);
                if (e.isFile()) {
                    contents.put(n, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return new Merged(entries, contents, report);
    }

    @Test
    void theUpperLayersVersionOfAFileWins() throws IOException {
        Path lower = layer("lower", true, "d:etc", "f:etc/os=debian", "f:etc/keep=1");
        Path upper = layer("upper", false, "f:etc/os=custom");
        Merged m = merge(upper, lower);
        assertEquals("custom", m.contents().get("etc/os"));
        assertEquals("1", m.contents().get("etc/keep"));
    }

    @Test
    void aWhiteoutHidesTheLowerFileOrDirectoryWithItsContents() throws IOException {
        Path lower = layer("lower", true, "d:a", "f:a/x=1", "f:b=2", "f:c=3");
        Path upper = layer("upper", true, "f:.wh.a=", "f:.wh.b=");
        Merged m = merge(upper, lower);
        assertFalse(m.entries().containsKey("a"));
        assertFalse(m.entries().containsKey("a/x"));
        assertFalse(m.entries().containsKey("b"));
        assertTrue(m.entries().containsKey("c"));
        assertFalse(m.entries().keySet().stream().anyMatch(n -> n.contains(".wh.")));
    }

    @Test
    void anOpaqueDirectoryHidesOnlyLowerContents() throws IOException {
        Path lower = layer("lower", true, "d:d", "f:d/old=1");
        Path upper = layer("upper", true, "d:d", "f:d/.wh..wh..opq=", "f:d/new=2");
        Merged m = merge(upper, lower);
        assertTrue(m.entries().containsKey("d"));
        assertTrue(m.entries().containsKey("d/new"));
        assertFalse(m.entries().containsKey("d/old"));
    }

    @Test
    void aWhiteoutDoesNotHideItsOwnLayersEntry() throws IOException {
        Path lower = layer("lower", true, "d:a", "f:a/old=1");
        Path upper = layer("upper", true, "f:.wh.a=", "d:a", "f:a/new=2");
        Merged m = merge(upper, lower);
        assertTrue(m.entries().containsKey("a/new"));
        assertFalse(m.entries().containsKey("a/old"));
    }

    @Test
    void aFileReplacedByADirectoryAndBack() throws IOException {
        Path lower = layer("lower", true, "f:x=file", "d:y", "f:y/inside=1");
        Path upper = layer("upper", true, "d:x", "f:x/child=2", "f:y=now a file");
        Merged m = merge(upper, lower);
        assertTrue(m.entries().get("x").isDirectory());
        assertEquals("2", m.contents().get("x/child"));
        assertEquals("now a file", m.contents().get("y"));
        assertFalse(m.entries().containsKey("y/inside"));
    }

    @Test
    void pathsEscapingTheRootAreDroppedAndAbsolutePathsMadeRelative() throws IOException {
        Path l = layer("l", false, "f:../evil=1", "f:a/../../evil2=1", "f:/abs=ok", "f:./dot=ok");
        Merged m = merge(l);
        assertEquals(2, m.report().escaping());
        assertEquals("ok", m.contents().get("abs"));
        assertEquals("ok", m.contents().get("dot"));
        assertFalse(m.entries().keySet().stream().anyMatch(n -> n.contains("evil")));
    }

    @Test
    void deviceNodesAreDroppedAndSetuidBitsCleared() throws IOException {
        Path l = layer("l", false, "c:dev/null", "s:bin/su");
        Merged m = merge(l);
        assertFalse(m.entries().containsKey("dev/null"));
        assertEquals(1, m.report().devices());
        assertEquals(0755, m.entries().get("bin/su").getMode() & 07777);
        assertEquals(1, m.report().setid());
    }

    @Test
    void ownershipBecomesRootOfTheContainerThatIsTheUser() throws IOException {
        Merged m = merge(layer("l", false, "f:f=1"));
        assertEquals(0, m.entries().get("f").getLongUserId());
        assertEquals(0, m.entries().get("f").getLongGroupId());
    }

    @Test
    void hardLinksSymlinksAndLongNamesSurvive() throws IOException {
        String longName = "d/" + "n".repeat(200);
        Path l = layer("l", true, "d:d", "f:d/target=T", "h:d/link>d/target", "l:d/sym>../etc/passwd",
                "f:" + longName + "=long");
        Merged m = merge(l);
        assertTrue(m.entries().get("d/link").isLink());
        assertEquals("d/target", m.entries().get("d/link").getLinkName());
        assertEquals("../etc/passwd", m.entries().get("d/sym").getLinkName());
        assertEquals("long", m.contents().get(longName));
    }

    @Test
    void aHardLinkWhoseTargetAnUpperLayerReplacedKeepsItsOwnContent() throws IOException {
        Path lower = layer("lower", true, "f:t=lower", "h:l>t");
        Path upper = layer("upper", true, "f:t=upper");
        Merged m = merge(upper, lower);
        assertEquals("upper", m.contents().get("t"));
        assertEquals("lower", m.contents().get("l"));
    }

    @Test
    void zstdAndPlainLayersAreReadLikeGzip() throws IOException {
        Path plain = layer("plain", false, "f:p=1");
        Path zst = tmp.resolve("z");
        try (var out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(zst))) {
            Files.copy(layer("zsrc", false, "f:z=2"), out);
        }
        Merged m = merge(zst, plain);
        assertEquals("2", m.contents().get("z"));
        assertEquals("1", m.contents().get("p"));
    }
}
