package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.AdaptiveSettings;
import dev.baton.engine.AdaptiveView;
import dev.baton.engine.Coordinator;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.TypeSettings;
import dev.baton.engine.TypeUpdate;
import dev.baton.engine.TypeView;
import dev.baton.store.Store;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /v1/types}: every known task type with its settings and figures; an admin changes them at runtime. */
@Path("/v1/types")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
@NonBlocking
public class TypeResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @GET
    @Operation(operationId = "listTypes", summary = "Every known task type (configured, set at runtime, queued or ever run) with its settings and figures")
    public List<TypeJson> list() {
        return coordinator.flow().types(clock.millis()).stream().map(TypeJson::of).toList();
    }

    @GET
    @Path("/{type}")
    @Operation(operationId = "getType", summary = "One task type's settings and figures")
    public TypeJson get(@PathParam("type") String type) {
        return TypeJson.of(coordinator.flow().type(Requests.pathId("type", type), clock.millis()));
    }

    @PUT
    @Path("/{type}")
    @Operation(operationId = "setType", summary = "Replace a task type's runtime settings (admin)",
            description = "paused: claims skip the type, submits continue; absent fields fall back to the configuration; journaled")
    @APIResponse(responseCode = "200", description = "the type with its new settings", content = @Content(schema = @Schema(implementation = TypeJson.class)))
    @APIResponse(responseCode = "400", description = "a bad setting, named in field")
    public Uni<TypeJson> set(@PathParam("type") String type, TypeSettingsRequest body) {
        TypeSettings settings = Requests.required(body).toSettings(Requests.pathId("type", type));
        TypeUpdate update = coordinator.flow().setType(settings, clock.millis());
        return store.durable(update.seq()).replaceWith(TypeJson.of(update.type()));
    }

    /** The body of {@code PUT /v1/types/{type}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TypeSettingsRequest(
            @Schema(defaultValue = "false") Boolean paused,
            @Schema(minimum = "1", description = "fleet-wide cap on running tasks of the type") Integer maxRunning,
            @Schema(minimum = "0", description = "retries of tasks submitted from now on") Integer maxRetries,
            @Schema(description = "waits before each retry, the last repeating, e.g. [\"10s\", \"1m\"]") List<String> backoff,
            @Schema(description = "an adaptive running cap between min and max, moved by how the type's runs end") AdaptiveRequest adaptive) {

        TypeSettings toSettings(String type) {
            List<Long> backoffMillis = null;
            if (backoff != null) {
                backoffMillis = backoff.stream().map(wait -> Requests.durationMillis("backoff", wait == null ? "" : wait)).toList();
            }
            return new TypeSettings(type, Boolean.TRUE.equals(paused), maxRunning, maxRetries, backoffMillis,
                    adaptive == null ? null : adaptive.toSettings());
        }

        static TypeSettingsRequest of(TypeSettings own) {
            return new TypeSettingsRequest(own.paused(), own.maxRunning(), own.maxRetries(),
                    own.backoffMillis() == null ? null : TypeJson.durations(own.backoffMillis()),
                    own.adaptive() == null ? null : AdaptiveRequest.of(own.adaptive()));
        }
    }

    /** The {@code adaptive} setting of a type, or of a key limit ({@code PUT /v1/limits/{key}}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AdaptiveRequest(
            @Schema(minimum = "1", defaultValue = "1", description = "the floor: the cap never goes below it") Integer min,
            @Schema(required = true, minimum = "1", maximum = "100000", description = "the ceiling, and where the cap starts") Integer max,
            @Schema(description = "a run slower than this is slow, e.g. \"30s\"; absent: slower than twice the learned baseline") String targetRunTime) {

        AdaptiveSettings toSettings() {
            if (max == null) {
                throw new InvalidRequestException("adaptive.max", "is required: the ceiling of the adaptive cap");
            }
            return new AdaptiveSettings(min == null ? 1 : min, max, Requests.durationMillis("adaptive.target_run_time", targetRunTime));
        }

        static AdaptiveRequest of(AdaptiveSettings s) {
            return new AdaptiveRequest(s.min(), s.max(),
                    s.targetRunTimeMillis() == null ? null : Requests.duration(s.targetRunTimeMillis()));
        }
    }

    /** A type's or a concurrency key's adaptive cap now: its setting, the cap and why it moved last. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AdaptiveJson(int min, int max, String targetRunTime,
            @Schema(description = "the adaptive cap now; the cap in effect is the lower of it and max_running") int limit,
            @Schema(description = "why it moved last, e.g. \"3 of the last 10 runs failed\"") String reason,
            @Schema(description = "when it moved last; absent while it has not moved since it started") Instant changedAt,
            @Schema(description = "the learned run time (ms) a slow run is measured against") Double baselineMs) {

        static AdaptiveJson of(AdaptiveView v) {
            return new AdaptiveJson(v.min(), v.max(),
                    v.targetRunTimeMillis() == null ? null : Requests.duration(v.targetRunTimeMillis()), v.limit(),
                    v.reason(), v.changedAt() == null ? null : Instant.ofEpochMilli(v.changedAt()),
                    v.baselineMillis() == null ? null : Math.round(v.baselineMillis() * 10) / 10.0);
        }
    }

    /**
     * A type as {@code /v1/types} shows it: the settings in effect, the runtime ones ({@code runtime},
     * absent when it runs as configured), and how many of its tasks are ready and running. Absent
     * values are left out, as the OpenAPI document declares them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TypeJson(String type, boolean paused, Integer maxRunning, int maxRetries, List<String> backoff,
            TypeSettingsRequest runtime, int pending, int running, AdaptiveJson adaptive) {

        static TypeJson of(TypeView v) {
            TypeSettings own = v.changed();
            return new TypeJson(v.type(), v.paused(), v.maxRunning(), v.maxRetries(), durations(v.backoffMillis()),
                    own == null ? null : TypeSettingsRequest.of(own), v.pending(), v.running(),
                    v.adaptive() == null ? null : AdaptiveJson.of(v.adaptive()));
        }

        static List<String> durations(List<Long> millis) {
            return millis.stream().map(Requests::duration).toList();
        }
    }
}
