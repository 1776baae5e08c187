package dev.baton.api;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.baton.engine.BatchItem;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskSpec;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One task as a producer sends it: the body of {@code POST /v1/tasks}, and a member of a batch
 * ({@code ref} is for batches only). Only syntax is checked here; the engine checks the rest.
 */
public record SubmitTaskRequest(
        @Schema(description = "a name for this member inside a batch, which other members may name in depends_on") String ref,
        @Schema(description = "client-given id; the server makes a time-ordered one when absent") String id,
        @Schema(required = true) String type,
        String description,
        @Schema(defaultValue = "MEDIUM") @JsonDeserialize(using = StrictJson.PriorityName.class) Priority priority,
        @Schema(ref = "JsonObject") RawJson payload,
        List<String> dependsOn,
        @Schema(minimum = "0") Integer maxRetries,
        @Schema(description = "not handed out before this instant") @JsonDeserialize(using = StrictJson.IsoInstant.class) Instant runAt,
        @Schema(enumeration = {"cancel", "run"}, defaultValue = "cancel") String onDependencyFailure,
        @Schema(description = "an http(s) URL on a host of baton.webhooks.allowed-hosts: when the task ends, Baton POSTs "
                + "its final view there, signed (docs/api.md#webhooks)", maxLength = 2048) String callbackUrl,
        @Schema(description = "the rate limit's key it spends from, e.g. openai:gpt-x (1 to 128 characters, no control characters)")
        String rateKey,
        @Schema(minimum = "1", defaultValue = "1", description = "what it spends of its rate key's budget, e.g. tokens") Integer cost,
        @Schema(description = "the key its running count is capped and its fair share taken by, e.g. a tenant")
        String concurrencyKey) {

    /** A single submit: {@code ref} means nothing outside a batch. */
    TaskSpec toSingleSpec() {
        if (ref != null) {
            throw new InvalidRequestException("ref", "is only used inside a batch (POST /v1/tasks/batch)");
        }
        return toSpec();
    }

    BatchItem toBatchItem() {
        return new BatchItem(ref, toSpec());
    }

    TaskSpec toSpec() {
        if (payload != null && !payload.isObject()) {
            throw new InvalidRequestException("payload", "must be a JSON object, was " + payload.kind());
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
                payload == null ? null : payload.checked("payload"),
                dependsOn, maxRetries, Requests.epochMillis("run_at", runAt), run, callbackUrl, rateKey, cost,
                concurrencyKey);
    }
}
