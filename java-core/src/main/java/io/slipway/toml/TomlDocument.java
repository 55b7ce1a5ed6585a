package io.slipway.toml;

import io.slipway.SlipwayException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlVersion;

/** A parsed TOML file together with its name and text, for located error messages. */
public record TomlDocument(Path file, String text, TomlParseResult root) {

    static {
        // tomlj 1.1.1 reports an invalid escape such as "\USER" as a parse error, but an internal
        // assert fires first when assertions are enabled (found by EdfFuzzTest); a JVM started
        // with -ea must still give the user the parse error. Applies to tomlj classes loaded later.
        ClassLoader loader = TomlDocument.class.getClassLoader();
        if (loader != null) {
            loader.setPackageAssertionStatus("org.tomlj", false);
        }
    }

    private static final int MAX_REPORTED_ERRORS = 5;
    private static final Pattern KEY_VALUE_WITH_TRAILING_COMMA =
            Pattern.compile("^\\s*[A-Za-z0-9_\"'.\\- ]+=.*,\\s*(#.*)?$");

    /**
     * Parses {@code text}; a syntax error (including a table defined twice) is reported as
     * {@code FILE:LINE:COL: message}, one line per error.
     */
    public static TomlDocument parse(Path file, String text) {
        TomlParseResult result = Toml.parse(text, TomlVersion.V1_0_0);
        if (result.hasErrors()) {
            throw new SlipwayException(describe(file, text, result.errors()));
        }
        return new TomlDocument(file, text, result);
    }

    private static String describe(Path file, String text, List<TomlParseError> errors) {
        String[] lines = text.split("\r?\n", -1);
        List<String> out = new ArrayList<>();
        for (TomlParseError error : errors.subList(0, Math.min(errors.size(), MAX_REPORTED_ERRORS))) {
            TomlPosition at = error.position();
            String message = stripPosition(error.getMessage());
            out.add(file + ":" + at.line() + ":" + at.column() + ": invalid TOML: " + message
                    + trailingCommaHint(lines, at.line()));
        }
        if (errors.size() > MAX_REPORTED_ERRORS) {
            out.add(file + ": " + (errors.size() - MAX_REPORTED_ERRORS) + " more TOML errors");
        }
        return String.join("\n", out);
    }

    /** tomlj appends " (line L, column C)" to its messages; the prefix already says where. */
    private static String stripPosition(String message) {
        return message.replaceFirst("\\s*\\(line \\d+, column \\d+\\)\\s*$", "");
    }

    /**
     * The seed documentation's own {@code [env]} example ends lines with commas, as JSON would;
     * the error tomlj gives for that is correct but does not say what to do.
     */
    private static String trailingCommaHint(String[] lines, int line) {
        for (int candidate : new int[] {line, line - 1}) {
            if (candidate >= 1 && candidate <= lines.length
                    && KEY_VALUE_WITH_TRAILING_COMMA.matcher(lines[candidate - 1]).matches()
                    && !lines[candidate - 1].contains("[")) {
                return " (hint: line " + candidate + " ends with a comma; key = value lines in a TOML"
                        + " table are not separated by commas, remove it)";
            }
        }
        return "";
    }

    /**
     * Where an array element really starts: tomlj reports the end of the previous element, so
     * skip the whitespace, commas and comments in between.
     */
    public TomlPosition elementStart(TomlPosition reported) {
        String[] lines = text.split("\n", -1);
        int line = reported.line();
        int column = reported.column();
        while (line <= lines.length) {
            String current = lines[line - 1];
            while (column <= current.length()) {
                char c = current.charAt(column - 1);
                if (c == '#') {
                    break;
                }
                if (c != ' ' && c != '\t' && c != '\r' && c != ',') {
                    return TomlPosition.positionAt(line, column);
                }
                column++;
            }
            line++;
            column = 1;
        }
        return reported;
    }

    /** {@code FILE:LINE:COL} of a key, or {@code FILE} when tomlj did not record one. */
    public String where(TomlPosition position) {
        return position == null ? file.toString()
                : file + ":" + position.line() + ":" + position.column();
    }
}
