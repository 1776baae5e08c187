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

    /**
     * Sorts {@code items} by {@code id}; items with the same id keep their order.
     *
     * @return whether two items had the same id (when not, the caller need not look for repeats)
     */
    static <T> boolean sort(T[] items, Function<T, String> id) {
        int sorted = 1;
        boolean repeats = false;
        while (sorted < items.length) {
            int order = id.apply(items[sorted - 1]).compareTo(id.apply(items[sorted]));
            if (order > 0) {
                break;
            }
            repeats |= order == 0;
            sorted++;
        }
        if (sorted < items.length) { // a replayed journal comes in order already
            return sort(items, id, Comparator.comparing(id), 0, items.length, 0);
        }
        return repeats;
    }

    /**
     * Sorts {@code [from, to)}, whose ids all share their first {@code depth} characters (shorter
     * ones padded); true when two of them are the same id.
     */
    private static <T> boolean sort(T[] items, Function<T, String> id, Comparator<T> byId, int from, int to, int depth) {
        int n = to - from;
        if (n < 2) {
            return false;
        }
        if (n <= SMALL) {
            return comparisonSort(items, id, byId, from, to);
        }
        String first = id.apply(items[from]);
        long prefix = commonPrefix(items, id, first, from, to, depth);
        int common = (int) (prefix >>> 32);
        int longest = (int) prefix;
        if (longest <= depth) {
            return true; // all the same id
        }
        int bits = 32 - Integer.numberOfLeadingZeros(n - 1);
        int chars = (63 - bits) / 7;
        long[] keys = new long[n];
        if (!keys(items, id, keys, from, n, common, chars, bits)) {
            return comparisonSort(items, id, byId, from, to);
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
        boolean repeats = false;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || keys[i] >>> bits != keys[start] >>> bits) {
                repeats |= sort(items, id, byId, from + start, from + i, common + chars);
                start = i;
            }
        }
        return repeats;
    }

    /**
     * How many characters every id of {@code [from, to)} shares with {@code first} (at least
     * {@code depth}: all of them share those) in the high half, the longest id's length in the low half.
     */
    private static <T> long commonPrefix(T[] items, Function<T, String> id, String first, int from, int to, int depth) {
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
        return (long) common << 32 | longest;
    }

    /**
     * Fills {@code keys} with the {@code chars} characters after {@code common} of the {@code n} ids
     * from {@code from} and their positions; false at an id of other characters than ASCII.
     */
    private static <T> boolean keys(T[] items, Function<T, String> id, long[] keys, int from, int n,
            int common, int chars, int bits) {
        for (int i = 0; i < n; i++) {
            String s = id.apply(items[from + i]);
            long key = 0;
            for (int c = common; c < common + chars; c++) {
                int ch = c < s.length() ? s.charAt(c) : 0; // 0: past the end, before every character
                if (c < s.length() && (ch == 0 || ch > 127)) {
                    return false;
                }
                key = key << 7 | ch;
            }
            keys[i] = key << bits | i; // the position last: equal characters keep their order
        }
        return true;
    }

    /** A stable comparison sort of {@code [from, to)}; true when two of its ids are the same. */
    private static <T> boolean comparisonSort(T[] items, Function<T, String> id, Comparator<T> byId, int from, int to) {
        Arrays.sort(items, from, to, byId);
        for (int i = from + 1; i < to; i++) {
            if (id.apply(items[i - 1]).equals(id.apply(items[i]))) {
                return true;
            }
        }
        return false;
    }
}
