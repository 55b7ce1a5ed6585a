package io.slipway.edf;

import io.slipway.SlipwayException;

/** A problem with an EDF, located at {@code where} ({@code FILE:LINE:COL}, or a file, or a name). */
public final class EdfException extends SlipwayException {
    private static final long serialVersionUID = 1L;
    private final String where;

    public EdfException(String where, String message) {
        super(where + ": " + message);
        this.where = where;
    }

    /** For a problem already rendered in full, such as a list of TOML syntax errors. */
    static EdfException wrap(SlipwayException e) {
        return new EdfException(e.getMessage());
    }

    private EdfException(String fullMessage) {
        super(fullMessage);
        this.where = "";
    }

    public String where() {
        return where;
    }
}
