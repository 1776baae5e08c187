package dev.baton.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The radix sort orders as a stable comparison sort by id does, whatever the ids. */
class IdSortTest {

    private record Item(String id, int at) {
    }

    private static void sortsAsAComparisonSortDoes(String[] ids) {
        Item[] items = new Item[ids.length];
        for (int i = 0; i < ids.length; i++) {
            items[i] = new Item(ids[i], i);
        }
        Item[] expected = items.clone();
        Arrays.sort(expected, Comparator.comparing(Item::id)); // stable
        boolean repeated = false;
        for (int i = 1; i < expected.length; i++) {
            repeated |= expected[i - 1].id().equals(expected[i].id());
        }
        assertEquals(repeated, IdSort.sort(items, Item::id), "whether an id came twice");
        assertArrayEquals(expected, items);
    }

    @Test
    void serverIdsInAnyOrder() {
        SplittableRandom random = new SplittableRandom(7);
        Ids ids = new Ids(random);
        String[] made = new String[200_000];
        long now = 1_700_000_000_000L;
        for (int i = 0; i < made.length; i++) {
            now += i % 5_000 == 0 ? 1 : 0; // thousands made in the same millisecond, as a batch is
            made[i] = ids.next(now);
        }
        sortsAsAComparisonSortDoes(made); // in order already, as a replayed journal's
        shuffle(made, random);
        sortsAsAComparisonSortDoes(made);
        made[made.length - 1] = made[17]; // one id twice among 200,000 (HSCAN may return an entry twice)
        sortsAsAComparisonSortDoes(made);
        Arrays.sort(made);
        sortsAsAComparisonSortDoes(made); // twice, in order already
    }

    @Test
    void clientIdsOfEveryLengthRepeatedAndPrefixesOfEachOther() {
        SplittableRandom random = new SplittableRandom(11);
        String alphabet = "AZaz09._:-";
        String[] made = new String[50_000];
        for (int i = 0; i < made.length; i++) {
            StringBuilder id = new StringBuilder(i % 3 == 0 ? "job-2026-11-30-shared-prefix-" : "");
            int length = random.nextInt(1, i % 7 == 0 ? 128 : 12);
            for (int c = 0; c < length; c++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            made[i] = id.toString();
        }
        for (int i = 0; i < 5_000; i++) {
            made[random.nextInt(made.length)] = made[random.nextInt(made.length)]; // the same id twice: order kept
        }
        sortsAsAComparisonSortDoes(made);
        sortsAsAComparisonSortDoes(new String[] {"b", "a", "ab", "a", "", "abc", "ab"});
        String[] same = new String[100];
        Arrays.fill(same, "x");
        sortsAsAComparisonSortDoes(same);
        String[] odd = Arrays.copyOf(made, 1_000);
        odd[3] = "é-not-ascii";
        odd[4] = "nul\0inside";
        sortsAsAComparisonSortDoes(odd);
    }

    private static void shuffle(String[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
