package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskSpec;
import java.time.Instant;
import java.util.List;

/** The body of {@code POST /v1/tasks}. Only syntax is checked here; the engine checks the rest. */
public record SubmitTaskRequest(
        String id,
        String type,
        String description,
        Priority priority,
        JsonNode payload,
        List<String> dependsOn,
        Integer maxRetries,
        Instant runAt,
        String onDependencyFailure) {

    TaskSpec toSpec() {
        if (payload != null && !payload.isObject() && !payload.isNull()) {
            throw new InvalidRequestException("payload", "must be a JSON object, was " + payload.getNodeType().name().toLowerCase());
        }
        boolean run;
        if (onDependencyFailure == null || onDependencyFailure.equals("cancel")) {
            run = false;
        } else if (onDependencyFailure.equals("run")) {
            run = true;
        } else {
            throw new InvalidRequestException("on_dependency_failure", "must be \"cancel\" or \"run\", was \"" + onDependencyFailure + "\"");
        }
        if (dependsOn != null && dependsOn.stream().anyMatch(d -> d == null || d.isBlank())) {
            throw new InvalidRequestException("depends_on", "must not contain empty ids");
        }
        return new TaskSpec(id, type, description, priority,
                payload == null || payload.isNull() ? null : payload.toString(),
                dependsOn, maxRetries, runAt == null ? null : runAt.toEpochMilli(), run);
    }
}
