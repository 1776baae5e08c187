package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The key limits in effect: the configured ones overlaid by the runtime ones, by key pattern
 * ({@code *} matches any run of characters). A key resolves to its exact pattern if one limits
 * what is asked (a rate, or a running cap), else to the matching glob with the most literal
 * characters. Not thread-safe: used under the coordinator's lock.
 */
final class KeyPatterns {

    private final Map<String, LimitSettings> configured;
    private final Map<String, LimitSettings> runtime = new TreeMap<>();
    private final Map<String, LimitSettings> effective = new TreeMap<>();

    KeyPatterns(Map<String, LimitSettings> configured) {
        this.configured = new TreeMap<>(configured);
        settleEffective();
    }

    /** An operator's limit replaces the pattern's previous one; an empty one restores the configured limit. */
    void set(LimitSettings settings) {
        if (settings.isEmpty()) {
            runtime.remove(settings.key());
        } else {
            runtime.put(settings.key(), settings);
        }
        settleEffective();
    }

    boolean configured(String key) {
        return configured.containsKey(key);
    }

    LimitSettings runtime(String key) {
        return runtime.get(key);
    }

    LimitSettings effective(String key) {
        return effective.get(key);
    }

    /** The limits in effect, in key order. */
    java.util.Collection<LimitSettings> effective() {
        return effective.values();
    }

    /** The runtime settings, in key order: for checkpoints. */
    List<LimitSettings> changed() {
        return new ArrayList<>(runtime.values());
    }

    private void settleEffective() {
        effective.clear();
        effective.putAll(configured);
        runtime.forEach((key, own) -> effective.put(key, own.over(configured.get(key))));
        effective.values().removeIf(LimitSettings::isEmpty);
    }

    /** The most specific limit in effect for {@code key} with a rate part ({@code rate}) or a running cap (fixed or adaptive). */
    LimitSettings resolve(String key, boolean rate) {
        LimitSettings exact = effective.get(key);
        if (exact != null && (rate ? exact.limitsRate() : exact.limitsConcurrency())) {
            return exact;
        }
        LimitSettings best = null;
        int bestLiterals = -1;
        for (LimitSettings limit : effective.values()) {
            if ((rate ? limit.limitsRate() : limit.limitsConcurrency()) && limit.key().indexOf('*') >= 0
                    && Glob.matches(limit.key(), key)) {
                int literals = Glob.literals(limit.key());
                if (literals > bestLiterals) {
                    best = limit;
                    bestLiterals = literals;
                }
            }
        }
        return best;
    }

    /** Key patterns: {@code *} matches any run of characters, everything else itself. */
    static final class Glob {

        private Glob() {
        }

        static boolean matches(String pattern, String key) {
            int p = 0;
            int k = 0;
            int star = -1;
            int mark = 0;
            while (k < key.length()) {
                if (p < pattern.length() && pattern.charAt(p) == '*') {
                    star = p++;
                    mark = k;
                } else if (p < pattern.length() && pattern.charAt(p) == key.charAt(k)) {
                    p++;
                    k++;
                } else if (star >= 0) {
                    p = star + 1;
                    k = ++mark;
                } else {
                    return false;
                }
            }
            while (p < pattern.length() && pattern.charAt(p) == '*') {
                p++;
            }
            return p == pattern.length();
        }

        static int literals(String pattern) {
            int n = 0;
            for (int i = 0; i < pattern.length(); i++) {
                if (pattern.charAt(i) != '*') {
                    n++;
                }
            }
            return n;
        }
    }
}
