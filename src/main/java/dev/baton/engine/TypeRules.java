package dev.baton.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules each task type runs under: the configured policy, overlaid by what an operator set at
 * runtime ({@link TypeSettings}). The rule in effect is settled once per change, so the claim path
 * reads one map entry per type, as it read the configured policy before. Not thread-safe: used
 * under the coordinator's lock.
 */
final class TypeRules {

    /**
     * What the dispatcher and the lifecycle read for a type.
     *
     * @param maxRunning the fixed cap, or null
     * @param adaptive   the adaptive cap's state, or null; the cap in effect is the lower of the two
     */
    record Rule(boolean paused, Integer maxRunning, RetryPolicy retry, AdaptiveLimit adaptive) {

        /** A running cap applies (fixed or adaptive). */
        boolean capped() {
            return maxRunning != null || adaptive != null;
        }

        /** The running cap in effect; {@link Integer#MAX_VALUE} when none. */
        int cap() {
            int fixed = maxRunning == null ? Integer.MAX_VALUE : maxRunning;
            return adaptive == null ? fixed : Math.min(fixed, adaptive.cap());
        }
    }

    private final EngineConfig config;
    private final Rule standard;
    private final Map<String, Rule> rules = new HashMap<>();
    private final Map<String, TypeSettings> changed = new TreeMap<>();

    TypeRules(EngineConfig config) {
        this.config = config;
        this.standard = new Rule(false, null, config.retry(), null);
        config.types().keySet().forEach(type -> rules.put(type, settle(type, 0)));
    }

    Rule of(String type) {
        Rule rule = rules.get(type);
        return rule == null ? standard : rule;
    }

    /**
     * The operator's settings replace the type's previous ones; empty settings restore the configured
     * rule. An adaptive cap that stays adaptive keeps its state, moved inside its new bounds.
     */
    void set(TypeSettings settings, long now) {
        if (settings.isEmpty()) {
            changed.remove(settings.type());
        } else {
            changed.put(settings.type(), settings);
        }
        rules.put(settings.type(), settle(settings.type(), now));
    }

    TypeSettings changed(String type) {
        return changed.get(type);
    }

    /** Every type's runtime settings, in type order: for checkpoints. */
    List<TypeSettings> changed() {
        return new ArrayList<>(changed.values());
    }

    /** The paused types, in name order. */
    List<String> paused() {
        List<String> paused = new ArrayList<>();
        changed.values().forEach(settings -> {
            if (settings.paused()) {
                paused.add(settings.type());
            }
        });
        return paused;
    }

    /** The running cap in effect per capped type (fixed or adaptive), in name order: for metrics. */
    Map<String, Integer> caps() {
        Map<String, Integer> caps = new TreeMap<>();
        rules.forEach((type, rule) -> {
            if (rule.capped()) {
                caps.put(type, rule.cap());
            }
        });
        return caps;
    }

    /** The types configured or changed at runtime. */
    Set<String> named() {
        Set<String> named = new TreeSet<>(config.types().keySet());
        named.addAll(changed.keySet());
        return named;
    }

    private Rule settle(String type, long now) {
        TypePolicy policy = config.policy(type);
        RetryPolicy retry = config.retryPolicy(type);
        TypeSettings own = changed.get(type);
        AdaptiveSettings adaptive = own != null && own.adaptive() != null ? own.adaptive() : policy.adaptive();
        AdaptiveLimit state = adaptive(type, adaptive, now);
        if (own == null) {
            return new Rule(false, policy.maxRunning(), retry, state);
        }
        return new Rule(own.paused(), own.maxRunning() != null ? own.maxRunning() : policy.maxRunning(),
                new RetryPolicy(own.maxRetries() != null ? own.maxRetries() : retry.maxRetries(),
                        own.backoffMillis() != null ? own.backoffMillis() : retry.backoffMillis()), state);
    }

    /** The type's adaptive state under {@code settings}: the one it has, retuned, else a new one (null: none). */
    private AdaptiveLimit adaptive(String type, AdaptiveSettings settings, long now) {
        Rule before = rules.get(type);
        return AdaptiveLimit.follow(before == null ? null : before.adaptive(), settings, now);
    }
}
