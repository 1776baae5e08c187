package dev.baton.engine;

/**
 * A type's or a concurrency key's adaptive cap as {@code GET /v1/types} and {@code GET /v1/limits} show it.
 *
 * @param limit          the adaptive cap now (the cap in effect is the lower of it and {@code max_running})
 * @param reason         why it moved last, e.g. {@code 3 of the last 10 runs failed}
 * @param changedAt      when it moved last, or null if it has not moved since it started
 * @param baselineMillis the learned run time a slow run is measured against, or null before the first success
 */
public record AdaptiveView(int min, int max, Long targetRunTimeMillis, int limit, String reason, Long changedAt,
        Double baselineMillis) {
}
