package dev.baton.engine;

/**
 * A refusal the caller can act on. {@link #code()} is the stable machine-readable reason that the
 * API puts in {@code {"error": code}}; the message names the problem for a human.
 */
public abstract sealed class BatonException extends RuntimeException
        permits InvalidRequestException, NotFoundException, ConflictException, BackpressureException,
        TooLargeException {

    private final String code;

    protected BatonException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
