package io.slipway;

import java.util.LinkedHashMap;
import java.util.Map;

/** OCI-style environment lists ({@code NAME=VALUE} strings: image Env, hook env, process.env). */
public final class EnvEntries {

    private EnvEntries() {}

    /** The entries as a map, in order; a later entry for a name wins, as in a shell; one without '=' is left out. */
    public static Map<String, String> toMap(Iterable<String> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                out.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return out;
    }
}
