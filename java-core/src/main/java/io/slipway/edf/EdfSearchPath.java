package io.slipway.edf;

import io.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Directories where EDF names are looked up, user directories first: {@code EDF_PATH}
 * (colon-separated absolute directories) or, when it is unset, {@code $HOME/.edf}; then the
 * system directories from the configuration file.
 */
public record EdfSearchPath(List<Path> user, List<Path> system) {

    public static final String EDF_PATH = "EDF_PATH";

    public EdfSearchPath {
        user = List.copyOf(user);
        system = List.copyOf(system);
    }

    /** {@code env} is the environment the user or job sees (its HOME, not Java's user.home). */
    public static EdfSearchPath of(Map<String, String> env, SlipwayConfig config) {
        List<Path> user = new ArrayList<>();
        String edfPath = env.get(EDF_PATH);
        if (edfPath != null) {
            for (String entry : edfPath.split(":")) {
                if (entry.isEmpty()) {
                    continue;
                }
                if (!entry.startsWith("/")) {
                    throw new EdfException(EDF_PATH, "entry '" + entry + "' is not an absolute directory"
                            + " (EDF_PATH is a colon-separated list of absolute directories)");
                }
                user.add(Path.of(entry).normalize());
            }
        } else {
            String home = env.get("HOME");
            if (home != null && home.startsWith("/")) {
                user.add(Path.of(home, ".edf").normalize());
            }
        }
        return new EdfSearchPath(user, config.edfSystemSearchPath());
    }

    public List<Path> all() {
        List<Path> all = new ArrayList<>(user);
        all.addAll(system);
        return all;
    }
}
