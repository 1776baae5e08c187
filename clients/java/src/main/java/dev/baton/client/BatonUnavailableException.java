package dev.baton.client;

/** Baton could not be reached at all: connection refused or reset, or no answer in time. */
public class BatonUnavailableException extends BatonException {

    public BatonUnavailableException(String url, Throwable cause) {
        super(0, "unreachable", "cannot reach Baton at " + url + ": " + cause, cause);
    }
}
