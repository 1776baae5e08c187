package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.baton.engine.BatchItem;
import dev.baton.engine.BatchResult;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.Coordinator;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.NotFoundException;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import dev.baton.store.Store;
import dev.baton.webhooks.CallbackPolicy;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
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

    @Inject
    CallbackPolicy callbacks;

    @POST
    @Operation(operationId = "submitTask", summary = "Submit a task", description = "201 with the task; the same id with the same body again answers 200")
    @APIResponse(responseCode = "201", description = "created", content = @Content(schema = @Schema(implementation = TaskJson.class)),
            headers = @Header(name = "Location", description = "the task's URL", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "200", description = "a repeat of an earlier submit (same id, same body)",
            content = @Content(schema = @Schema(implementation = TaskJson.class)))
    @APIResponse(responseCode = "400", description = "invalid task, an unknown dependency, or a callback_url on a host not allowed")
    @APIResponse(responseCode = "409", description = "id_conflict: the id exists with another body")
    @APIResponse(responseCode = "413", description = "the body is too large")
    @APIResponse(responseCode = "429", description = "too many queued tasks")
    public Uni<RestResponse<TaskJson>> submit(SubmitTaskRequest body, UriInfo uri) {
        TaskSpec spec = Requests.required(body).toSingleSpec();
        callbacks.check("callback_url", spec.callbackUrl());
        return store.retained().call(named(List.of(new BatchItem(null, spec)), coordinator.config().maxDependencies()),
                        () -> coordinator.submit(spec, clock.millis()))
                .flatMap(result -> {
                    TaskJson task = TaskJson.of(result.task());
                    RestResponse<TaskJson> answer = !result.created() ? RestResponse.ok(task)
                            : RestResponse.ResponseBuilder.<TaskJson>created(location(uri.getAbsolutePath().toString(), task.id()))
                                    .entity(task).build();
                    return store.durable(result.seq()).replaceWith(answer);
                });
    }

    @POST
    @Path("/batch")
    @Operation(operationId = "submitBatch", summary = "Submit many tasks at once, all or nothing",
            description = "members may name each other's ref in depends_on; 201 with each member's ref, id and status; "
                    + "a cycle or an invalid member is a 400 naming it, past baton.max-batch a 413")
    @APIResponse(responseCode = "201", description = "at least one member was created",
            content = @Content(schema = @Schema(implementation = BatchJson.class)))
    @APIResponse(responseCode = "200", description = "every member existed already with the same body",
            content = @Content(schema = @Schema(implementation = BatchJson.class)))
    @APIResponse(responseCode = "400", description = "an invalid member, an unknown dependency or a cycle")
    @APIResponse(responseCode = "409", description = "id_conflict: a member's id exists with another body")
    @APIResponse(responseCode = "413", description = "more members than baton.max-batch, or the body is too large")
    @APIResponse(responseCode = "429", description = "the members would pass baton.max-queued")
    public Uni<RestResponse<BatchJson>> batch(BatchRequest body) {
        List<BatchItem> items = Requests.required(body).toItems();
        checkCallbacks(callbacks, items);
        return store.retained().call(named(items, coordinator.config().maxDependencies()), () -> coordinator.submitBatch(items, clock.millis())).flatMap(result -> {
            BatchJson json = new BatchJson(result.tasks());
            boolean createdAny = result.tasks().stream().anyMatch(BatchResult.Member::created);
            return store.durable(result.seq())
                    .replaceWith(createdAny ? RestResponse.status(RestResponse.Status.CREATED, json) : RestResponse.ok(json));
        });
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getTask", summary = "Read a task", description = "with queue_position while it waits in a queue")
    @APIResponse(responseCode = "200", description = "the task", content = @Content(schema = @Schema(implementation = TaskJson.class)))
    @APIResponse(responseCode = "404", description = "task_not_found")
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
    @Operation(operationId = "listTasks",
            summary = "List tasks in id order, filtered and paged; pass next_after as after for the next page",
            description = "a finished status lists every task that ended so within baton.retention, also after restarts;"
                    + " a page looks at no more than " + TaskQuery.SCAN_BUDGET + " tasks, so a filter that few tasks match may"
                    + " answer fewer tasks than limit (even none) with next_after: follow next_after until it is absent")
    @APIResponse(responseCode = "200", description = "a page of tasks", content = @Content(schema = @Schema(implementation = Page.class)))
    @APIResponse(responseCode = "400", description = "an unknown status or priority, a limit out of range, or a time that is not an ISO-8601 instant")
    @Blocking
    public Page list(
            @Parameter(schema = @Schema(implementation = TaskStatus.class)) @QueryParam("status") String status,
            @QueryParam("type") String type, @QueryParam("agent") String agent,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "1000",
                    defaultValue = "100")) @QueryParam("limit") String limit,
            @Parameter(description = "the next_after of the previous page") @QueryParam("after") String after,
            @Parameter(description = "the priority the task was submitted with", schema = @Schema(implementation = Priority.class))
            @QueryParam("priority") String priority,
            @Parameter(description = "only tasks created strictly after this ISO-8601 instant", schema = @Schema(type = SchemaType.STRING,
                    format = "date-time")) @QueryParam("created_after") String createdAfter,
            @Parameter(description = "only tasks created strictly before this ISO-8601 instant", schema = @Schema(type = SchemaType.STRING,
                    format = "date-time")) @QueryParam("created_before") String createdBefore) {
        TaskQuery query = new TaskQuery(status(status), type, agent,
                Requests.intParam("limit", limit, DEFAULT_PAGE, 1, MAX_PAGE), after, named("priority", priority, Priority.class),
                Requests.instantParam("created_after", createdAfter), Requests.instantParam("created_before", createdBefore));
        TaskPage page = store.retained().list(query, clock.millis());
        return new Page(page.tasks().stream().map(TaskJson::of).toList(), page.nextAfter());
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "cancelTask", summary = "Cancel a task that has not ended",
            description = "a running task's agent learns it from its next heartbeat; cancelling again answers duplicate: true")
    @APIResponse(responseCode = "200", description = "the task, cancelled", content = @Content(schema = @Schema(implementation = Outcome.class)))
    @APIResponse(responseCode = "404", description = "task_not_found")
    @APIResponse(responseCode = "409", description = "the task has completed or failed already")
    public Uni<Outcome> cancel(@PathParam("id") String id) {
        String taskId = Requests.pathId("id", id);
        return store.retained().call(List.of(taskId), () -> coordinator.cancel(taskId, clock.millis()))
                .flatMap(result -> store.durable(result.seq()).replaceWith(Outcome.of(result)));
    }

    @POST
    @Path("/{id}/retry")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "retryTask", summary = "Re-queue a dead letter (a FAILED task) with fresh retries")
    @APIResponse(responseCode = "200", description = "the task, queued again", content = @Content(schema = @Schema(implementation = Outcome.class)))
    @APIResponse(responseCode = "404", description = "task_not_found")
    @APIResponse(responseCode = "409", description = "the task is not FAILED")
    public Uni<Outcome> retry(@PathParam("id") String id) {
        String taskId = Requests.pathId("id", id);
        return store.retained().call(List.of(taskId), () -> coordinator.retry(taskId, clock.millis()))
                .flatMap(result -> store.durable(result.seq()).replaceWith(Outcome.of(result)));
    }

    /**
     * The ids a submission names that may be finished tasks kept past the engine's memory: the
     * members' own ids and what their {@code depends_on} names outside the batch's refs (a list
     * longer than the engine allows is refused by the engine without a look-up).
     */
    static List<String> named(List<BatchItem> items, int maxDependencies) {
        Set<String> refs = new HashSet<>();
        items.forEach(item -> refs.add(item.ref()));
        Set<String> ids = new LinkedHashSet<>();
        for (BatchItem item : items) {
            TaskSpec spec = item.spec();
            if (spec == null) {
                continue;
            }
            if (spec.id() != null) {
                ids.add(spec.id());
            }
            if (spec.dependsOn().size() <= maxDependencies) {
                spec.dependsOn().stream().filter(name -> !refs.contains(name)).forEach(ids::add);
            }
        }
        return new ArrayList<>(ids);
    }

    /** Refuses a member's {@code callback_url} that Baton may not call, naming the member. */
    static void checkCallbacks(CallbackPolicy callbacks, List<BatchItem> items) {
        for (int i = 0; i < items.size(); i++) {
            BatchItem item = items.get(i);
            callbacks.check(BatchRequest.member(i, item.ref()) + ".callback_url", item.spec().callbackUrl());
        }
    }

    /** Where the new task is read: this collection's URL ({@code base}) and the id, percent-encoded as a path segment. */
    static URI location(String base, String id) {
        return URI.create(locationText(base, id));
    }

    /** {@link #location} as text (what {@code URI.toString} gives back), without parsing it. */
    static String locationText(String base, String id) {
        return (base.endsWith("/") ? base : base + "/") + Requests.encodeSegment(id);
    }

    static TaskStatus status(String status) {
        return named("status", status, TaskStatus.class);
    }

    /** A query parameter naming one of an enum's constants (in any case); null when absent. */
    static <E extends Enum<E>> E named(String name, String value, Class<E> type) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(name, "unknown value '" + value + "', expected one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }

    /** The batch answer: each member's ref, id, status and whether it was created now. */
    public record BatchJson(@Schema(required = true) List<BatchResult.Member> tasks) {
    }

    /** A page of the task list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page(@Schema(required = true) List<TaskJson> tasks,
            @Schema(description = "present when there may be more: pass it as after") String nextAfter) {
    }

    /** The task after cancel, retry, complete or fail; {@code duplicate} when the call was a repeat. */
    public record Outcome(@JsonUnwrapped TaskJson task, @Schema(required = true) boolean duplicate) {
        static Outcome of(CompletionResult result) {
            return new Outcome(TaskJson.of(result.task()), result.duplicate());
        }
    }
}
