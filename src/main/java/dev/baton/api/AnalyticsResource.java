package dev.baton.api;

import dev.baton.analytics.Analytics;
import dev.baton.engine.Ids;
import dev.baton.engine.InvalidRequestException;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /v1/analytics}: the per-minute figures of the last 24 hours, for everything, a type or an agent.
 * On a worker thread: a read waits for the analytics' monitor, which its recording thread holds for a
 * batch of events at a time, and an event loop must not wait (it serves the claims and the dashboard's files).
 */
@Path("/v1/analytics")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
@Blocking
public class AnalyticsResource {

    private static final long MINUTE_MILLIS = 60_000;
    private static final long DAY_MILLIS = 24 * 60 * MINUTE_MILLIS;
    private static final long DEFAULT_RANGE_MILLIS = 60 * MINUTE_MILLIS;
    private static final Pattern STEP = Pattern.compile("([0-9]{1,5})([smh])");

    @Inject
    Analytics analytics;

    @Inject
    Clock clock;

    @GET
    @Operation(operationId = "analytics", summary = "Per-minute figures of the last 24 hours: submitted, completed, failed, "
            + "expired, queue-wait and run-time percentiles, utilisation; for everything, one type or one agent")
    @APIResponse(responseCode = "200", description = "one point per step from from to to",
            content = @Content(schema = @Schema(implementation = Analytics.Report.class)))
    @APIResponse(responseCode = "400", description = "a bad type, agent, time or step, or both type and agent")
    public Analytics.Report analytics(
            @Parameter(description = "one task type's figures") @QueryParam("type") String type,
            @Parameter(description = "one agent's figures (not with type)") @QueryParam("agent") String agent,
            @Parameter(description = "ISO-8601 instant; default an hour before to; at most 24 hours back")
            @QueryParam("from") String from,
            @Parameter(description = "ISO-8601 instant; default now") @QueryParam("to") String to,
            @Parameter(description = "whole minutes as 60s, 5m or 1h; default 1m", schema = @Schema(defaultValue = "1m"))
            @QueryParam("step") String step) {
        if (type != null && agent != null) {
            throw new InvalidRequestException("agent", "give type or agent, not both");
        }
        long now = clock.millis();
        long end = to == null ? now : Requests.instantParam("to", to);
        long start = from == null ? end - DEFAULT_RANGE_MILLIS : Requests.instantParam("from", from);
        if (start >= end) {
            throw new InvalidRequestException("from", "must be before to");
        }
        return analytics.query(type == null ? null : Ids.requireValid("type", type),
                agent == null ? null : Ids.requireValid("agent", agent), start, end, step(step), now);
    }

    static long step(String value) {
        if (value == null) {
            return MINUTE_MILLIS;
        }
        Matcher m = STEP.matcher(value);
        if (!m.matches()) {
            throw new InvalidRequestException("step", "must be a number of seconds, minutes or hours such as 60s, 5m or 1h, was '" + value + "'");
        }
        long unit = switch (m.group(2)) {
            case "s" -> 1000;
            case "m" -> MINUTE_MILLIS;
            default -> 60 * MINUTE_MILLIS;
        };
        long millis = Long.parseLong(m.group(1)) * unit;
        if (millis < MINUTE_MILLIS || millis > DAY_MILLIS || millis % MINUTE_MILLIS != 0) {
            throw new InvalidRequestException("step", "must be whole minutes from 1m to 24h, was '" + value + "'");
        }
        return millis;
    }
}
