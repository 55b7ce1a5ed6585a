package io.slipway.toml;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Names of TOML value types as users read them in error messages. */
public final class TomlTypes {
    private TomlTypes() {}

    public static String nameOf(Object value) {
        if (value instanceof String) {
            return "a string";
        } else if (value instanceof Boolean) {
            return "a boolean";
        } else if (value instanceof Long) {
            return "an integer";
        } else if (value instanceof Double) {
            return "a float";
        } else if (value instanceof TomlArray) {
            return "an array";
        } else if (value instanceof TomlTable) {
            return "a table";
        } else if (value instanceof OffsetDateTime || value instanceof LocalDateTime
                || value instanceof LocalDate || value instanceof LocalTime) {
            return "a date/time";
        }
        return "a " + value.getClass().getSimpleName();
    }
}
