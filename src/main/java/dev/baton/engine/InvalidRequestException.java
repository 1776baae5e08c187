package dev.baton.engine;

/** The request itself is wrong (HTTP 400); {@code field} names the part that is. */
public final class InvalidRequestException extends BatonException {

    private final String field;

    public InvalidRequestException(String field, String message) {
        super("invalid_request", field == null ? message : field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
