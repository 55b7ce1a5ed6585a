package io.slipway.edf;

import java.util.List;

/**
 * A bind mount of the resolved EDF.
 *
 * @param source absolute host path
 * @param destination absolute path inside the container
 * @param flags mount flags from {@link MountFlags#ALLOWED}, in the order written, without repeats
 */
public record Mount(String source, String destination, List<String> flags) {

    public Mount {
        flags = List.copyOf(flags);
    }

    /** The EDF spelling, {@code SOURCE:DESTINATION[:FLAG+FLAG]}. */
    public String toEdfString() {
        return source + ":" + destination + (flags.isEmpty() ? "" : ":" + String.join("+", flags));
    }
}
