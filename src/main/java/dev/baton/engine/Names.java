package dev.baton.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One string object for each task type, rate key and concurrency key that many tasks share,
 * whoever made the spec: a request's parsing, a schedule, or recovery decoding a record. Every
 * task in memory holds its type, and a million queued tasks of one type held a million copies
 * (about 48 bytes and two objects each, all copied by the collector as they age). Bounded, so that
 * clients naming ever new keys cannot grow it past {@link #MAX}; past it a name is used as it came.
 */
public final class Names {

    /** How many distinct names are kept. */
    public static final int MAX = 10_000;
    private static final ConcurrentHashMap<String, String> KNOWN = new ConcurrentHashMap<>();

    private Names() {
    }

    /** The shared string equal to {@code name} (null for null). */
    public static String canonical(String name) {
        if (name == null) {
            return null;
        }
        String known = KNOWN.get(name);
        if (known != null || KNOWN.size() >= MAX) {
            return known != null ? known : name;
        }
        known = KNOWN.putIfAbsent(name, name);
        return known != null ? known : name;
    }
}
