package dev.baton.api;

import dev.baton.engine.AgentSpec;
import dev.baton.engine.InvalidRequestException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code PUT /v1/agents/{id}}. */
public record AgentRequest(
        @Schema(required = true, description = "the task types this agent runs, or [\"general\"]") List<String> capabilities,
        @Schema(minimum = "1", defaultValue = "1") Integer maxConcurrency,
        Map<String, String> labels) {

    AgentSpec toSpec(String id) {
        if (capabilities == null) {
            throw new InvalidRequestException("capabilities", "is required: the task types this agent runs, or [\"general\"]");
        }
        if (capabilities.stream().anyMatch(c -> c == null || c.isBlank())) {
            throw new InvalidRequestException("capabilities", "must not contain empty types");
        }
        if (labels != null && labels.containsValue(null)) {
            throw new InvalidRequestException("labels", "values must be strings, not null");
        }
        return new AgentSpec(id, new LinkedHashSet<>(capabilities), maxConcurrency == null ? 1 : maxConcurrency, labels);
    }
}
