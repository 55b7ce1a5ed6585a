package io.slipway.runtime;

import java.util.List;

/**
 * One line of a mount plan for slipway-mount, in Enroot's fstab dialect: target relative to the
 * container root, octal escapes for blanks, {@code x-create}, {@code nofail}, and the type
 * {@code symlink} for links.
 */
public record FstabEntry(String source, String target, String type, List<String> options) {

    public FstabEntry {
        options = List.copyOf(options);
    }

    public static FstabEntry bind(String source, String target, List<String> options) {
        return new FstabEntry(source, target, "none", options);
    }

    public boolean isBind() {
        return options.contains("bind") || options.contains("rbind");
    }

    public String toLine() {
        return escape(source) + " " + escape(target) + " " + type + " "
                + (options.isEmpty() ? "defaults" : escape(String.join(",", options))) + "\n";
    }

    /** Parses one fstab line (comments stripped first); empty when the line holds no entry. */
    public static java.util.Optional<FstabEntry> parse(String line) {
        int hash = line.indexOf('#');
        String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("[ \t]+");
        if (f.length == 0 || f[0].isEmpty()) {
            return java.util.Optional.empty();
        }
        String target = f.length > 1 ? unescape(f[1]) : unescape(f[0]);
        String type = f.length > 2 ? f[2] : "none";
        List<String> options = f.length > 3 ? List.of(unescape(f[3]).split(","))
                : f.length == 1 ? List.of("rbind", "x-create=auto") : List.of();
        return java.util.Optional.of(new FstabEntry(unescape(f[0]), target, type, options));
    }

    static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String escape(String field) {
        StringBuilder out = new StringBuilder();
        for (char c : field.toCharArray()) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\' || c == '#') {
                out.append(String.format("\\%03o", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
