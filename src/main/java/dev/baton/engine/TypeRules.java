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

    /** What the dispatcher and the lifecycle read for a type. */
    record Rule(boolean paused, Integer maxRunning, RetryPolicy retry) {
    }

    private final EngineConfig config;
    private final Rule standard;
    private final Map<String, Rule> rules = new HashMap<>();
    private final Map<String, TypeSettings> changed = new TreeMap<>();

    TypeRules(EngineConfig config) {
        this.config = config;
        this.standard = new Rule(false, null, config.retry());
        config.types().keySet().forEach(type -> rules.put(type, settle(type)));
    }

    Rule of(String type) {
        Rule rule = rules.get(type);
        return rule == null ? standard : rule;
    }

    /** The operator's settings replace the type's previous ones; empty settings restore the configured rule. */
    void set(TypeSettings settings) {
        if (settings.isEmpty()) {
            changed.remove(settings.type());
        } else {
            changed.put(settings.type(), settings);
        }
        rules.put(settings.type(), settle(settings.type()));
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

    /** The types configured or changed at runtime. */
    Set<String> named() {
        Set<String> named = new TreeSet<>(config.types().keySet());
        named.addAll(changed.keySet());
        return named;
    }

    private Rule settle(String type) {
        Integer maxRunning = config.policy(type).maxRunning();
        RetryPolicy retry = config.retryPolicy(type);
        TypeSettings own = changed.get(type);
        if (own == null) {
            return new Rule(false, maxRunning, retry);
        }
        return new Rule(own.paused(), own.maxRunning() != null ? own.maxRunning() : maxRunning,
                new RetryPolicy(own.maxRetries() != null ? own.maxRetries() : retry.maxRetries(),
                        own.backoffMillis() != null ? own.backoffMillis() : retry.backoffMillis()));
    }
}
