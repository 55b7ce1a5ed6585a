package io.slipway.edf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The mount flags an EDF may use, joined by '+', and which of them exclude each other. */
final class MountFlags {

    static final List<String> ALLOWED = List.of("ro", "rw", "private", "rprivate", "slave", "rslave",
            "shared", "rshared", "bind", "rbind", "nosuid", "nodev", "noexec");

    private static final List<Set<String>> EXCLUSIVE = List.of(
            Set.of("ro", "rw"),
            Set.of("private", "rprivate", "slave", "rslave", "shared", "rshared"),
            Set.of("bind", "rbind"));

    private MountFlags() {}

    /** @return the flags in order without repeats, or throws with the allowed list */
    static List<String> parse(String joined, Located mount) {
        if (joined.isEmpty()) {
            throw mount.error("empty mount flags after the second ':'; allowed flags, joined by '+': "
                    + String.join(", ", ALLOWED));
        }
        Set<String> flags = new LinkedHashSet<>();
        for (String flag : joined.split("\\+", -1)) {
            if (!ALLOWED.contains(flag)) {
                throw mount.error("unknown mount flag '" + flag + "'; allowed flags, joined by '+': "
                        + String.join(", ", ALLOWED) + (flag.contains(",") ? " (use '+', not ',')" : ""));
            }
            flags.add(flag);
        }
        for (Set<String> group : EXCLUSIVE) {
            List<String> chosen = new ArrayList<>(flags);
            chosen.retainAll(group);
            if (chosen.size() > 1) {
                throw mount.error("mount flags " + String.join(" and ", chosen) + " contradict each other");
            }
        }
        return List.copyOf(flags);
    }
}
