package dev.baton.client;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task as Baton answers it ({@code GET /v1/tasks/{id}}). {@code payload} and {@code result} are
 * JSON trees; read them as your own types with {@link BatonClient#convert(JsonNode, Class)}. Fields
 * a status does not have are null (e.g. {@code result} before COMPLETED, {@code leaseExpiresAt}
 * when no agent holds the task).
 */
public record Task(
        String id,
        String type,
        String description,
        Priority priority,
        Priority level,
        TaskStatus status,
        JsonNode payload,
        List<String> dependsOn,
        List<String> waitingOn,
        String onDependencyFailure,
        String assignedAgent,
        int attempt,
        Integer maxRetries,
        int failures,
        int expiries,
        Integer progress,
        String message,
        JsonNode result,
        String error,
        Instant runAt,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Long queuePosition,
        Instant leaseExpiresAt,
        boolean cancelRequested,
        List<Attempt> attempts,
        List<String> dependents) {

    /** Its runs, oldest first: the last 20 that ended and the one running now (empty from a Baton too old to say). */
    @Override
    public List<Attempt> attempts() {
        return attempts == null ? List.of() : attempts;
    }

    /** Ids of the tasks that name this one in {@code depends_on}, also after it ended (empty from a Baton too old to say). */
    @Override
    public List<String> dependents() {
        return dependents == null ? List.of() : dependents;
    }
}
