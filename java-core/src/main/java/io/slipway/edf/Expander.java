package io.slipway.edf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Shell-like expansion of one EDF string: {@code ${VAR}}, {@code $VAR}, {@code ${VAR:-default}}
 * (default when VAR is unset or empty; the default may itself hold expansions) and {@code $$}
 * for a literal {@code $}. A {@code $} followed by anything else stays as written.
 */
final class Expander {

    /** What went wrong, without the location, which the caller knows. */
    static final class ExpansionException extends Exception {
        private static final long serialVersionUID = 1L;

        ExpansionException(String message) {
            super(message);
        }
    }

    private Expander() {}

    static String expand(String text, Variables variables) throws ExpansionException {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 == text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int close = matchingBrace(text, i);
                if (close < 0) {
                    throw new ExpansionException("'${' at character " + (i + 1) + " of \"" + text
                            + "\" has no closing '}'");
                }
                out.append(braced(text.substring(i + 2, close), variables));
                i = close + 1;
            } else if (isNameStart(next)) {
                int end = i + 1;
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                out.append(lookup(text.substring(i + 1, end), variables));
                i = end;
            } else {
                out.append('$');
                i++;
            }
        }
        return out.toString();
    }

    private static String braced(String inner, Variables variables) throws ExpansionException {
        int nameEnd = 0;
        while (nameEnd < inner.length() && isNamePart(inner.charAt(nameEnd))) {
            nameEnd++;
        }
        String name = inner.substring(0, nameEnd);
        String rest = inner.substring(nameEnd);
        if (name.isEmpty() || !isNameStart(name.charAt(0))) {
            throw new ExpansionException("'${" + inner + "}' is not a variable reference; names start"
                    + " with a letter or '_' (write $$ for a literal $)");
        }
        if (rest.isEmpty()) {
            return lookup(name, variables);
        }
        if (rest.startsWith(":-")) {
            Optional<String> value = variables.get(name);
            return value.isPresent() && !value.get().isEmpty() ? value.get()
                    : expand(rest.substring(2), variables);
        }
        throw new ExpansionException("'${" + inner + "}' is not supported; use ${" + name + "} or ${"
                + name + ":-default}");
    }

    private static String lookup(String name, Variables variables) throws ExpansionException {
        return variables.get(name).orElseThrow(() -> new ExpansionException("variable " + name
                + " is not defined (write ${" + name + ":-} to allow it to be unset, or $$ for a literal $)"));
    }

    /** Index of the '}' closing the "${" whose '$' is at {@code dollar}, counting nested "${", or -1. */
    private static int matchingBrace(String text, int dollar) {
        int depth = 0;
        for (int i = dollar; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (c == '$' && next == '$') {
                i++;
            } else if (c == '$' && next == '{') {
                depth++;
                i++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Splits on {@code separator} outside {@code ${...}} groups, so that
     * {@code ${DATA:-/scratch}:/data} is two fields, not three.
     */
    static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                i++;
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}' && depth > 0) {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    /**
     * Adds to {@code names} every name that follows a {@code $} or {@code ${} in {@code text}: all
     * that {@link #expand} could look up, and a few it would not ({@code $$NAME}, an untaken default).
     */
    static void namesIn(String text, Set<String> names) {
        for (int i = text.indexOf('$'); i >= 0; i = text.indexOf('$', i + 1)) {
            int start = i + 1 < text.length() && text.charAt(i + 1) == '{' ? i + 2 : i + 1;
            int end = start;
            if (end < text.length() && isNameStart(text.charAt(end))) {
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                names.add(text.substring(start, end));
            }
        }
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }
}
