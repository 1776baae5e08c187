package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StrictBooleanConverterTest {

    private final StrictBooleanConverter converter = new StrictBooleanConverter();

    @Test
    void takesTheWordsSmallRyeTakes() {
        for (String yes : new String[] {"true", "TRUE", "1", "yes", "Y", "on"}) {
            assertEquals(Boolean.TRUE, converter.convert(yes), yes);
        }
        for (String no : new String[] {"false", "False", "0", "no", "n", "OFF"}) {
            assertEquals(Boolean.FALSE, converter.convert(no), no);
        }
    }

    @Test
    void refusesAnythingElseInsteadOfReadingItAsFalse() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> converter.convert("maybe"));

        assertEquals("Expected true or false, got \"maybe\"", refused.getMessage());
    }
}
