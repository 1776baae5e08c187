package dev.baton.engine;

/** Too much queued work (HTTP 429 with {@code Retry-After}). */
public final class BackpressureException extends BatonException {

    private final long retryAfterMillis;

    public BackpressureException(String message, long retryAfterMillis) {
        super("too_many_queued", message);
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
