package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountsAndDevicesTest extends EdfTestBase {

    /** A one-file EDF whose {@code key} is the array of {@code items}. */
    private String edfWith(String key, String... items) {
        return "image = \"x\"\n" + key + " = [\"" + String.join("\", \"", items) + "\"]\n";
    }

    private List<Mount> mounts(String... specs) {
        return f.text(edfWith("mounts", specs)).mounts();
    }

    private String mountError(String spec) {
        return f.textFails(edfWith("mounts", spec)).getMessage();
    }

    @Test
    void flagsAreJoinedByPlusAndKeptInOrderWithoutRepeats() {
        assertThat(mounts("/a:/b:ro+private+ro").get(0).flags()).containsExactly("ro", "private");
    }

    @Test
    void everyDocumentedFlagIsAccepted() {
        for (String flag : List.of("ro", "rw", "private", "rprivate", "slave", "rslave", "shared", "rshared",
                "bind", "rbind", "nosuid", "nodev", "noexec")) {
            assertThat(mounts("/a:/b:" + flag).get(0).flags()).containsExactly(flag);
        }
    }

    @Test
    void anUnknownFlagIsRejectedWithTheAllowedList() {
        assertThat(mountError("/a:/b:ro+z")).contains(":2:11: mounts[1]: unknown mount flag 'z'; allowed flags,"
                + " joined by '+': ro, rw, private, rprivate, slave, rslave, shared, rshared, bind, rbind, nosuid,"
                + " nodev, noexec");
        assertThat(mountError("/a:/b:ro,private")).contains("(use '+', not ',')");
    }

    @Test
    void contradictoryFlagsAreRejected() {
        assertThat(mountError("/a:/b:ro+rw")).contains("mount flags ro and rw contradict each other");
        assertThat(mountError("/a:/b:private+rshared")).contains("private and rshared contradict");
        assertThat(mountError("/a:/b:bind+rbind")).contains("bind and rbind contradict");
    }

    @Test
    void emptyFlagsAreAnError() {
        assertThat(mountError("/a:/b:")).contains("empty mount flags");
    }

    @Test
    void aMountNeedsTwoOrThreeFields() {
        assertThat(mountError("/a")).contains("'/a' is not SOURCE:DESTINATION[:FLAGS] (found 1 field separated by ':')");
        assertThat(mountError("/a:/b:ro:x")).contains("(found 4 fields");
    }

    @Test
    void relativeSourcesStartFromTheWorkingDirectoryAndComeOutAbsolute() {
        f.cwd = tmp.resolve("project");
        assertThat(mounts("./data:/data", "../shared:/shared", ".:/here")).extracting(Mount::source)
                .containsExactly(tmp.resolve("project/data").toString(), tmp.resolve("shared").toString(),
                        tmp.resolve("project").toString());
    }

    @Test
    void aSourceMustBeAPath() {
        assertThat(mountError("data:/data")).contains("mount source 'data' must be an absolute path or a relative"
                + " path starting with ./ or ../");
        assertThat(mountError(":/data")).contains("mount source ''");
    }

    @Test
    void theDestinationMustBeAbsoluteAndIsNormalised() {
        assertThat(mountError("/a:data")).contains("mount destination 'data' must be an absolute path inside the container");
        assertThat(mounts("/a:/x/../data/").get(0).destination()).isEqualTo("/data");
    }

    @Test
    void laterMountsInTheSameFileReplaceEarlierOnesToTheSameDestination() {
        assertThat(mounts("/a:/d", "/b:/e", "/c:/d")).extracting(Mount::toEdfString).containsExactly("/c:/d", "/b:/e");
    }

    private List<String> devices(String... specs) {
        return f.text(edfWith("devices", specs)).devices();
    }

    private String deviceError(String spec) {
        return f.textFails(edfWith("devices", spec)).getMessage();
    }

    @Test
    void devicesAreHostOptionallyContainerAndPermissions() {
        assertThat(devices("/dev/fuse", "/dev/nvidia0:/dev/gpu0", "/dev/kvm:rw", "/dev/sda:/dev/xvda:rwm"))
                .containsExactly("/dev/fuse", "/dev/nvidia0:/dev/gpu0", "/dev/kvm:rw", "/dev/sda:/dev/xvda:rwm");
    }

    @Test
    void badDevicesAreRejected() {
        assertThat(deviceError("fuse")).contains("devices[1]: device 'fuse' must be an absolute host path");
        assertThat(deviceError("/dev/a:gpu:rw")).contains("device destination 'gpu' must be an absolute path");
        assertThat(deviceError("/dev/a:rx")).contains("device permissions 'rx' must be a non-empty combination");
        assertThat(deviceError("/dev/a:rr")).contains("device permissions 'rr'");
        assertThat(deviceError("/dev/a:/b:rw:x")).contains("is not HOST[:CONTAINER][:PERMISSIONS]");
    }

    @Test
    void identicalDevicesAppearOnce() {
        assertThat(devices("/dev/fuse", "/dev/fuse")).containsExactly("/dev/fuse");
    }
}
