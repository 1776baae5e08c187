package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;

/** The running count of one {@code concurrency_key} and its lanes in every ready deque. Owned by {@link KeyLimits}; not thread-safe. */
final class KeySlots {
    final String key;
    LimitSettings rule;
    int running;
    int tasks;
    final List<Lane> lanes = new ArrayList<>(2);

    KeySlots(String key) {
        this.key = key;
    }

    boolean full() {
        return rule != null && running >= rule.maxRunning();
    }
}
