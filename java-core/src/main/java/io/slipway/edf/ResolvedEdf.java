package io.slipway.edf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fully resolved environment: inheritance applied, variables expanded, relative host paths made
 * absolute. Immutable; serializes to JSON and back unchanged, since it travels from the submitting
 * host to the compute nodes.
 *
 * @param image registry reference, or absolute path of a squashfs file
 * @param containerfile absolute path of a recipe to build {@code image} from, or null
 * @param workdir absolute container path, or null for the image's working directory
 * @param env variables to set; a null value unsets the variable in the container
 * @param annotations flat dotted keys to string values
 * @param sources the EDF files applied, in order
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"image", "containerfile", "workdir", "entrypoint", "writable", "mounts", "devices",
    "env", "annotations", "sources"})
public record ResolvedEdf(
        String image,
        String containerfile,
        String workdir,
        boolean entrypoint,
        boolean writable,
        List<Mount> mounts,
        List<String> devices,
        Map<String, String> env,
        Map<String, String> annotations,
        List<String> sources) {

    public ResolvedEdf {
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        sources = List.copyOf(sources);
    }

    /** Whether {@code image} names a squashfs file rather than a registry reference. */
    public boolean imageIsPath() {
        return image.startsWith("/");
    }
}
