package dev.baton.client;

/** Thrown by a {@link TaskHandler}: the task fails for good, with no retry. */
public class NonRetryableException extends RuntimeException {

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
