package dev.baton.engine;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;

/**
 * Sorts by id, stably, for recovery: a million records read from the tasks hash come in no order,
 * and a comparison sort of them chased three references per comparison. This is a most-significant
 * first radix sort instead: past the prefix every id of a range shares, the next few characters
 * (7 bits each) and the position go into one {@code long}, a primitive sort orders those, and each
 * run of equal characters is sorted again from the characters after them. Server ids (a time, then
 * a counter) take two rounds. Ids of other characters than ASCII (no valid id has them) fall back
 * to a comparison sort.
 */
final class IdSort {

    /** Ranges this short are sorted by comparison. */
    private static final int SMALL = 32;
    /** Ranges this long are sorted on every core. */
    private static final int PARALLEL_FROM = 1 << 16;

    private IdSort() {
    }

    /** Sorts {@code items} by {@code id}; items with the same id keep their order. */
    static <T> void sort(T[] items, Function<T, String> id) {
        int sorted = 1;
        while (sorted < items.length && id.apply(items[sorted - 1]).compareTo(id.apply(items[sorted])) <= 0) {
            sorted++;
        }
        if (sorted < items.length) { // a replayed journal comes in order already
            sort(items, id, Comparator.comparing(id), 0, items.length, 0);
        }
    }

    /** Sorts {@code [from, to)}, whose ids all share their first {@code depth} characters (shorter ones padded). */
    private static <T> void sort(T[] items, Function<T, String> id, Comparator<T> byId, int from, int to, int depth) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        if (n <= SMALL) {
            Arrays.sort(items, from, to, byId); // stable
            return;
        }
        String first = id.apply(items[from]);
        int common = first.length();
        int longest = 0;
        for (int i = from; i < to; i++) {
            String s = id.apply(items[i]);
            longest = Math.max(longest, s.length());
            int limit = Math.min(common, s.length());
            int c = depth;
            while (c < limit && s.charAt(c) == first.charAt(c)) {
                c++;
            }
            common = c;
        }
        if (longest <= depth) {
            return; // all the same id
        }
        int bits = 32 - Integer.numberOfLeadingZeros(n - 1);
        int chars = (63 - bits) / 7;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            String s = id.apply(items[from + i]);
            long key = 0;
            for (int c = common; c < common + chars; c++) {
                int ch = c < s.length() ? s.charAt(c) : 0; // 0: past the end, before every character
                if (c < s.length() && (ch == 0 || ch > 127)) {
                    Arrays.sort(items, from, to, byId);
                    return;
                }
                key = key << 7 | ch;
            }
            keys[i] = key << bits | i; // the position last: equal characters keep their order
        }
        if (n >= PARALLEL_FROM) {
            Arrays.parallelSort(keys);
        } else {
            Arrays.sort(keys);
        }
        @SuppressWarnings("unchecked")
        T[] ordered = (T[]) new Object[n];
        long position = (1L << bits) - 1;
        for (int i = 0; i < n; i++) {
            ordered[i] = items[from + (int) (keys[i] & position)];
        }
        System.arraycopy(ordered, 0, items, from, n);
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || keys[i] >>> bits != keys[start] >>> bits) {
                sort(items, id, byId, from + start, from + i, common + chars);
                start = i;
            }
        }
    }
}
