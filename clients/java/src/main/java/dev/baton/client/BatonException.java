package dev.baton.client;

import java.time.Duration;
import java.util.Optional;

/**
 * An error answer from Baton: the HTTP {@link #status()}, the API's {@link #error()} code (e.g.
 * {@code task_not_found}, {@code lease_expired}) and its {@link #message()}; {@link #retryAfter()} when
 * the answer said when to come back (429, 503).
 */
public class BatonException extends RuntimeException {

    private final int status;
    private final String error;
    private final String apiMessage;
    private final Duration retryAfter;

    public BatonException(int status, String error, String message, Duration retryAfter) {
        super(error + ": " + message);
        this.status = status;
        this.error = error;
        this.apiMessage = message;
        this.retryAfter = retryAfter;
    }

    BatonException(int status, String error, String message, Throwable cause) {
        super(error + ": " + message, cause);
        this.status = status;
        this.error = error;
        this.apiMessage = message;
        this.retryAfter = null;
    }

    /** The HTTP status; 0 when Baton was not reached ({@link BatonUnavailableException}). */
    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String message() {
        return apiMessage;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
