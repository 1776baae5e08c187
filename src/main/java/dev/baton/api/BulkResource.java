package dev.baton.api;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.baton.engine.BulkRequest;
import dev.baton.engine.BulkResult;
import dev.baton.engine.Coordinator;
import dev.baton.engine.FlowControl;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.Priority;
import dev.baton.store.Store;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /v1/tasks/bulk} (admin): cancel or retry every task a filter matches, a limit per call. */
@Path("/v1/tasks/bulk")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
@NonBlocking
public class BulkResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @POST
    @Operation(operationId = "bulkTasks", summary = "Cancel or retry every task a filter matches (admin)",
            description = "one event per task touched; dry_run answers the count; an empty filter needs \"all\": true")
    @APIResponse(responseCode = "200", description = "what was matched and touched", content = @Content(schema = @Schema(implementation = BulkJson.class)))
    @APIResponse(responseCode = "400", description = "a bad or empty filter, a bad action or limit, named in field")
    public Uni<BulkJson> bulk(BulkBody body) {
        BulkResult result = coordinator.flow().bulk(Requests.required(body).toRequest(), clock.millis());
        BulkJson answer = new BulkJson(result.action().name().toLowerCase(Locale.ROOT), result.dryRun(), result.matched(),
                result.touched(), result.remaining());
        return result.touched() == 0 ? Uni.createFrom().item(answer) : store.durable(result.seq()).replaceWith(answer);
    }

    /** The body of {@code POST /v1/tasks/bulk}. */
    public record BulkBody(
            @Schema(required = true, enumeration = {"cancel", "retry"}) String action,
            Filter filter,
            @Schema(defaultValue = "false", description = "act on every task the action applies to; needed when the filter is empty") Boolean all,
            @Schema(defaultValue = "false", description = "count, change nothing") Boolean dryRun,
            @Schema(minimum = "1", defaultValue = "1000", description = "at most this many tasks per call; the rest is counted in remaining") Integer limit) {

        BulkRequest toRequest() {
            BulkRequest.Action act;
            if ("cancel".equals(action)) {
                act = BulkRequest.Action.CANCEL;
            } else if ("retry".equals(action)) {
                act = BulkRequest.Action.RETRY;
            } else {
                throw new InvalidRequestException("action", action == null ? "is required: \"cancel\" or \"retry\""
                        : "must be \"cancel\" or \"retry\", was \"" + action + "\"");
            }
            Filter f = filter == null ? new Filter(null, null, null, null, null, null, null) : filter;
            try {
                return new BulkRequest(act, TaskResource.status(f.status()), f.type(), f.agent(), f.priority(),
                        f.rateKey(), f.concurrencyKey(), Requests.durationMillis("older_than", f.olderThan()), Boolean.TRUE.equals(all),
                        Boolean.TRUE.equals(dryRun), limit == null ? FlowControl.DEFAULT_BULK_LIMIT : limit);
            } catch (InvalidRequestException e) {
                throw e.under("filter");
            }
        }
    }

    /** Which tasks: every field given must match; none given matches nothing unless {@code all} is set. */
    public record Filter(
            @Schema(description = "a task status, e.g. PENDING or FAILED") String status,
            String type,
            @Schema(description = "the agent running the task") String agent,
            @Schema(description = "the priority the task was submitted with") @JsonDeserialize(using = StrictJson.PriorityName.class) Priority priority,
            @Schema(description = "the task's rate_key") String rateKey,
            @Schema(description = "the task's concurrency_key") String concurrencyKey,
            @Schema(description = "created at least this long ago, e.g. 1h") String olderThan) {
    }

    /** What a bulk call matched and touched; {@code remaining} is left for the next call (all of it on a dry run). */
    public record BulkJson(String action, boolean dryRun, int matched, int touched, int remaining) {
    }
}
