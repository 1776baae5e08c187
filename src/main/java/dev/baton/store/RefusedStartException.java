package dev.baton.store;

import java.io.IOException;

/**
 * Baton will not start as asked, for a reason its message says in one line, with what to do: the
 * start-up prints that line, not a stack trace.
 */
public class RefusedStartException extends IOException {

    public RefusedStartException(String message) {
        super(message);
    }
}
