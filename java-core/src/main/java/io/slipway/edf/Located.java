package io.slipway.edf;

/**
 * A string value as written in an EDF, before expansion, with the field it belongs to
 * ({@code mounts[2]}, {@code env.PATH}) and where it was written ({@code FILE:LINE:COL}).
 */
record Located(String text, String field, String where) {

    EdfException error(String message) {
        return new EdfException(where, field + ": " + message);
    }

    EdfWarning warning(String message) {
        return new EdfWarning(where, field + ": " + message);
    }
}
