package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A payload or result is copied from the request as compact text without a tree: the text must be
 * exactly what the tree Baton built before wrote ({@code JsonNode.toString()}), so that stored
 * tasks, answers and events read the same, and a lone surrogate is refused as before.
 */
class RawJsonTest {

    record Holder(RawJson value, String after) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final List<String> VALUES = List.of(
            "{}", "[]", "{ }", "[ ]", "\"text\"", "0", "-0", "true", "false",
            "{\"sent_ns\":1234567890123456,\"pad\":\"xxxx\"}",
            " {\n  \"a\" : 1 ,\t\"b\" : [ 1 , 2.5 , -3e-7 , 1E10 , 1e400 , -0.0 , 12345678901234567890123 ] } ",
            "{\"nested\":{\"deeper\":{\"list\":[{\"x\":null},{\"y\":true},[],{}]}}}",
            "{\"escapes\":\"quote \\\" backslash \\\\ slash \\/ newline \\n tab \\t cr \\r bell \\u0007 nul \\u0000 del \\u007f\"}",
            "{\"unicode\":\"é € 😀 \\u00e9 \\ud83d\\ude00 \\u2028\"}",
            "{\"ключ\":\"значение\",\"\\u006b\":1}",
            "[1,\"two\",{\"three\":[3]},null,false]",
            "{\"big\":1.0000000000000000000001,\"small\":4.9e-324,\"int\":2147483648,\"neg\":-9223372036854775809}",
            "[-1e400,1E-400,0.1,100.0,1E2,-2147483648,-2147483649,9223372036854775807,9223372036854775808,1.7976931348623157E308]",
            "{\"controls\":\"\\u0001\\u001f\\u000b \\b\\f \\u0080 \\uffff\",\"\\n\\\"key\":[\"\",\"\\\\\"]}",
            "[[[[]]],[{}],{\"a\":[{\"b\":[]},[]]},\"end\"]",
            "\"a string at the root \\\" \\u0000\"", "12.5", "-7");

    @Test
    void theTextIsWhatTheTreeWrote() throws JsonProcessingException {
        for (String value : VALUES) {
            Holder holder = JSON.readValue("{\"value\":" + value + ",\"after\":\"next\"}", Holder.class);
            JsonNode tree = JSON.readTree(value);
            assertEquals(tree.toString(), holder.value().json(), "for " + value);
            assertEquals(tree.isObject(), holder.value().isObject(), "for " + value);
            assertEquals(tree.getNodeType().name().toLowerCase(), holder.value().kind(), "for " + value);
            assertEquals("next", holder.after(), "the parser is left just past the value, for " + value);
            assertEquals(holder.value().json(), holder.value().checked("payload"));
        }
    }

    /** The same text as Jackson's generator copying the same tokens (what the copy was before it was written by hand). */
    @Test
    void theTextIsWhatJacksonsGeneratorCopies() throws java.io.IOException {
        com.fasterxml.jackson.core.JsonFactory factory = JSON.getFactory();
        for (String value : VALUES) {
            java.io.StringWriter copied = new java.io.StringWriter();
            try (JsonParser parser = factory.createParser(value);
                    com.fasterxml.jackson.core.JsonGenerator out = factory.createGenerator(copied)) {
                while (parser.nextToken() != null) {
                    out.copyCurrentEvent(parser);
                }
            }
            assertEquals(copied.toString(), JSON.readValue("{\"value\":" + value + "}", Holder.class).value().json(),
                    "for " + value);
        }
    }

    @Test
    void nullIsNoValue() throws JsonProcessingException {
        assertNull(JSON.readValue("{\"value\":null}", Holder.class).value());
        assertNull(JSON.readValue("{}", Holder.class).value());
    }

    @Test
    void aLoneSurrogateInAStringOrAKeyIsRefusedNamingTheFieldAndItsPosition() throws JsonProcessingException {
        for (String value : List.of("{\"a\":\"ok \\ud800 x\"}", "{\"ok \\udc00 x\":1}", "[\"fine\",{\"k\":[\"ok \\ud83d\"]}]",
                "\"ok \\ud800\"")) {
            RawJson raw = JSON.readValue("{\"value\":" + value + "}", Holder.class).value();
            InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> raw.checked("result"));
            assertEquals("result: is not valid Unicode: a lone UTF-16 surrogate at position 3", refused.getMessage(), value);
        }
        RawJson pair = JSON.readValue("{\"value\":{\"a\":\"\\ud83d\\ude00\"}}", Holder.class).value();
        assertEquals("{\"a\":\"😀\"}", pair.checked("payload"), "a surrogate pair is valid");
        assertFalse(pair.json().isEmpty());
    }

    @Test
    void aStringPastTheLimitIsRefusedAsTheParserRefusesIt() {
        ObjectMapper limited = JSON.copy();
        limited.getFactory().setStreamReadConstraints(
                com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(10).build());
        var refused = assertThrows(JsonProcessingException.class,
                () -> limited.readValue("{\"value\":{\"a\":[\"" + "x".repeat(11) + "\"]}}", Holder.class));
        assertTrue(refused.getMessage().contains("getMaxStringLength"), refused.getMessage());
        assertThrows(JsonProcessingException.class, () -> limited.readTree("{\"a\":[\"" + "x".repeat(11) + "\"]}"),
                "the tree was refused the same way");
    }

    @Test
    void brokenJsonIsTheParsersRefusal() {
        for (String body : List.of("{\"value\":{\"a\":1", "{\"value\":{\"a\":1,\"a\":2}}", "{\"value\":[1,}")) {
            assertThrows(JsonProcessingException.class, () -> JSON.readValue(body, Holder.class), body);
        }
    }
}
