package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonBytes} writes what the store's records were before it, as a string sent in UTF-8:
 * Jackson's escapes for a string, {@link Long#toString} for a number, a lone surrogate as the
 * UTF-8 encoder's {@code ?}.
 */
class JsonBytesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void stringsAreWhatJacksonWritesInUtf8() throws Exception {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        List<String> values = List.of("", "plain", "quote \" and backslash \\ and slash /", controls.toString(), "\u007f",
                "caf\u00e9", "\u4e2d\u6587", "line\u2028separator\u2029", "emoji \ud83d\ude00 pair", "\ud83d\ude00",
                "lone high \ud83d here", "lone low \ude00 here", "high at the end \ud83d", "\ude00\ud83d reversed",
                "{\"n\":1,\"s\":\"x\\ny\"}", "x".repeat(5_000) + "\u00e9" + "y".repeat(5_000));
        for (String value : values) {
            JsonBytes out = new JsonBytes(1); // grows from the smallest room
            out.string(value);
            assertArrayEquals(utf8(MAPPER.writeValueAsString(value)), out.toBytes(), value);
        }
    }

    @Test
    void numbersAreTheirDecimalText() {
        for (long value : new long[] {0, 1, 9, 10, 99, 100, -1, -9, -10, 1_764_489_600_000L, Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 1, Integer.MIN_VALUE}) {
            assertEquals(Long.toString(value), new JsonBytes(1).number(value).toString());
        }
    }

    @Test
    void piecesFollowEachOtherAndRawJsonGoesAsItIs() {
        JsonBytes out = new JsonBytes(4).ascii('{').ascii("\"a\":").number(-42).ascii(",\"b\":").raw("{\"z\":\"\u00e9\"}")
                .ascii(",\"c\":").string("\u4e2d").ascii('}');
        assertArrayEquals(utf8("{\"a\":-42,\"b\":{\"z\":\"\u00e9\"},\"c\":\"\u4e2d\"}"), out.toBytes());
        assertEquals("{\"a\":-42,\"b\":{\"z\":\"\u00e9\"},\"c\":\"\u4e2d\"}", out.toString());
        out.clear();
        assertEquals(0, out.toBytes().length);
        assertEquals("[1]", out.ascii('[').number(1).ascii(']').toString());
    }
}
