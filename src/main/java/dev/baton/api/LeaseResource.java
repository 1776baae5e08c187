package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.Coordinator;
import dev.baton.store.Store;
import io.smallrye.mutiny.Uni;
import dev.baton.engine.HeartbeatResult;
import dev.baton.engine.LeaseHolderCheck;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An agent's calls on a task it holds: heartbeat, complete, fail. Each must quote the current
 * {@code lease_id}; a stale one answers 409 {@code lease_expired} and changes nothing. A lease is
 * used only as its agent: a bound agent token that may not act as that agent gets 403.
 */
@Path("/v1/tasks/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "leases")
@NonBlocking
public class LeaseResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @Inject
    AuthFilter auth;

    @POST
    @Path("/heartbeat")
    @Operation(operationId = "heartbeat", summary = "Extend the lease, report progress",
            description = "the first heartbeat moves ASSIGNED to IN_PROGRESS")
    @APIResponse(responseCode = "200", description = "the lease, extended", content = @Content(schema = @Schema(implementation = HeartbeatJson.class)))
    @APIResponse(responseCode = "400", description = "lease_id missing, or progress out of range")
    @APIResponse(responseCode = "404", description = "task_not_found")
    @APIResponse(responseCode = "409", description = "lease_expired: the lease is not this one any more; or the task is not running")
    @APIResponse(responseCode = "403", description = "forbidden: a bound agent token acting on another agent's lease")
    public HeartbeatJson heartbeat(@PathParam("id") String id, LeaseRequests.Heartbeat body, @Context HttpHeaders headers) {
        Requests.required(body);
        HeartbeatResult result = coordinator.heartbeat(Requests.pathId("id", id), LeaseRequests.requireLease(body.leaseId()),
                body.progress(), body.checkedMessage(), clock.millis(), holder(headers, body.agentId()));
        return new HeartbeatJson(Instant.ofEpochMilli(result.leaseExpiresAt()), result.cancelRequested(),
                result.task().status().name());
    }

    @POST
    @Path("/complete")
    @Operation(operationId = "complete", summary = "Complete the task",
            description = "the same call again with the same lease answers 200 with duplicate: true")
    @APIResponse(responseCode = "200", description = "the completed task", content = @Content(schema = @Schema(implementation = TaskResource.Outcome.class)))
    @APIResponse(responseCode = "400", description = "lease_id missing")
    @APIResponse(responseCode = "404", description = "task_not_found")
    @APIResponse(responseCode = "409", description = "lease_expired, task_cancelled, or the task is not running")
    @APIResponse(responseCode = "403", description = "forbidden: a bound agent token acting on another agent's lease")
    public Uni<TaskResource.Outcome> complete(@PathParam("id") String id, LeaseRequests.Complete body, @Context HttpHeaders headers) {
        Requests.required(body);
        String taskId = Requests.pathId("id", id);
        String leaseId = LeaseRequests.requireLease(body.leaseId());
        String result = body.resultJson();
        LeaseHolderCheck holder = holder(headers, body.agentId());
        return store.retained().call(List.of(taskId), () -> coordinator.complete(taskId, leaseId, result, clock.millis(), holder))
                .flatMap(this::outcome);
    }

    @POST
    @Path("/fail")
    @Operation(operationId = "fail", summary = "Fail the task",
            description = "retryable (the default) failures are retried after backoff while retries last")
    @APIResponse(responseCode = "200", description = "the task after the failure: SCHEDULED for a retry, or FAILED", content = @Content(schema = @Schema(implementation = TaskResource.Outcome.class)))
    @APIResponse(responseCode = "400", description = "lease_id or error missing")
    @APIResponse(responseCode = "404", description = "task_not_found")
    @APIResponse(responseCode = "409", description = "lease_expired, task_cancelled, or the task is not running")
    @APIResponse(responseCode = "403", description = "forbidden: a bound agent token acting on another agent's lease")
    public Uni<TaskResource.Outcome> fail(@PathParam("id") String id, LeaseRequests.Fail body, @Context HttpHeaders headers) {
        Requests.required(body);
        String taskId = Requests.pathId("id", id);
        String leaseId = LeaseRequests.requireLease(body.leaseId());
        String error = body.requireError();
        boolean retryable = body.isRetryable();
        LeaseHolderCheck holder = holder(headers, body.agentId());
        return store.retained().call(List.of(taskId), () -> coordinator.fail(taskId, leaseId, error, retryable, clock.millis(), holder))
                .flatMap(this::outcome);
    }

    private Uni<TaskResource.Outcome> outcome(CompletionResult result) {
        return store.durable(result.seq()).replaceWith(TaskResource.Outcome.of(result));
    }

    private LeaseHolderCheck holder(HttpHeaders headers, String agentId) {
        return auth.leaseHolder(headers.getHeaderString(HttpHeaders.AUTHORIZATION), agentId);
    }

    /** The heartbeat answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeartbeatJson(@Schema(required = true) Instant leaseExpiresAt, @Schema(required = true) boolean cancelRequested,
            @Schema(required = true, ref = "TaskStatus") String status) {
    }
}
