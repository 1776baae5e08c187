package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The running count of one {@code concurrency_key}, its cap and its lanes in every ready deque. The
 * cap in effect is the lower of the limit's {@code max_running} and the key's own adaptive cap, if
 * the limit has one ({@link AdaptiveLimit}, learned from this key's runs only, and forgotten with
 * this object when no live task names the key). Owned by {@link KeyLimits}; not thread-safe.
 */
final class KeySlots {
    final String key;
    LimitSettings rule;
    /** This key's adaptive cap, while its rule has one. */
    AdaptiveLimit adaptive;
    int running;
    int tasks;
    final List<Lane> lanes = new ArrayList<>(2);

    KeySlots(String key) {
        this.key = key;
    }

    /** The key comes under {@code newRule} (null: none); an adaptive cap that stays adaptive keeps its state, retuned. */
    void follow(LimitSettings newRule, long now) {
        rule = newRule;
        adaptive = AdaptiveLimit.follow(adaptive, newRule == null ? null : newRule.adaptive(), now);
    }

    /** The running cap in effect: the lower of the fixed and the adaptive one; {@link Integer#MAX_VALUE} when none. */
    int cap() {
        int fixed = rule == null || rule.maxRunning() == null ? Integer.MAX_VALUE : rule.maxRunning();
        return adaptive == null ? fixed : Math.min(fixed, adaptive.cap());
    }

    boolean full() {
        return rule != null && running >= cap();
    }
}
