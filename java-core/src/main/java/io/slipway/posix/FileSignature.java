package io.slipway.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which version of a file is there, told without reading it: {@code dev:ino:mode:size:mtime_ns:ctime_ns}
 * (mode in octal, links followed), or {@value #ABSENT} when there is no file. An edit, a
 * replacement by rename, a chmod or a new file all change it; spank-c/check_cache.c computes the
 * same text. Take it before reading the file, so that an edit in between shows as a change later.
 *
 * @param text the signature as above
 * @param lastChangeMillis the later of mtime and ctime, 0 when absent
 */
public record FileSignature(String text, long lastChangeMillis) {

    public static final String ABSENT = "-";

    public static FileSignature of(Path file) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(file, "unix:dev,ino,mode,size,lastModifiedTime,ctime");
        } catch (IOException | UnsupportedOperationException e) {
            return new FileSignature(ABSENT, 0);
        }
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        FileTime ctime = (FileTime) a.get("ctime");
        String text = a.get("dev") + ":" + a.get("ino") + ":" + Integer.toOctalString((Integer) a.get("mode")) + ":"
                + a.get("size") + ":" + mtime.to(TimeUnit.NANOSECONDS) + ":" + ctime.to(TimeUnit.NANOSECONDS);
        return new FileSignature(text, Math.max(mtime.toMillis(), ctime.toMillis()));
    }

    public boolean absent() {
        return text.equals(ABSENT);
    }

    /**
     * Whether the file changed within {@code window} before now. As in git's index, such a file
     * could change again within the same timestamp tick without its signature changing, so what
     * was read from it must not be kept under this signature.
     */
    public boolean racy(Duration window) {
        return !absent() && lastChangeMillis > System.currentTimeMillis() - window.toMillis();
    }
}
