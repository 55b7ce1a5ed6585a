package io.slipway.edf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * A bind mount of the resolved EDF.
 *
 * @param source absolute host path
 * @param destination absolute path inside the container
 * @param flags mount flags from {@link MountFlags#ALLOWED}, in the order written, without repeats
 * @param where {@code FILE:LINE:COL} and field of the EDF entry, for errors found later (a
 *     missing source on a compute node); null when not from an EDF. Not part of the JSON form
 *     nor of equality: it says where the mount was written, not what it is.
 */
public record Mount(String source, String destination, List<String> flags, @JsonIgnore String where) {

    public Mount {
        flags = List.copyOf(flags);
    }

    @JsonCreator
    public Mount(@JsonProperty("source") String source, @JsonProperty("destination") String destination,
            @JsonProperty("flags") List<String> flags) {
        this(source, destination, flags, null);
    }

    /** The EDF spelling, {@code SOURCE:DESTINATION[:FLAG+FLAG]}. */
    public String toEdfString() {
        return source + ":" + destination + (flags.isEmpty() ? "" : ":" + String.join("+", flags));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mount m && source.equals(m.source) && destination.equals(m.destination)
                && flags.equals(m.flags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, destination, flags);
    }
}
