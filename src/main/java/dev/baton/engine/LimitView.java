package dev.baton.engine;

import java.util.List;

/**
 * A limit in effect as {@code GET /v1/limits} shows it, with the keys it governs now.
 *
 * @param limit      the settings in effect (configuration overlaid by the runtime ones)
 * @param runtime    what an operator set at runtime, or null
 * @param configured whether the configuration names this pattern
 * @param keysInUse  keys of live tasks this limit governs
 * @param waiting    ready tasks of those keys waiting on the limit
 * @param keys       the keys, in key order, at most a bounded number
 */
public record LimitView(LimitSettings limit, LimitSettings runtime, boolean configured, int keysInUse, int waiting,
        List<KeyUse> keys) {

    /**
     * One key under a limit.
     *
     * @param kind      {@code rate} (a {@code rate_key}) or {@code concurrency} (a {@code concurrency_key})
     * @param available cost units in the bucket now (negative: in debt after an oversized task), rate keys only
     * @param spent     cost units handed out since the key came into use, rate keys only
     * @param waiting   ready tasks waiting on this key's budget or cap
     * @param running   running tasks of the key, concurrency keys only
     * @param adaptive  the key's own adaptive cap, when its limit has one (concurrency keys only)
     */
    public record KeyUse(String key, String kind, Double available, Long spent, int waiting, Integer running,
            AdaptiveView adaptive) {
    }
}
