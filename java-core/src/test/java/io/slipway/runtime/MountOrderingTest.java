package io.slipway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slipway.SlipwayException;
import io.slipway.edf.Mount;
import io.slipway.image.ImageConfig;
import io.slipway.image.ImportedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountOrderingTest {

    @TempDir
    Path tmp;

    private ContainerSpec plan(List<Mount> mounts, List<String> devices, List<String> site) {
        var settings = new RuntimeSettings(tmp, List.of(tmp.resolve("enroot")), false, null, true, site, List.of(),
                tmp);
        var request = new ContainerRequest("/img.sqsh", null, true, true, mounts, devices, Map.of(), Map.of(),
                List.of("true"));
        return ContainerPlanner.plan("id", request, new ImportedImage(tmp.resolve("img.sqsh"), ImageConfig.empty()),
                settings, new Identity(1000, 1000, "u", "g", "/home/u", "/bin/sh"), Map.of());
    }

    @Test
    void systemMountsComeFirstInTheirFixedOrder() {
        List<String> targets = ContainerPlanner.systemMounts().stream().map(FstabEntry::target).toList();
        assertEquals("/dev", targets.get(0));
        assertTrue(targets.indexOf("/dev/shm") > targets.indexOf("/dev"));
        assertTrue(targets.indexOf("/proc") < targets.indexOf("/sys"));
        assertTrue(targets.indexOf("/sys") < targets.indexOf("/tmp"));
    }

    @Test
    void sysIsReadOnlyAndTmpIsATmpfs() {
        var sys = ContainerPlanner.systemMounts().stream().filter(e -> e.target().equals("/sys")).findFirst().get();
        assertTrue(sys.options().contains("ro"));
        var t = ContainerPlanner.systemMounts().stream().filter(e -> e.target().equals("/tmp")).findFirst().get();
        assertEquals("tmpfs", t.type());
    }

    @Test
    void siteMountsFollowSystemMountsAndEdfMountsThenDevicesComeAfter() throws Exception {
        Path site = Files.createDirectory(tmp.resolve("site"));
        Path data = Files.createDirectory(tmp.resolve("data"));
        ContainerSpec spec = plan(List.of(new Mount(data.toString(), "/data", List.of("ro"))), List.of("/dev/null:/dev/mynull"),
                List.of(site + ":/site"));
        List<FstabEntry> system = spec.systemMounts();
        assertEquals("/site", system.get(ContainerPlanner.systemMounts().size()).target());
        assertEquals(List.of("/data", "/dev/mynull"), spec.userMounts().stream().map(FstabEntry::target).toList());
    }

    @Test
    void edfMountFlagsBecomeMountOptionsWithRbindByDefault() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        FstabEntry e = ContainerPlanner.bindOf(new Mount(data.toString(), "/d", List.of("ro", "nosuid", "rprivate")), "EDF mount");
        assertEquals(List.of("rbind", "ro", "nosuid", "rprivate", "x-create=dir"), e.options());
        FstabEntry b = ContainerPlanner.bindOf(new Mount(data.toString(), "/d", List.of("bind")), "EDF mount");
        assertEquals("bind", b.options().get(0));
    }

    @Test
    void aFileSourceCreatesAFileDestination() throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "x");
        assertTrue(ContainerPlanner.bindOf(new Mount(f.toString(), "/f", List.of()), "EDF mount").options()
                .contains("x-create=file"));
    }

    @Test
    void aMissingSourceIsAnErrorNamingTheMount() {
        var e = assertThrows(SlipwayException.class, () -> plan(
                List.of(new Mount("/no/such/dir", "/data", List.of())), List.of(), List.of()));
        assertTrue(e.getMessage().contains("/no/such/dir:/data"), e.getMessage());
    }

    @Test
    void fstabFieldsEscapeBlanksAndHashes() {
        assertEquals("/a\\040b /c\\043d none bind\n", FstabEntry.bind("/a b", "/c#d", List.of("bind")).toLine());
        assertEquals("/a b", FstabEntry.parse("/a\\040b /x none bind").get().source());
    }

    @Test
    void aLoneFstabSourceMeansAnRbindAtTheSamePath() {
        FstabEntry e = FstabEntry.parse("/scratch").get();
        assertEquals("/scratch", e.target());
        assertTrue(e.options().contains("rbind"));
    }

    @Test
    void mountPointParentsArePreparedForAnUnmappedUser() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        ContainerSpec spec = plan(List.of(new Mount(data.toString(), "/opt/x/data", List.of())), List.of(), List.of());
        assertTrue(spec.prepareDirs().contains("/opt/x"));
        assertTrue(spec.prepareDirs().contains("/etc"));
    }
}
