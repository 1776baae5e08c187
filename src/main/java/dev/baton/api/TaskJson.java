package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskAttempt;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskStatus;
import dev.baton.engine.TaskView;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A task on the wire. {@code payload} and {@code result} are the producer's and agent's JSON,
 * passed through as they were received. Absent values are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskJson(
        @Schema(required = true) String id,
        @Schema(required = true) String type,
        String description,
        @Schema(required = true) Priority priority,
        @Schema(required = true, description = "the level it waits at now: a retry lowers it, waiting raises it")
        Priority level,
        @Schema(required = true) TaskStatus status,
        @Schema(required = true, ref = "JsonObject") @JsonRawValue String payload,
        List<String> dependsOn,
        List<String> waitingOn,
        @Schema(enumeration = {"cancel", "run"}) String onDependencyFailure,
        String assignedAgent,
        @Schema(required = true) int attempt,
        @Schema(required = true) int maxRetries,
        @Schema(required = true) int failures,
        @Schema(required = true) int expiries,
        @Schema(required = true) int progress,
        String message,
        @Schema(ref = "AnyValue") @JsonRawValue String result,
        String error,
        Instant runAt,
        @Schema(required = true) Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Integer queuePosition,
        Instant leaseExpiresAt,
        Boolean cancelRequested,
        @Schema(description = "where Baton POSTs the final view when the task ends") String callbackUrl,
        @Schema(required = true, description = "its runs, oldest first: the last 20 that ended and the one running now")
        List<AttemptJson> attempts,
        @Schema(required = true, description = "ids of the tasks that name this one in depends_on (the first 1,000), also after it ended")
        List<String> dependents,
        String rateKey,
        @Schema(description = "what it spends of its rate key's budget; absent when 1") Integer cost,
        String concurrencyKey,
        @Schema(description = "while PENDING: the key whose rate budget or running cap it waits on")
        String waitingOnLimit) {

    /** One run of the task: who ran it, from when to when, and how it ended. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttemptJson(
            @Schema(required = true, description = "1 for the first run") int attempt,
            @Schema(required = true) String agent,
            @Schema(required = true) Instant startedAt,
            @Schema(description = "absent while it runs") Instant endedAt,
            @Schema(description = "absent while it runs", enumeration = {"completed", "failed", "expired", "cancelled", "released"})
            String outcome,
            @Schema(description = "the agent's error (failed) or why the lease ended (expired); absent otherwise") String error) {

        static AttemptJson of(TaskAttempt a) {
            return new AttemptJson(a.attempt(), a.agent(), Instant.ofEpochMilli(a.startedAt()), instant(a.endedAt()),
                    a.outcome() == null ? null : a.outcome().wireName(), a.error());
        }
    }

    static TaskJson of(TaskView t) {
        return new TaskJson(t.id(), t.type(), t.description(), t.priority(), t.level(), t.status(),
                t.payload() == null ? "{}" : t.payload(),
                t.dependsOn().isEmpty() ? null : t.dependsOn(),
                t.waitingOn().isEmpty() ? null : t.waitingOn(),
                t.dependsOn().isEmpty() ? null : t.runOnDependencyFailure() ? "run" : "cancel",
                t.assignedAgent(), t.attempt(), t.maxRetries(), t.failures(), t.expiries(), t.progress(),
                t.message(), t.result(), t.error(), instant(t.runAt()), Instant.ofEpochMilli(t.createdAt()),
                instant(t.startedAt()), instant(t.completedAt()), t.queuePosition(), instant(t.leaseExpiresAt()),
                t.cancelRequested() ? Boolean.TRUE : null, t.callbackUrl(), attempts(t.attempts()), t.dependents(), t.rateKey(),
                t.cost() == 1 ? null : t.cost(), t.concurrencyKey(), t.waitingOnLimit());
    }

    /** A finished task read back from Redis (no queue, no lease). */
    static TaskJson of(TaskRecord r) {
        return of(r.finishedView());
    }

    private static List<AttemptJson> attempts(List<TaskAttempt> attempts) {
        if (attempts.size() < 2) {
            return attempts.isEmpty() ? List.of() : List.of(AttemptJson.of(attempts.get(0)));
        }
        AttemptJson[] json = new AttemptJson[attempts.size()];
        for (int i = 0; i < json.length; i++) {
            json[i] = AttemptJson.of(attempts.get(i));
        }
        return List.of(json);
    }

    static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
