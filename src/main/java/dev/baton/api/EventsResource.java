package dev.baton.api;

import dev.baton.engine.EventType;
import dev.baton.engine.InvalidRequestException;
import dev.baton.events.EventHub;
import dev.baton.events.EventStream;
import dev.baton.events.SseItem;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /v1/events}: every event as server-sent events ({@code id: <seq>}, {@code event:
 * <kind>}, {@code data: <json>}), filtered by kind, task type and agent. The hub does the work;
 * this parses and maps.
 */
@Path("/v1/events")
@Tag(name = "events")
public class EventsResource {

    private static final Set<String> KINDS = Arrays.stream(EventType.values()).map(EventType::wireName)
            .collect(Collectors.toUnmodifiableSet());

    @Inject
    EventHub hub;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Stream events", description = "filters: event (comma-separated kinds), task_type, agent; "
            + "a reconnect with Last-Event-ID first gets what it missed, or a resync event when that is gone")
    public Multi<OutboundSseEvent> stream(@QueryParam("event") String event, @QueryParam("task_type") String taskType,
            @QueryParam("agent") String agent, @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        EventStream.Filter filter = new EventStream.Filter(kinds(event), blankToNull(taskType), blankToNull(agent), null);
        return toSse(hub.subscribe(filter, lastEventId(lastEventId)), sse);
    }

    static Multi<OutboundSseEvent> toSse(EventStream stream, Sse sse) {
        return Multi.createFrom().publisher(stream).map(item -> toSse(item, sse));
    }

    private static OutboundSseEvent toSse(SseItem item, Sse sse) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder();
        if (item.isComment()) {
            return builder.comment(item.comment()).build();
        }
        if (item.id() != null) {
            builder.id(item.id());
        }
        return builder.name(item.name()).mediaType(MediaType.TEXT_PLAIN_TYPE).data(item.data()).build();
    }

    static Long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Last-Event-ID", "must be an event's seq (a whole number), was '" + header + "'");
        }
    }

    private static Set<String> kinds(String param) {
        if (param == null || param.isBlank()) {
            return null;
        }
        Set<String> kinds = new LinkedHashSet<>();
        for (String kind : param.split(",")) {
            String trimmed = kind.trim();
            if (!KINDS.contains(trimmed)) {
                throw new InvalidRequestException("event", "unknown event kind '" + trimmed + "'; known: "
                        + KINDS.stream().sorted().collect(Collectors.joining(", ")));
            }
            kinds.add(trimmed);
        }
        return kinds;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
