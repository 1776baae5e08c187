package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.baton.engine.ClaimedTask;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One claimed task: the task's fields (with {@code lease_expires_at}) plus the {@code lease_id}
 * that the agent must quote back.
 */
public record ClaimedTaskJson(@JsonUnwrapped TaskJson task, @Schema(required = true) String leaseId) {

    static ClaimedTaskJson of(ClaimedTask claimed) {
        return new ClaimedTaskJson(TaskJson.of(claimed.task()), claimed.leaseId());
    }

    /** The claim answer: {@code {"tasks": [...]}}. */
    public record Batch(@Schema(required = true) List<ClaimedTaskJson> tasks) {
        static Batch of(List<ClaimedTask> claimed) {
            return new Batch(claimed.stream().map(ClaimedTaskJson::of).toList());
        }
    }
}
