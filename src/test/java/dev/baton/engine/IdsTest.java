package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
