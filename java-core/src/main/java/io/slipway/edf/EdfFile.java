package io.slipway.edf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One EDF file as written: values unexpanded and located. A field the file does not set is null
 * (scalars) or empty (collections); a file need not be complete on its own (paper listing 6).
 */
record EdfFile(
        Path path,
        List<Located> bases,
        Located image,
        Located containerfile,
        Located workdir,
        Boolean entrypoint,
        Boolean writable,
        List<Located> mounts,
        List<Located> devices,
        Map<String, Located> env,
        Map<String, Located> annotations) {

    /** Every value that is expanded, in no particular order. */
    List<Located> expandable() {
        List<Located> all = new ArrayList<>(bases);
        for (Located single : new Located[] {image, containerfile, workdir}) {
            if (single != null) {
                all.add(single);
            }
        }
        all.addAll(mounts);
        all.addAll(devices);
        all.addAll(env.values());
        all.addAll(annotations.values());
        return all;
    }
}
