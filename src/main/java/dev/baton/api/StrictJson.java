package dev.baton.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import dev.baton.engine.Priority;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Request fields Jackson would read too kindly: an instant given as a number (read as seconds
 * since 1970, so {@code 1e300} became 1970) or as a numeric string, and a priority with spaces
 * around its name. Both refuse anything but the documented text; the error mapper names the field.
 */
final class StrictJson {

    private StrictJson() {
    }

    /** An instant only as ISO-8601 text with a zone or offset ({@code "2026-01-01T12:00:00Z"}). */
    static final class IsoInstant extends JsonDeserializer<Instant> {

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) context.handleUnexpectedToken(Instant.class, parser);
            }
            String text = parser.getText();
            try {
                return DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
            } catch (DateTimeParseException e) {
                return (Instant) context.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
            }
        }
    }

    /** A priority only as one of the names, exactly as written: CRITICAL, HIGH, MEDIUM, LOW. */
    static final class PriorityName extends JsonDeserializer<Priority> {

        @Override
        public Priority deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                return (Priority) context.handleUnexpectedToken(Priority.class, parser);
            }
            String text = parser.getText();
            for (Priority priority : Priority.values()) {
                if (priority.name().equals(text)) {
                    return priority;
                }
            }
            return (Priority) context.handleWeirdStringValue(Priority.class, text, "not a priority");
        }
    }
}
