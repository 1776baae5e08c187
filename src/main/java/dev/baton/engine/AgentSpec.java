package dev.baton.engine;

import java.util.Map;
import java.util.Set;

/**
 * An agent's registration. {@code "general"} in {@code capabilities} means any task type.
 */
public record AgentSpec(String id, Set<String> capabilities, int maxConcurrency, Map<String, String> labels) {

    public static final String GENERAL = "general";

    public AgentSpec {
        capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
