package io.slipway.runtime;

import io.slipway.SlipwayException;
import io.slipway.edf.Mount;
import io.slipway.edf.ResolvedEdf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the user asked for: the resolved EDF's fields, with the command-line options applied on
 * top (options add mounts, env and annotations, and override scalars), and the command.
 *
 * @param workdir container path, or null for the image's
 * @param env null or empty values unset the variable
 * @param command empty: the image Cmd
 */
public record ContainerRequest(String image, String workdir, boolean entrypoint, boolean writable, List<Mount> mounts,
        List<String> devices, Map<String, String> env, Map<String, String> annotations, List<String> command) {

    public static final List<String> MOUNT_FLAGS = List.of("ro", "rw", "private", "rprivate", "slave", "rslave",
            "shared", "rshared", "bind", "rbind", "nosuid", "nodev", "noexec");

    public ContainerRequest {
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
        env = new LinkedHashMap<>(env);
        annotations = new LinkedHashMap<>(annotations);
        command = List.copyOf(command);
    }

    public static ContainerRequest of(ResolvedEdf edf, List<String> command) {
        return new ContainerRequest(edf.image(), edf.workdir(), edf.entrypoint(), edf.writable(), edf.mounts(),
                edf.devices(), edf.env(), edf.annotations(), command);
    }

    /** Parses a {@code --mount SRC:DST[:FLAGS]} option; a relative source starts at {@code cwd}. */
    public static Mount parseMount(String spec, Path cwd) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new SlipwayException("mount '" + spec + "' must be SOURCE:DESTINATION[:FLAGS]");
        }
        if (!parts[1].startsWith("/")) {
            throw new SlipwayException("mount '" + spec + "': the destination must be an absolute path");
        }
        List<String> flags = new ArrayList<>();
        if (parts.length == 3) {
            for (String f : parts[2].split("[+,]", -1)) {
                if (!MOUNT_FLAGS.contains(f)) {
                    throw new SlipwayException("mount '" + spec + "': unknown flag '" + f + "'; allowed flags, joined by '+': "
                            + String.join(", ", MOUNT_FLAGS));
                }
                if (!flags.contains(f)) {
                    flags.add(f);
                }
            }
        }
        return new Mount(cwd.resolve(parts[0]).normalize().toString(), Path.of(parts[1]).normalize().toString(), flags);
    }

    /** Parses {@code K=V} of {@code --env} and {@code --annotation}. */
    public static Map.Entry<String, String> parsePair(String option, String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new SlipwayException(option + " '" + spec + "' must be NAME=VALUE");
        }
        return Map.entry(spec.substring(0, eq), spec.substring(eq + 1));
    }
}
