package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.baton.engine.BatchResult;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.Coordinator;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.NotFoundException;
import dev.baton.engine.TaskRecord;
import dev.baton.store.Store;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import dev.baton.engine.SubmitResult;
import dev.baton.engine.TaskPage;
import dev.baton.engine.TaskQuery;
import dev.baton.engine.TaskStatus;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Producers' calls: submit, read, list, cancel, retry. Every method parses, makes one engine call
 * and maps the answer; the engine's calls take microseconds, so they run on the I/O thread.
 */
@Path("/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
@NonBlocking
public class TaskResource {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @POST
    @Operation(summary = "Submit a task", description = "201 with the task; the same id with the same body again answers 200")
    public Uni<RestResponse<TaskJson>> submit(SubmitTaskRequest body, UriInfo uri) {
        SubmitResult result = coordinator.submit(Requests.required(body).toSingleSpec(), clock.millis());
        TaskJson task = TaskJson.of(result.task());
        RestResponse<TaskJson> answer = !result.created() ? RestResponse.ok(task)
                : RestResponse.ResponseBuilder.<TaskJson>created(location(uri, task.id()))
                        .entity(task).build();
        return store.durable(result.seq()).replaceWith(answer);
    }

    @POST
    @Path("/batch")
    @Operation(summary = "Submit many tasks at once, all or nothing",
            description = "members may name each other's ref in depends_on; 201 with each member's ref, id and status; "
                    + "a cycle or an invalid member is a 400 naming it, past baton.max-batch a 413")
    public Uni<RestResponse<BatchJson>> batch(BatchRequest body) {
        BatchResult result = coordinator.submitBatch(Requests.required(body).toItems(), clock.millis());
        BatchJson json = new BatchJson(result.tasks());
        boolean createdAny = result.tasks().stream().anyMatch(BatchResult.Member::created);
        return store.durable(result.seq())
                .replaceWith(createdAny ? RestResponse.status(RestResponse.Status.CREATED, json) : RestResponse.ok(json));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a task", description = "with queue_position while it waits in a queue")
    @Blocking
    public TaskJson get(@PathParam("id") String id) {
        try {
            return TaskJson.of(coordinator.task(Requests.pathId("id", id), clock.millis()));
        } catch (NotFoundException e) {
            TaskRecord kept = store.finished(id); // finished, out of memory, still within retention
            if (kept == null) {
                throw e;
            }
            return TaskJson.of(kept);
        }
    }

    @GET
    @Operation(summary = "List tasks in id order, filtered and paged; pass next_after as after for the next page")
    public Page list(@QueryParam("status") String status, @QueryParam("type") String type,
            @QueryParam("agent") String agent, @QueryParam("limit") String limit, @QueryParam("after") String after) {
        TaskQuery query = new TaskQuery(status(status), type, agent,
                Requests.intParam("limit", limit, DEFAULT_PAGE, 1, MAX_PAGE), after);
        TaskPage page = coordinator.list(query, clock.millis());
        return new Page(page.tasks().stream().map(TaskJson::of).toList(), page.nextAfter());
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Cancel a task that has not ended", description = "a running task's agent learns it from its next heartbeat")
    public Uni<Outcome> cancel(@PathParam("id") String id) {
        CompletionResult result = coordinator.cancel(Requests.pathId("id", id), clock.millis());
        return store.durable(result.seq()).replaceWith(Outcome.of(result));
    }

    @POST
    @Path("/{id}/retry")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Re-queue a dead letter (a FAILED task) with fresh retries")
    public Uni<Outcome> retry(@PathParam("id") String id) {
        CompletionResult result = coordinator.retry(Requests.pathId("id", id), clock.millis());
        return store.durable(result.seq()).replaceWith(Outcome.of(result));
    }

    /** Where the new task is read: this collection's URL and the id, percent-encoded as a path segment. */
    private static URI location(UriInfo uri, String id) {
        String base = uri.getAbsolutePath().toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + Requests.encodeSegment(id));
    }

    private static TaskStatus status(String status) {
        if (status == null || status.isEmpty()) {
            return null;
        }
        try {
            return TaskStatus.valueOf(status.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("status", "unknown value '" + status + "', expected one of "
                    + Arrays.toString(TaskStatus.values()));
        }
    }

    /** The batch answer: each member's ref, id, status and whether it was created now. */
    public record BatchJson(List<BatchResult.Member> tasks) {
    }

    /** A page of the task list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page(List<TaskJson> tasks, String nextAfter) {
    }

    /** The task after cancel, retry, complete or fail; {@code duplicate} when the call was a repeat. */
    public record Outcome(@JsonUnwrapped TaskJson task, boolean duplicate) {
        static Outcome of(CompletionResult result) {
            return new Outcome(TaskJson.of(result.task()), result.duplicate());
        }
    }
}
