package io.slipway.edf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Expands each file's values once, with the variables given, then applies the files in order:
 * scalars override, mounts and devices append (a mount to a destination already mounted replaces
 * that mount in place), env and annotations override per key.
 */
final class EdfResolver {

    private final Variables variables;
    private final Variables hostVariables;
    private final Path cwd;
    private final Consumer<EdfWarning> warnings;

    private String image;
    private Located imageFrom;
    private String containerfile;
    private Located containerfileFrom;
    private String workdir;
    private boolean entrypoint = true;
    private boolean writable = true;
    private final List<Mount> mounts = new ArrayList<>();
    private final Set<String> devices = new LinkedHashSet<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();

    private EdfResolver(Variables variables, Path cwd, Consumer<EdfWarning> warnings) {
        this.variables = variables;
        this.hostVariables = Variables.ofHost(variables.host());
        this.cwd = cwd;
        this.warnings = warnings;
    }

    static ResolvedEdf resolve(LoadedEdf loaded, Variables variables, Path cwd, Consumer<EdfWarning> warnings) {
        EdfResolver resolver = new EdfResolver(variables, cwd, warnings);
        loaded.layers().forEach(resolver::apply);
        return resolver.result(loaded);
    }

    /**
     * The image the resolution will use, known before the image is: the last file that sets
     * {@code image} decides, expanded with the host variables only.
     */
    static String image(LoadedEdf loaded, Variables variables, Path cwd) {
        for (int i = loaded.layers().size() - 1; i >= 0; i--) {
            Located image = loaded.layers().get(i).image();
            if (image != null) {
                String value = hostPath(expand(image, Variables.ofHost(variables.host())), false, cwd);
                if (value.isEmpty()) {
                    throw image.error("the image is empty");
                }
                return value;
            }
        }
        throw noImage(loaded);
    }

    /**
     * The recipe to build the image from, known before the image is: the last file that sets
     * {@code containerfile} decides ("" unsets it), expanded with the host variables only.
     */
    static String containerfile(LoadedEdf loaded, Variables variables, Path cwd) {
        for (int i = loaded.layers().size() - 1; i >= 0; i--) {
            Located recipe = loaded.layers().get(i).containerfile();
            if (recipe != null) {
                String value = expand(recipe, Variables.ofHost(variables.host()));
                return value.isEmpty() ? null : hostPath(value, true, cwd);
            }
        }
        return null;
    }

    static String expand(Located value, Variables variables) {
        try {
            return Expander.expand(value.text(), variables);
        } catch (Expander.ExpansionException e) {
            throw value.error(e.getMessage());
        }
    }

    private String expand(Located value) {
        return expand(value, variables);
    }

    /** Expands one ':'-separated part of a mount or device, reporting errors at the whole entry. */
    private String expandPart(Located entry, String part) {
        return expand(new Located(part, entry.field(), entry.where()));
    }

    private void apply(EdfFile file) {
        // The image is chosen before its variables are known, so image and recipe use the host's only.
        if (file.image() != null) {
            image = hostPath(expand(file.image(), hostVariables), false, cwd);
            imageFrom = file.image();
        }
        if (file.containerfile() != null) {
            String value = expand(file.containerfile(), hostVariables);
            containerfile = value.isEmpty() ? null : hostPath(value, true, cwd);
            containerfileFrom = file.containerfile();
        }
        if (file.workdir() != null) {
            String value = expand(file.workdir());
            if (!value.isEmpty() && !value.startsWith("/")) {
                throw file.workdir().error("'" + value + "' is not an absolute path inside the container");
            }
            workdir = value.isEmpty() ? null : value;
        }
        if (file.entrypoint() != null) {
            entrypoint = file.entrypoint();
        }
        if (file.writable() != null) {
            writable = file.writable();
        }
        file.mounts().forEach(this::addMount);
        file.devices().forEach(device -> devices.add(device(device)));
        file.env().forEach((name, value) -> {
            String expanded = expand(value);
            env.put(name, expanded.isEmpty() ? null : expanded);
        });
        file.annotations().forEach((name, value) -> annotations.put(name, expand(value)));
    }

    /**
     * Relative host paths start from the caller's working directory. For {@code image} only text
     * starting with '.' or '/' is a path; anything else is a registry reference.
     */
    private static String hostPath(String value, boolean alwaysPath, Path cwd) {
        if (value.startsWith("/") || value.startsWith(".") || (alwaysPath && !value.isEmpty())) {
            return cwd.resolve(value).normalize().toString();
        }
        return value;
    }

    private void addMount(Located spec) {
        List<String> parts = Expander.split(spec.text(), ':');
        if (parts.size() < 2 || parts.size() > 3) {
            throw spec.error("'" + spec.text() + "' is not SOURCE:DESTINATION[:FLAGS] (found "
                    + parts.size() + " field" + (parts.size() == 1 ? "" : "s") + " separated by ':')");
        }
        String source = expandPart(spec, parts.get(0));
        String destination = expandPart(spec, parts.get(1));
        List<String> flags = parts.size() == 3 ? MountFlags.parse(expandPart(spec, parts.get(2)), spec) : List.of();
        if (!source.startsWith("/") && !source.startsWith(".")) {
            throw spec.error("mount source '" + source + "' must be an absolute path or a relative path"
                    + " starting with ./ or ../ (relative to " + cwd + ")");
        }
        if (!destination.startsWith("/")) {
            throw spec.error("mount destination '" + destination
                    + "' must be an absolute path inside the container");
        }
        Mount mount = new Mount(cwd.resolve(source).normalize().toString(),
                Path.of(destination).normalize().toString(), flags, spec.where() + ": " + spec.field());
        for (int i = 0; i < mounts.size(); i++) {
            if (mounts.get(i).destination().equals(mount.destination())) {
                mounts.set(i, mount);
                return;
            }
        }
        mounts.add(mount);
    }

    /** {@code HOST[:CONTAINER][:PERMISSIONS]}, permissions a non-empty subset of "rwm". */
    private String device(Located spec) {
        List<String> parts = new ArrayList<>();
        for (String part : Expander.split(spec.text(), ':')) {
            parts.add(expandPart(spec, part));
        }
        String host = parts.get(0);
        String container = null;
        String permissions = null;
        if (parts.size() == 2) {
            if (parts.get(1).startsWith("/")) {
                container = parts.get(1);
            } else {
                permissions = parts.get(1);
            }
        } else if (parts.size() == 3) {
            container = parts.get(1);
            permissions = parts.get(2);
        } else if (parts.size() > 3) {
            throw spec.error("'" + spec.text() + "' is not HOST[:CONTAINER][:PERMISSIONS]");
        }
        if (!host.startsWith("/")) {
            throw spec.error("device '" + host + "' must be an absolute host path such as /dev/fuse");
        }
        if (container != null && !container.startsWith("/")) {
            throw spec.error("device destination '" + container + "' must be an absolute path inside the container");
        }
        if (permissions != null && !permissions.matches("(?!.*(.).*\\1)[rwm]+")) {
            throw spec.error("device permissions '" + permissions + "' must be a non-empty combination of"
                    + " r (read), w (write) and m (mknod), each at most once");
        }
        return host + (container == null ? "" : ":" + container) + (permissions == null ? "" : ":" + permissions);
    }

    private static EdfException noImage(LoadedEdf loaded) {
        List<String> sources = loaded.sources().stream().map(Path::toString).toList();
        return new EdfException(sources.get(sources.size() - 1), "no image: set 'image' in this file or in"
                + " one of its base environments (files applied: " + String.join(", ", sources) + ")");
    }

    private ResolvedEdf result(LoadedEdf loaded) {
        List<String> sources = loaded.sources().stream().map(Path::toString).toList();
        if (image == null) {
            throw noImage(loaded);
        }
        if (image.isEmpty()) {
            throw imageFrom.error("the image is empty");
        }
        if (containerfile != null && !image.startsWith("/")) {
            warnings.accept(containerfileFrom.warning("ignored: a containerfile is built only when 'image' is"
                    + " the path of the squashfs file to create, and it is '" + image + "'"));
        }
        return new ResolvedEdf(image, containerfile, workdir, entrypoint, writable, mounts,
                List.copyOf(devices), env, annotations, sources);
    }
}
