package dev.baton.api;

import dev.baton.engine.ClaimAttempt;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Coordinator;
import dev.baton.engine.PendingClaim;
import dev.baton.config.BatonConfig;
import dev.baton.config.EngineMetrics;
import dev.baton.store.Store;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Agents: register, read, leave, claim work, and complete many tasks at once ({@link CompleteMany}).
 *
 * <p>A claim with {@code wait_ms} that finds nothing parks in the engine; the engine pushes the
 * next fitting task to the best parked agent and completes its future (outside its lock, on the
 * thread that made the task ready). The answer is written back on the claim's own event loop.
 * A timer, or the client going away, ends the wait through {@link Coordinator#endWait}, which
 * answers the claim empty unless a task got there first.
 */
@Path("/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "agents")
@NonBlocking
public class AgentResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Vertx vertx;

    @Inject
    BatonConfig config;

    @Inject
    EngineMetrics metrics;

    @Inject
    Store store;

    @Inject
    AuthFilter auth;

    @PUT
    @Path("/{id}")
    @Operation(operationId = "registerAgent", summary = "Register or update an agent", description = "history is kept across updates")
    @APIResponse(responseCode = "200", description = "the agent as registered", content = @Content(schema = @Schema(implementation = AgentJson.class)))
    @APIResponse(responseCode = "400", description = "invalid capabilities, max_concurrency or labels")
    public AgentJson register(@PathParam("id") String id, AgentRequest body) {
        return AgentJson.of(coordinator.registerAgent(Requests.required(body).toSpec(Requests.pathId("id", id)), clock.millis()));
    }

    @GET
    @Operation(operationId = "listAgents", summary = "All agents with load and history")
    public List<AgentJson> list() {
        return coordinator.agents(clock.millis()).stream().map(AgentJson::of).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getAgent", summary = "One agent with load and history")
    @APIResponse(responseCode = "200", description = "the agent", content = @Content(schema = @Schema(implementation = AgentJson.class)))
    @APIResponse(responseCode = "404", description = "agent_not_found")
    public AgentJson get(@PathParam("id") String id) {
        return AgentJson.of(coordinator.agent(Requests.pathId("id", id), clock.millis()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "removeAgent", summary = "The agent leaves",
            description = "tasks it was running go back to the front of their queues")
    @APIResponse(responseCode = "200", description = "the agent as it left", content = @Content(schema = @Schema(implementation = AgentJson.class)))
    @APIResponse(responseCode = "404", description = "agent_not_found")
    public AgentJson leave(@PathParam("id") String id) {
        return AgentJson.of(coordinator.removeAgent(Requests.pathId("id", id), clock.millis()));
    }

    @POST
    @Path("/{id}/claim")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "claim", summary = "Claim work", description = "200 with tasks and their leases; with wait_ms, waits up to "
            + "baton.claim-max-wait for work, then 204")
    @APIResponse(responseCode = "200", description = "the claimed tasks with their leases",
            content = @Content(schema = @Schema(implementation = ClaimedTaskJson.Batch.class)))
    @APIResponse(responseCode = "204", description = "no fitting work (after waiting wait_ms)")
    @APIResponse(responseCode = "400", description = "wait_ms or max out of range")
    @APIResponse(responseCode = "404", description = "agent_not_found: register first")
    public Uni<RestResponse<ClaimedTaskJson.Batch>> claim(@PathParam("id") String id,
            @Parameter(description = "how long to wait for work; capped at baton.claim-max-wait",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0", defaultValue = "0"))
            @QueryParam("wait_ms") String waitMs,
            @Parameter(description = "at most this many tasks; capped at baton.claim-max-tasks",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", defaultValue = "1"))
            @QueryParam("max") String max) {
        long startNanos = System.nanoTime();
        Requests.pathId("id", id);
        long wait = Requests.longParam("wait_ms", waitMs, 0, 0, config.claimMaxWait().toMillis());
        int wanted = Requests.intParam("max", max, 1, 1, config.claimMaxTasks());
        if (wait == 0) {
            List<ClaimedTask> tasks = coordinator.claim(id, wanted, clock.millis());
            metrics.claimed(System.nanoTime() - startNanos);
            return Uni.createFrom().item(answer(tasks));
        }
        ClaimAttempt attempt = coordinator.claimOrWait(id, wanted, clock.millis());
        if (!attempt.parked()) {
            metrics.claimed(System.nanoTime() - startNanos);
            return Uni.createFrom().item(answer(attempt.tasks()));
        }
        PendingClaim pending = attempt.pending();
        Context context = vertx.getOrCreateContext();
        long timer = vertx.setTimer(wait, t -> coordinator.endWait(pending, clock.millis()));
        // A client that goes away cancels the subscription (Quarkus REST owns the response's close
        // handler); the wait ends then, so no task is handed to a claim nobody reads. Ending a wait
        // that was already answered changes nothing.
        return Uni.createFrom().<RestResponse<ClaimedTaskJson.Batch>>emitter(emitter -> {
            emitter.onTermination(() -> coordinator.endWait(pending, clock.millis()));
            pending.result().whenComplete((tasks, failure) -> {
                vertx.cancelTimer(timer);
                context.runOnContext(v -> {
                    if (failure != null) {
                        emitter.fail(failure);
                    } else {
                        emitter.complete(answer(tasks));
                    }
                });
            });
        });
    }

    @POST
    @Path("/{id}/complete")
    @Tag(name = "leases")
    @Operation(operationId = "completeMany", summary = "Complete many of this agent's tasks in one call",
            description = "each item is answered on its own: code 200 with status and duplicate, or the refusal the single "
                    + "complete would give (409 lease_expired, lease_not_yours, task_cancelled; 404 task_not_found; 403) "
                    + "with error and message; every lease must be the path agent's; at most baton.max-batch items")
    @APIResponse(responseCode = "200", description = "one answer per item, in the order given",
            content = @Content(schema = @Schema(implementation = CompleteMany.Answers.class)))
    @APIResponse(responseCode = "400", description = "a malformed item (named, e.g. tasks[2].lease_id); nothing changed")
    @APIResponse(responseCode = "413", description = "more items than baton.max-batch, or the body is too large")
    @APIResponse(responseCode = "403", description = "forbidden: a bound agent token acting as another agent")
    public Uni<CompleteMany.Answers> completeMany(@PathParam("id") String id, CompleteMany.Request body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        CompleteMany.Request request = Requests.required(body);
        String agentId = Requests.pathId("id", id);
        List<CompleteMany.Checked> items = request.checked(coordinator.config().maxBatch());
        return CompleteMany.run(coordinator, store, clock, auth.leaseHolder(authorization, agentId), items);
    }

    private static RestResponse<ClaimedTaskJson.Batch> answer(List<ClaimedTask> tasks) {
        return tasks.isEmpty() ? RestResponse.noContent() : RestResponse.ok(ClaimedTaskJson.Batch.of(tasks));
    }
}
