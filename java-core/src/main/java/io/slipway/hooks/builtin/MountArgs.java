package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of the mount hook and its configurations (cxi, aws_ofi_nccl), as the hook file's
 * {@code args} give them:
 * <ul>
 * <li>{@code --mount=type=bind,src=SRC,dst=DST[,readonly]} ({@code source}, {@code destination}
 *     and {@code target} also work): a bind mount; {@code <FI_PROVIDER_PATH>} in it is replaced
 *     at run time;
 * <li>{@code --device=SRC[:DST][:ACCESS]}: a character or block device ({@code *} in SRC's file
 *     name binds every match);
 * <li>{@code --library=PATH}: a host library replacing the image's of the same soname, or added;
 * <li>{@code --env=NAME=VALUE}: a variable for the container;
 * <li>{@code --variant=NAME:DIR}: a plugin directory a container chooses by name (aws_ofi_nccl).
 * </ul>
 */
record MountArgs(List<Bind> binds, List<Device> devices, List<String> libraries, Map<String, String> env,
        Map<String, String> variants) {

    /** A bind mount request. */
    record Bind(String source, String destination, boolean readonly) {}

    /** A device request; {@code access} is kept for the record (rwm), not enforced. */
    record Device(String source, String destination, String access) {}

    static final String WILDCARD = "<FI_PROVIDER_PATH>";

    static MountArgs parse(List<String> args, String hook) {
        List<Bind> binds = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        List<String> libraries = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> variants = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.startsWith("--mount=")) {
                binds.add(parseMount(arg.substring(8), hook));
            } else if (arg.startsWith("--device=")) {
                devices.add(parseDevice(arg.substring(9), hook));
            } else if (arg.startsWith("--library=")) {
                libraries.add(absolute(arg.substring(10), hook, arg));
            } else if (arg.startsWith("--env=")) {
                String kv = arg.substring(6);
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new SlipwayException(hook + ": " + arg + ": expected --env=NAME=VALUE");
                }
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else if (arg.startsWith("--variant=")) {
                String nv = arg.substring(10);
                int colon = nv.indexOf(':');
                if (colon <= 0) {
                    throw new SlipwayException(hook + ": " + arg + ": expected --variant=NAME:DIR");
                }
                variants.put(nv.substring(0, colon), absolute(nv.substring(colon + 1), hook, arg));
            } else {
                throw new SlipwayException(hook + ": unknown argument '" + arg + "' (expected --mount=, --device=, "
                        + "--library=, --env= or --variant=)");
            }
        }
        return new MountArgs(List.copyOf(binds), List.copyOf(devices), List.copyOf(libraries), Map.copyOf(env),
                Map.copyOf(variants));
    }

    private static final Set<String> SOURCE = Set.of("source", "src");
    private static final Set<String> DESTINATION = Set.of("destination", "dst", "target");

    static Bind parseMount(String spec, String hook) {
        String where = hook + ": --mount=" + spec;
        String type = null;
        String source = null;
        String destination = null;
        boolean readonly = false;
        for (String field : spec.split(",")) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? null : field.substring(eq + 1);
            if (key.equals("readonly") && value == null) {
                readonly = true;
            } else if (value == null || value.isEmpty()) {
                throw new SlipwayException(where + ": '" + field + "' has no value");
            } else if (key.equals("type")) {
                type = once(type, value, where, key);
            } else if (SOURCE.contains(key)) {
                source = once(source, value, where, "source");
            } else if (DESTINATION.contains(key)) {
                destination = once(destination, value, where, "destination");
            } else {
                throw new SlipwayException(where + ": unknown key '" + key + "' (expected type, source|src, "
                        + "destination|dst|target, readonly)");
            }
        }
        if (!"bind".equals(type)) {
            throw new SlipwayException(where + ": type=bind is required (the only type)");
        }
        if (source == null || destination == null) {
            throw new SlipwayException(where + ": a source (src=) and a destination (dst=) are required");
        }
        return new Bind(absolute(source, hook, "--mount=" + spec), absolute(destination, hook, "--mount=" + spec),
                readonly);
    }

    static Device parseDevice(String spec, String hook) {
        String where = hook + ": --device=" + spec;
        String[] parts = spec.split(":", -1);
        if (parts.length > 3) {
            throw new SlipwayException(where + ": expected SRC[:DST][:ACCESS]");
        }
        String source = parts[0];
        String destination = source;
        String access = "rwm";
        if (parts.length == 2) {
            if (parts[1].startsWith("/")) {
                destination = parts[1];
            } else {
                access = parts[1];
            }
        } else if (parts.length == 3) {
            destination = parts[1];
            access = parts[2];
        }
        if (access.isEmpty() || access.length() > 3 || !access.matches("[rwm]+")
                || access.chars().distinct().count() != access.length()) {
            throw new SlipwayException(where + ": access '" + access + "' must be a combination of r, w and m");
        }
        if (source.contains("*") && !destination.equals(source)) {
            throw new SlipwayException(where + ": a pattern source takes no destination");
        }
        return new Device(absolute(source, hook, "--device=" + spec), absolute(destination, hook, "--device=" + spec),
                access);
    }

    private static String once(String previous, String value, String where, String key) {
        if (previous != null) {
            throw new SlipwayException(where + ": " + key + " given twice");
        }
        return value;
    }

    private static String absolute(String path, String hook, String arg) {
        if (!path.startsWith("/") && !path.startsWith(WILDCARD)) {
            throw new SlipwayException(hook + ": " + arg + ": '" + path + "' is not an absolute path");
        }
        return path;
    }
}
