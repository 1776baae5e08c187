package dev.baton.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.baton.engine.Ids;
import java.io.IOException;

/**
 * A JSON value from a request (a task's payload, a run's result) as the compact text Baton keeps,
 * copied from the parser token by token: never built into a tree of nodes and written out again,
 * which cost a node, a map entry and a string per field of every payload. The text is what the tree
 * would have written (the same generator, the same number forms, keys in their order), so stored
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

    private static final JsonFactory TEXT = new JsonFactory();

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

    /** Copies the value under the parser into compact text. */
    static final class Copier extends JsonDeserializer<RawJson> {

        @Override
        public RawJson deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonToken root = parser.currentToken();
            String invalid = null;
            BufferRecycler recycler = TEXT._getBufferRecycler(); // given back as ObjectMapper.writeValueAsString does
            try {
                SegmentedStringWriter text = new SegmentedStringWriter(recycler);
                try (JsonGenerator out = TEXT.createGenerator(text)) {
                    int depth = 0;
                    JsonToken token = root;
                    while (true) {
                        if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                            if (token == JsonToken.VALUE_STRING) {
                                // Jackson checks the length where it makes a string; the copy makes none
                                parser.streamReadConstraints().validateStringLength(parser.getTextLength());
                            }
                            if (invalid == null && hasLoneSurrogate(parser)) {
                                invalid = parser.getText();
                            }
                        } else if (token.isStructStart()) {
                            depth++;
                        } else if (token.isStructEnd()) {
                            depth--;
                        }
                        out.copyCurrentEvent(parser);
                        if (depth == 0) {
                            break;
                        }
                        token = parser.nextToken();
                        if (token == null) {
                            return (RawJson) context.handleUnexpectedToken(RawJson.class, parser);
                        }
                    }
                }
                return new RawJson(text.getAndClear(), root, invalid);
            } finally {
                recycler.releaseToPool();
            }
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
