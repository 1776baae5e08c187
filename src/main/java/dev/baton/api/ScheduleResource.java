package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.baton.engine.Coordinator;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.Priority;
import dev.baton.engine.ScheduleControl;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.ScheduleRun;
import dev.baton.engine.ScheduleSpec;
import dev.baton.engine.ScheduleTemplate;
import dev.baton.engine.ScheduleView;
import dev.baton.store.Store;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code /v1/schedules}: recurring tasks (admin to change). A schedule submits its template's task at
 * each tick of a cron expression or an interval, exactly once per tick (docs/model.md).
 */
@Path("/v1/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
@NonBlocking
public class ScheduleResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @GET
    @Operation(operationId = "listSchedules", summary = "Every schedule, in id order, with its next run and last runs")
    public List<ScheduleJson> list() {
        return schedules().list(clock.millis()).stream().map(ScheduleJson::of).toList();
    }

    @POST
    @Operation(operationId = "createSchedule", summary = "Create a schedule (admin)",
            description = "201 with the schedule; the same id with the same body again answers 200; its ticks count from now")
    @APIResponse(responseCode = "201", description = "created", content = @Content(schema = @Schema(implementation = ScheduleJson.class)),
            headers = @Header(name = "Location", description = "the schedule's URL", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "200", description = "a repeat of an earlier create (same id, same body)",
            content = @Content(schema = @Schema(implementation = ScheduleJson.class)))
    @APIResponse(responseCode = "400", description = "a bad cron, interval, time zone, id or template, named in field")
    @APIResponse(responseCode = "409", description = "id_conflict: the id exists with another body")
    public Uni<RestResponse<ScheduleJson>> create(ScheduleRequest body, UriInfo uri) {
        ScheduleRequest request = Requests.required(body);
        ScheduleView view = schedules().create(request.toSpec(request.id()), clock.millis());
        ScheduleJson json = ScheduleJson.of(view);
        RestResponse<ScheduleJson> answer = !view.created() ? RestResponse.ok(json)
                : RestResponse.ResponseBuilder.<ScheduleJson>created(TaskResource.location(uri.getAbsolutePath().toString(),
                        json.id())).entity(json).build();
        return store.durable(view.seq()).replaceWith(answer);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getSchedule", summary = "One schedule with its next run and last runs")
    @APIResponse(responseCode = "200", description = "the schedule", content = @Content(schema = @Schema(implementation = ScheduleJson.class)))
    @APIResponse(responseCode = "404", description = "schedule_not_found")
    public ScheduleJson get(@PathParam("id") String id) {
        return ScheduleJson.of(schedules().get(Requests.pathId("id", id), clock.millis()));
    }

    @PUT
    @Path("/{id}")
    @Operation(operationId = "replaceSchedule", summary = "Replace a schedule's cron or interval, zone, catch-up and template (admin)",
            description = "keeps its last runs and whether it is paused; its ticks count from now")
    @APIResponse(responseCode = "200", description = "the schedule as it is now", content = @Content(schema = @Schema(implementation = ScheduleJson.class)))
    @APIResponse(responseCode = "400", description = "a bad field, named in field")
    @APIResponse(responseCode = "404", description = "schedule_not_found")
    public Uni<ScheduleJson> replace(@PathParam("id") String id, ScheduleRequest body) {
        String scheduleId = Requests.pathId("id", id);
        ScheduleRequest request = Requests.required(body);
        if (request.id() != null && !request.id().equals(scheduleId)) {
            throw new InvalidRequestException("id", "is '" + request.id() + "' in the body but '" + scheduleId + "' in the path");
        }
        return answer(schedules().replace(request.toSpec(scheduleId), clock.millis()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteSchedule", summary = "Delete a schedule (admin); the tasks it submitted stay")
    @APIResponse(responseCode = "200", description = "the schedule as it was", content = @Content(schema = @Schema(implementation = ScheduleJson.class)))
    @APIResponse(responseCode = "404", description = "schedule_not_found")
    public Uni<ScheduleJson> delete(@PathParam("id") String id) {
        return answer(schedules().delete(Requests.pathId("id", id), clock.millis()));
    }

    @POST
    @Path("/{id}/pause")
    @Operation(operationId = "pauseSchedule", summary = "Pause a schedule (admin): no tick runs, and none is caught up on resume")
    @APIResponse(responseCode = "200", description = "the schedule, paused", content = @Content(schema = @Schema(implementation = ScheduleJson.class)))
    @APIResponse(responseCode = "404", description = "schedule_not_found")
    public Uni<ScheduleJson> pause(@PathParam("id") String id) {
        return answer(schedules().pause(Requests.pathId("id", id), true, clock.millis()));
    }

    @POST
    @Path("/{id}/resume")
    @Operation(operationId = "resumeSchedule", summary = "Resume a paused schedule (admin); its ticks count from now")
    @APIResponse(responseCode = "200", description = "the schedule, running", content = @Content(schema = @Schema(implementation = ScheduleJson.class)))
    @APIResponse(responseCode = "404", description = "schedule_not_found")
    public Uni<ScheduleJson> resume(@PathParam("id") String id) {
        return answer(schedules().pause(Requests.pathId("id", id), false, clock.millis()));
    }

    private ScheduleControl schedules() {
        return coordinator.flow().schedules();
    }

    private Uni<ScheduleJson> answer(ScheduleView view) {
        return store.durable(view.seq()).replaceWith(ScheduleJson.of(view));
    }

    /** The body of {@code POST /v1/schedules} and {@code PUT /v1/schedules/{id}}. */
    public record ScheduleRequest(
            @Schema(description = "1 to " + ScheduleControl.MAX_ID_LENGTH + " characters of A-Z a-z 0-9 . _ : - (required on POST)") String id,
            @Schema(description = "5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), e.g. \"0 9 * * MON-FRI\"; or give every") String cron,
            @Schema(description = "a fixed interval of at least 1s, e.g. \"30s\", \"5m\"; or give cron") String every,
            @Schema(defaultValue = "UTC", description = "the IANA time zone the cron expression is read in, e.g. Europe/Paris") String timeZone,
            @Schema(enumeration = {"skip", "one", "all"}, defaultValue = "skip", description = "ticks missed while Baton was down: drop them, run one, or run all (the latest 100)") String catchUp,
            @Schema(required = true) TemplateRequest template) {

        ScheduleSpec toSpec(String id) {
            if (id == null) {
                throw new InvalidRequestException("id", "is required: " + ScheduleControl.MAX_ID_LENGTH + " characters at most of A-Z a-z 0-9 . _ : -");
            }
            ScheduleSpec.CatchUp policy = null;
            if (catchUp != null) {
                policy = switch (catchUp) {
                    case "skip" -> ScheduleSpec.CatchUp.SKIP;
                    case "one" -> ScheduleSpec.CatchUp.ONE;
                    case "all" -> ScheduleSpec.CatchUp.ALL;
                    default -> throw new InvalidRequestException("catch_up", "must be \"skip\", \"one\" or \"all\", was \"" + catchUp + "\"");
                };
            }
            ScheduleTemplate made = template == null ? null : template.toTemplate();
            return new ScheduleSpec(id, cron, Requests.durationMillis("every", every), timeZone, policy, made);
        }
    }

    /** The task each tick submits. */
    public record TemplateRequest(
            @Schema(required = true) String type,
            @Schema(defaultValue = "MEDIUM") @JsonDeserialize(using = StrictJson.PriorityName.class) Priority priority,
            @Schema(ref = "JsonObject") JsonNode payload,
            String description,
            @Schema(minimum = "0") Integer maxRetries,
            @Schema(defaultValue = "false", description = "each run depends on the previous run's task and starts once it ended, however it ended") Boolean dependsOnPrevious) {

        ScheduleTemplate toTemplate() {
            if (payload != null && !payload.isObject() && !payload.isNull()) {
                throw new InvalidRequestException("template.payload", "must be a JSON object, was "
                        + payload.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            try {
                Requests.validUnicode("payload", payload);
            } catch (InvalidRequestException e) {
                throw e.under("template");
            }
            return new ScheduleTemplate(type, priority, payload == null || payload.isNull() ? null : payload.toString(),
                    description, maxRetries, Boolean.TRUE.equals(dependsOnPrevious));
        }
    }

    /**
     * A schedule on the wire: its spec, whether it is paused, its next run (absent when paused or
     * never), the last tick passed and its last runs, oldest first. Absent values are left out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ScheduleJson(
            @Schema(required = true) String id,
            String cron,
            String every,
            @Schema(required = true) String timeZone,
            @Schema(required = true, enumeration = {"skip", "one", "all"}) String catchUp,
            @Schema(required = true) TemplateJson template,
            @Schema(required = true) boolean paused,
            @Schema(required = true) Instant createdAt,
            Instant nextRun,
            @Schema(description = "the last tick passed, run or skipped") Instant lastTick,
            @Schema(required = true) List<RunJson> lastRuns) {

        static ScheduleJson of(ScheduleView view) {
            ScheduleRecord r = view.schedule();
            ScheduleSpec s = r.spec();
            ScheduleTemplate t = s.template();
            return new ScheduleJson(s.id(), s.cron(), s.everyMillis() == null ? null : Requests.duration(s.everyMillis()),
                    s.timeZone(), s.catchUp().name().toLowerCase(Locale.ROOT),
                    new TemplateJson(t.type(), t.priority(), t.payload() == null ? "{}" : t.payload(), t.description(),
                            t.maxRetries(), t.dependsOnPrevious()),
                    r.paused(), Instant.ofEpochMilli(r.createdAt()), instant(view.nextRun()), instant(r.lastTick()),
                    r.runs().stream().map(RunJson::of).toList());
        }

        private static Instant instant(Long millis) {
            return millis == null ? null : Instant.ofEpochMilli(millis);
        }
    }

    /** The template as the schedule keeps it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TemplateJson(
            @Schema(required = true) String type,
            @Schema(required = true) Priority priority,
            @Schema(required = true, ref = "JsonObject") @JsonRawValue String payload,
            String description,
            Integer maxRetries,
            @Schema(required = true) boolean dependsOnPrevious) {
    }

    /** One run: the tick, the task submitted for it, and when. */
    public record RunJson(@Schema(required = true) Instant tick, @Schema(required = true) String taskId,
            @Schema(required = true) Instant firedAt) {

        static RunJson of(ScheduleRun run) {
            return new RunJson(Instant.ofEpochMilli(run.tick()), run.taskId(), Instant.ofEpochMilli(run.firedAt()));
        }
    }
}
