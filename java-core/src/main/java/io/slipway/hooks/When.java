package io.slipway.hooks;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code when} of a hook file. Every condition present must hold (AND), as in Sarus:
 * {@code always} is its value; each {@code annotations} pair needs one annotation whose key and
 * value both match in full; {@code commands} needs one regex matching the whole argv[0];
 * {@code hasBindMounts} compares with whether the container has bind mounts.
 */
public record When(Optional<Boolean> always, Map<Pattern, Pattern> annotations, Optional<List<Pattern>> commands,
        Optional<Boolean> hasBindMounts) {

    /** What the conditions are tested against. */
    public record Facts(Map<String, String> annotations, String argv0, boolean hasBindMounts) {}

    public boolean matches(Facts facts) {
        if (always.isPresent() && !always.get()) {
            return false;
        }
        for (var entry : annotations.entrySet()) {
            boolean found = facts.annotations().entrySet().stream().anyMatch(a ->
                    entry.getKey().matcher(a.getKey()).matches() && entry.getValue().matcher(a.getValue()).matches());
            if (!found) {
                return false;
            }
        }
        if (commands.isPresent() && commands.get().stream().noneMatch(p -> p.matcher(facts.argv0()).matches())) {
            return false;
        }
        return hasBindMounts.isEmpty() || hasBindMounts.get() == facts.hasBindMounts();
    }

    /** A short human description, for {@code slipway hooks}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        always.ifPresent(a -> out.append("always=").append(a).append(' '));
        annotations.forEach((k, v) -> out.append("annotation ").append(k.pattern()).append('=').append(v.pattern())
                .append(' '));
        commands.ifPresent(c -> out.append("commands=").append(c.stream().map(Pattern::pattern).toList()).append(' '));
        hasBindMounts.ifPresent(b -> out.append("hasBindMounts=").append(b).append(' '));
        return out.toString().trim();
    }
}
