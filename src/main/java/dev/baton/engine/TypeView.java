package dev.baton.engine;

import java.util.List;

/**
 * One task type as {@code GET /v1/types} shows it: its settings in effect (runtime ones over the
 * configured ones) and its figures now.
 *
 * @param changed    the settings an operator set at runtime, or null when the type runs as configured
 * @param maxRunning the cap in effect, or null for none
 * @param pending    tasks of the type ready to be handed out
 * @param running    tasks of the type assigned or in progress
 * @param adaptive   the adaptive cap now, or null when the type has none
 */
public record TypeView(String type, boolean paused, Integer maxRunning, int maxRetries, List<Long> backoffMillis,
        TypeSettings changed, int pending, int running, AdaptiveView adaptive) {
}
