package io.slipway.image.registry;

import io.slipway.SlipwayException;

/** A registry failure with a user-facing message naming the image; {@code retryable} for transient ones. */
public final class RegistryException extends SlipwayException {
    private static final long serialVersionUID = 1L;
    private final transient boolean retryable;

    public RegistryException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public RegistryException(String message) {
        this(message, false, null);
    }

    public boolean retryable() {
        return retryable;
    }
}
