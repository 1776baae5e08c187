package dev.baton.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.baton.engine.Ids;
import java.io.IOException;

/**
 * A JSON value from a request (a task's payload, a run's result) as the compact text Baton keeps,
 * copied from the parser token by token: never built into a tree of nodes and written out again,
 * which cost a node, a map entry and a string per field of every payload. The text is what the tree
 * would have written (the generator's escapes and number forms, keys in their order), so stored
 * tasks, answers and events read as before; the copy also notes the first string or key that is not
 * valid Unicode (a lone surrogate, which a JSON escape can spell), refused by {@link #checked} with
 * the field's name, and refuses a string past {@code baton.json.max-string-length} as the parser
 * does where it makes one. JSON {@code null} never reaches here: Jackson gives the field null.
 *
 * @param json    the value as compact JSON text
 * @param root    its first token: an object, an array or a scalar
 * @param invalid the first string or key with a lone surrogate, or null
 */
@JsonDeserialize(using = RawJson.Copier.class)
record RawJson(String json, JsonToken root, String invalid) {

    boolean isObject() {
        return root == JsonToken.START_OBJECT;
    }

    /** What the value is, for a refusal: {@code array}, {@code string}, {@code number}, {@code boolean}, {@code object}. */
    String kind() {
        return switch (root) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            default -> root.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The text, once every string and key in it is valid Unicode; else a 400 naming {@code field}. */
    String checked(String field) {
        Ids.requireText(field, invalid, Integer.MAX_VALUE);
        return json;
    }

    /**
     * Copies the value under the parser into compact text, written here token by token into this
     * thread's builder the way Jackson's generator writes them (its escapes, its number forms:
     * {@code Double.toString}, a non-finite double quoted, a big decimal's {@code toString}), so the
     * text is what {@code copyCurrentEvent} made before: a generator, its context and its writer's
     * buffers for every payload and result were a tenth of what a batch submit allocated.
     */
    static final class Copier extends JsonDeserializer<RawJson> {

        /** Kept between values up to this many characters; a larger value's builder is let go after it. */
        private static final int KEPT_CHARS = 64 * 1024;
        private static final ThreadLocal<StringBuilder> TEXT = ThreadLocal.withInitial(() -> new StringBuilder(256));

        @Override
        public RawJson deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonToken root = parser.currentToken();
            String invalid = null;
            StringBuilder out = TEXT.get();
            out.setLength(0);
            boolean comma = false; // the next name (in an object) or value (in an array) follows a sibling
            int depth = 0;
            JsonToken token = root;
            while (true) {
                switch (token) {
                    case FIELD_NAME -> {
                        if (invalid == null && hasLoneSurrogate(parser)) {
                            invalid = parser.getText();
                        }
                        if (comma) {
                            out.append(',');
                        }
                        WireJson.string(out, parser.currentName());
                        out.append(':');
                        comma = false;
                    }
                    case START_OBJECT, START_ARRAY -> {
                        if (comma) {
                            out.append(',');
                        }
                        out.append(token == JsonToken.START_OBJECT ? '{' : '[');
                        depth++;
                        comma = false;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        out.append(token == JsonToken.END_OBJECT ? '}' : ']');
                        depth--;
                        comma = true;
                    }
                    default -> {
                        if (comma) {
                            out.append(',');
                        }
                        if (token == JsonToken.VALUE_STRING) {
                            // Jackson checks the length where it makes a string; the copy makes none
                            parser.streamReadConstraints().validateStringLength(parser.getTextLength());
                            if (invalid == null && hasLoneSurrogate(parser)) {
                                invalid = parser.getText();
                            }
                        }
                        scalar(out, parser, token);
                        comma = true;
                    }
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
                if (token == null) {
                    return (RawJson) context.handleUnexpectedToken(RawJson.class, parser);
                }
            }
            String json = out.toString();
            if (out.capacity() > KEPT_CHARS) {
                TEXT.set(new StringBuilder(256));
            }
            return new RawJson(json, root, invalid);
        }

        /** A scalar as {@code JsonGenerator.copyCurrentEvent} writes it. */
        private static void scalar(StringBuilder out, JsonParser parser, JsonToken token) throws IOException {
            switch (token) {
                case VALUE_STRING -> {
                    if (parser.hasTextCharacters()) {
                        char[] chars = parser.getTextCharacters();
                        int from = parser.getTextOffset();
                        string(out, chars, from, from + parser.getTextLength());
                    } else {
                        WireJson.string(out, parser.getText());
                    }
                }
                case VALUE_NUMBER_INT -> {
                    switch (parser.getNumberType()) {
                        case INT -> out.append(parser.getIntValue());
                        case LONG -> out.append(parser.getLongValue());
                        default -> out.append(parser.getBigIntegerValue().toString());
                    }
                }
                case VALUE_NUMBER_FLOAT -> {
                    switch (parser.getNumberType()) {
                        case BIG_DECIMAL -> out.append(parser.getDecimalValue().toString());
                        case FLOAT -> {
                            float value = parser.getFloatValue();
                            number(out, Float.toString(value), Float.isFinite(value));
                        }
                        default -> {
                            double value = parser.getDoubleValue();
                            number(out, Double.toString(value), Double.isFinite(value));
                        }
                    }
                }
                case VALUE_TRUE -> out.append("true");
                case VALUE_FALSE -> out.append("false");
                case VALUE_NULL -> out.append("null");
                default -> throw new IllegalStateException("not a JSON value: " + token);
            }
        }

        /** Jackson quotes a number that is not finite ({@code QUOTE_NON_NUMERIC_NUMBERS}, on by default). */
        private static void number(StringBuilder out, String text, boolean finite) {
            if (finite) {
                out.append(text);
            } else {
                out.append('"').append(text).append('"');
            }
        }

        /** A string as Jackson's writer-based generator writes it (as {@link WireJson#string} does). */
        private static void string(StringBuilder out, char[] text, int from, int to) {
            out.append('"');
            int start = from;
            for (int i = from; i < to; i++) {
                char c = text[i];
                if (c >= 0x20 && c != '"' && c != '\\') {
                    continue;
                }
                out.append(text, start, i - start);
                WireJson.escape(out, c);
                start = i + 1;
            }
            out.append(text, start, to - start).append('"');
        }

        private static boolean hasLoneSurrogate(JsonParser parser) throws IOException {
            char[] chars = parser.getTextCharacters();
            int from = parser.getTextOffset();
            int to = from + parser.getTextLength();
            for (int i = from; i < to; i++) {
                if (Character.isSurrogate(chars[i])) {
                    return Ids.loneSurrogate(parser.getText()) >= 0; // rare: let the one definition decide
                }
            }
            return false;
        }
    }
}
