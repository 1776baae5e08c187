package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.Coordinator;
import dev.baton.engine.Ids;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.LimitUpdate;
import dev.baton.engine.LimitView;
import dev.baton.store.Store;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /v1/limits}: rate limits per {@code rate_key} and running caps per {@code concurrency_key},
 * by key or key pattern ({@code openai:*}); an admin sets them at runtime, journaled.
 */
@Path("/v1/limits")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
@NonBlocking
public class LimitResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @GET
    @Operation(operationId = "listLimits", summary = "Every key limit in effect (configured or set at runtime) with the keys it governs now: budget, usage, waiting tasks")
    public List<LimitJson> list() {
        return coordinator.flow().limits(clock.millis()).stream().map(LimitJson::of).toList();
    }

    @PUT
    @Path("/{key}")
    @Operation(operationId = "setLimit", summary = "Set a key's or key pattern's runtime limit (admin)",
            description = "rate cost units per window with a burst (a token bucket per rate_key), and/or max_running and/or"
                    + " an adaptive cap per concurrency_key; absent fields fall back to the configuration; journaled")
    @APIResponse(responseCode = "200", description = "the limit now in effect", content = @Content(schema = @Schema(implementation = LimitJson.class)))
    @APIResponse(responseCode = "400", description = "a bad key or setting, named in field")
    public Uni<LimitJson> set(@PathParam("key") String key, LimitRequest body) {
        LimitSettings settings = Requests.required(body).toSettings(Ids.requireKey("key", key == null ? "" : key));
        LimitUpdate update = coordinator.flow().setLimit(settings, clock.millis());
        return store.durable(update.seq()).replaceWith(LimitJson.of(update.limit()));
    }

    @DELETE
    @Path("/{key}")
    @Operation(operationId = "removeLimit", summary = "Remove a key pattern's runtime limit; its configured one, if any, applies again (admin)")
    @APIResponse(responseCode = "204", description = "removed (or there was none)")
    @APIResponse(responseCode = "400", description = "a bad key, named in field")
    public Uni<Response> remove(@PathParam("key") String key) {
        LimitUpdate update = coordinator.flow().removeLimit(key == null ? "" : key, clock.millis());
        return store.durable(update.seq()).replaceWith(Response.noContent().build());
    }

    /** The body of {@code PUT /v1/limits/{key}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LimitRequest(
            @Schema(minimum = "1", description = "cost units each rate_key may spend per window") Long rate,
            @Schema(description = "the window of rate, e.g. \"1m\"; required with rate") String window,
            @Schema(minimum = "1", description = "the bucket's capacity; rate when absent") Long burst,
            @Schema(minimum = "1", description = "running tasks per concurrency_key") Integer maxRunning,
            @Schema(description = "an adaptive running cap for each concurrency_key, between min and max, moved by how"
                    + " that key's runs end") TypeResource.AdaptiveRequest adaptive) {

        LimitSettings toSettings(String key) {
            return new LimitSettings(key, rate, Requests.durationMillis("window", window), burst, maxRunning,
                    adaptive == null ? null : adaptive.toSettings());
        }

        static LimitRequest of(LimitSettings s) {
            return s == null ? null : new LimitRequest(s.rate(), s.windowMillis() == null ? null : Requests.duration(s.windowMillis()),
                    s.burst(), s.maxRunning(), s.adaptive() == null ? null : TypeResource.AdaptiveRequest.of(s.adaptive()));
        }
    }

    /** One key under a limit: its bucket (rate keys) or running count (concurrency keys), and what waits on it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeyJson(@Schema(required = true) String key,
            @Schema(required = true, enumeration = {"rate", "concurrency"}) String kind,
            @Schema(description = "cost units in the bucket now; negative after an oversized task") Double available,
            @Schema(description = "cost units handed out since the key came into use") Long spent,
            @Schema(required = true) int waiting,
            Integer running,
            @Schema(description = "this key's own adaptive cap, when its limit has one; its cap in effect is the lower"
                    + " of it and max_running") TypeResource.AdaptiveJson adaptive) {
    }

    /** A limit in effect with the keys it governs now (at most 1,000 listed). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LimitJson(@Schema(required = true) String key, Long rate, String window, Long burst, Integer maxRunning,
            @Schema(description = "the adaptive cap each concurrency_key gets, if any") TypeResource.AdaptiveRequest adaptive,
            @Schema(description = "what an admin set at runtime, absent when as configured") LimitRequest runtime,
            @Schema(required = true) boolean configured,
            @Schema(required = true) int keysInUse,
            @Schema(required = true, description = "ready tasks waiting on this limit") int waiting,
            @Schema(required = true) List<KeyJson> keys) {

        static LimitJson of(LimitView v) {
            LimitSettings s = v.limit();
            return new LimitJson(s.key(), s.rate(), s.windowMillis() == null ? null : Requests.duration(s.windowMillis()),
                    s.rate() == null ? null : s.capacity(), s.maxRunning(),
                    s.adaptive() == null ? null : TypeResource.AdaptiveRequest.of(s.adaptive()), LimitRequest.of(v.runtime()),
                    v.configured(), v.keysInUse(), v.waiting(), v.keys().stream().map(k -> new KeyJson(k.key(), k.kind(),
                            k.available(), k.spent(), k.waiting(), k.running(),
                            k.adaptive() == null ? null : TypeResource.AdaptiveJson.of(k.adaptive()))).toList());
        }
    }
}
