package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

    @Test
    void idsAreUniqueAndSortByCreationTime() {
        Ids ids = new Ids(new SplittableRandom(1));
        List<String> made = new ArrayList<>();
        long t = 1_700_000_000_000L;
        for (int i = 0; i < 10_000; i++) {
            if (i % 100 == 0) {
                t++;
            }
            made.add(ids.next(t));
        }
        assertEquals(made.size(), new HashSet<>(made).size());
        List<String> sorted = new ArrayList<>(made);
        sorted.sort(null);
        assertEquals(made, sorted, "ids sort in the order they were made");
        assertTrue(made.stream().allMatch(id -> id.length() == 26));
    }

    @Test
    void idsMadeInOneMillisecondHaveHashCodesAsSpreadAsRandomOnes() {
        Ids ids = new Ids(new SplittableRandom(3));
        int made = 100_000;
        HashSet<Integer> hashes = new HashSet<>();
        List<String> inOrder = new ArrayList<>();
        for (int i = 0; i < made; i++) {
            String id = ids.next(1_700_000_000_000L);
            hashes.add(id.hashCode());
            inOrder.add(id);
        }
        // random 32-bit values would repeat about once here; counting up by one gave 46,271 distinct of 100,000
        assertTrue(hashes.size() >= made - 10, hashes.size() + " distinct hash codes of " + made);
        List<String> sorted = new ArrayList<>(inOrder);
        sorted.sort(null);
        assertEquals(inOrder, sorted, "still in the order they were made");
        assertEquals(made, new HashSet<>(inOrder).size());
    }

    @Test
    void clientIdsAreOneTo128CharactersOfTheDocumentedSetAndNotDotSegments() {
        for (String good : List.of("a", "A-z_0.9:x", "..a", "a..", "i".repeat(128), "01M8N4K7WXCBN6J50BH4AAHGHA")) {
            assertEquals(good, Ids.requireValid("id", good));
        }
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(".", "id: must not be '.'");
        bad.put("..", "id: must not be '..'");
        bad.put("", "id: is required");
        bad.put("{x}", "id: has '{' at position 0");
        bad.put("a\ud800", "id: has U+D800 at position 1");
        bad.put("a b", "id: has ' ' at position 1");
        bad.put("caf\u00e9", "id: has U+00E9 at position 3");
        bad.put("i".repeat(129), "id: is 129 characters long");
        bad.forEach((id, message) -> {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Ids.requireValid("id", id));
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
        });
        assertThrows(InvalidRequestException.class, () -> Ids.requireValid("id", null));
    }

    @Test
    void textMustBeValidUnicodeWithinItsLimit() {
        assertEquals("ok \ud83d\ude00", Ids.requireText("message", "ok \ud83d\ude00", 10));
        assertEquals(null, Ids.requireText("message", null, 10));
        assertTrue(assertThrows(InvalidRequestException.class, () -> Ids.requireText("message", "\ude00x", 10))
                .getMessage().contains("lone UTF-16 surrogate at position 0"));
        assertTrue(assertThrows(InvalidRequestException.class, () -> Ids.requireText("message", "x\ud83d", 10))
                .getMessage().contains("at position 1"));
        assertTrue(assertThrows(InvalidRequestException.class, () -> Ids.requireText("message", "x".repeat(11), 10))
                .getMessage().contains("more than the limit of 10"));
    }
}
