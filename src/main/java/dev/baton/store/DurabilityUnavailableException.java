package dev.baton.store;

/** A durable call could not be confirmed in Redis within {@code ack-timeout} (HTTP 503). */
public final class DurabilityUnavailableException extends RuntimeException {

    public DurabilityUnavailableException(String message) {
        super(message, null, false, false);
    }
}
