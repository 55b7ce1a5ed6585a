package io.slipway.edf;

/** Something in an EDF that was accepted but is probably not what its author meant. */
public record EdfWarning(String where, String message) {
    @Override
    public String toString() {
        return where + ": " + message;
    }
}
