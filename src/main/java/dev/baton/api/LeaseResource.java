package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.Coordinator;
import dev.baton.store.Store;
import io.smallrye.mutiny.Uni;
import dev.baton.engine.HeartbeatResult;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An agent's calls on a task it holds: heartbeat, complete, fail. Each must quote the current
 * {@code lease_id}; a stale one answers 409 {@code lease_expired} and changes nothing.
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

    @POST
    @Path("/heartbeat")
    @Operation(summary = "Extend the lease, report progress", description = "the first heartbeat moves ASSIGNED to IN_PROGRESS")
    public HeartbeatJson heartbeat(@PathParam("id") String id, LeaseRequests.Heartbeat body) {
        Requests.required(body);
        HeartbeatResult result = coordinator.heartbeat(Requests.pathId("id", id), LeaseRequests.requireLease(body.leaseId()),
                body.progress(), body.checkedMessage(), clock.millis());
        return new HeartbeatJson(Instant.ofEpochMilli(result.leaseExpiresAt()), result.cancelRequested(),
                result.task().status().name());
    }

    @POST
    @Path("/complete")
    @Operation(summary = "Complete the task", description = "the same call again with the same lease answers 200 with duplicate: true")
    public Uni<TaskResource.Outcome> complete(@PathParam("id") String id, LeaseRequests.Complete body) {
        Requests.required(body);
        CompletionResult result = coordinator.complete(Requests.pathId("id", id), LeaseRequests.requireLease(body.leaseId()),
                body.resultJson(), clock.millis());
        return store.durable(result.seq()).replaceWith(TaskResource.Outcome.of(result));
    }

    @POST
    @Path("/fail")
    @Operation(summary = "Fail the task", description = "retryable (the default) failures are retried after backoff while retries last")
    public Uni<TaskResource.Outcome> fail(@PathParam("id") String id, LeaseRequests.Fail body) {
        Requests.required(body);
        CompletionResult result = coordinator.fail(Requests.pathId("id", id), LeaseRequests.requireLease(body.leaseId()),
                body.requireError(), body.isRetryable(), clock.millis());
        return store.durable(result.seq()).replaceWith(TaskResource.Outcome.of(result));
    }

    /** The heartbeat answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeartbeatJson(Instant leaseExpiresAt, boolean cancelRequested, String status) {
    }
}
