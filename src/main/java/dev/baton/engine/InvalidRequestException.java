package dev.baton.engine;

/** The request itself is wrong (HTTP 400); {@code field} names the part that is. */
public final class InvalidRequestException extends BatonException {

    private final String field;
    private final String detail;

    public InvalidRequestException(String field, String message) {
        super("invalid_request", field == null ? message : field + ": " + message);
        this.field = field;
        this.detail = message;
    }

    public String field() {
        return field;
    }

    /** The message without the field name. */
    public String detail() {
        return detail;
    }

    /** The same problem, its field placed under {@code parent} (e.g. a batch member). */
    public InvalidRequestException under(String parent) {
        return new InvalidRequestException(field == null ? parent : parent + "." + field, detail);
    }
}
