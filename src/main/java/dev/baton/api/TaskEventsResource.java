package dev.baton.api;

import dev.baton.events.EventHub;
import dev.baton.events.TaskStates;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Clock;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/tasks/{id}/events}: one task's events until its terminal one. 404 for an unknown task. */
@Path("/v1/tasks/{id}/events")
@Tag(name = "events")
public class TaskEventsResource {

    @Inject
    EventHub hub;

    @Inject
    TaskStates tasks;

    @Inject
    Clock clock;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking // a finished task may be read from Redis
    @Operation(summary = "Stream one task's events", description = "ends after the task's terminal event; "
            + "a task that has ended already gets its last event and the stream closes")
    public Multi<OutboundSseEvent> stream(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
            @Context Sse sse) {
        Long after = EventsResource.lastEventId(lastEventId);
        return EventsResource.toSse(hub.subscribeTask(id, after, hub.publishable(tasks.current(id, clock.millis()))), sse);
    }
}
