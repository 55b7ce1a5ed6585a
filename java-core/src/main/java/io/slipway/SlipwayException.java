package io.slipway;

/**
 * A failure the user can act on. Its message is complete and user-facing: it names the file,
 * line, field or reference at fault and what was expected, so callers print it as is.
 */
public class SlipwayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SlipwayException(String message) {
        super(message);
    }

    public SlipwayException(String message, Throwable cause) {
        super(message, cause);
    }
}
