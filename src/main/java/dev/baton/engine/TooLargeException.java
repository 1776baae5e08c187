package dev.baton.engine;

/** A request past a size limit (HTTP 413), such as a batch of more than {@code max-batch} tasks. */
public final class TooLargeException extends BatonException {

    public TooLargeException(String message) {
        super("too_large", message);
    }
}
