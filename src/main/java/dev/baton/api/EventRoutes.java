package dev.baton.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.engine.BatonException;
import dev.baton.engine.EventType;
import dev.baton.engine.InvalidRequestException;
import dev.baton.events.EventHub;
import dev.baton.events.EventStream;
import dev.baton.events.TaskStates;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The server-sent event streams (docs/events.md), served on Vert.x routes rather than JAX-RS
 * resources: the hub hands each subscriber its events as ready-made SSE bytes, one chunk per
 * dispatch batch and one chunk shared by every subscriber that takes everything, and these routes
 * write those bytes to the socket as they are. Through the JAX-RS SSE layer every event was
 * formatted again and written alone for every subscriber, which at 100 subscribers cost more CPU
 * than the rest of Baton. Auth and the not-serving gate are the same checks the JAX-RS filters
 * make; errors have the same {@code {"error","message"}} body. The OpenAPI entries for both paths
 * are in {@code META-INF/openapi.yaml}.
 *
 * <ul>
 *   <li>{@code GET /v1/events}: every event, filtered by {@code event} (comma-separated kinds),
 *   {@code task_type} and {@code agent}.</li>
 *   <li>{@code GET /v1/tasks/{id}/events}: one task's events until its terminal one; 404 for an
 *   unknown task. Runs on a worker thread: a finished task may be read from Redis. A request that
 *   does not accept {@code text/event-stream} (a plain {@code fetch}, REST clients) gets instead the
 *   task's timeline so far as JSON, {@code {"events": [...]}}: the events the replay ring still
 *   holds, each as the stream's {@code data}.</li>
 * </ul>
 * A reconnect with {@code Last-Event-ID} first gets what it missed, or a {@code resync} event when
 * that is gone.
 */
@ApplicationScoped
public class EventRoutes {

    private static final Logger LOG = Logger.getLogger(EventRoutes.class);
    private static final Set<String> KINDS = Arrays.stream(EventType.values()).map(EventType::wireName)
            .collect(Collectors.toUnmodifiableSet());
    /** Sent first, so the client has the response head at once (an SSE comment; clients ignore it). */
    private static final String EVENT_LOOP = "baton.event-loop";
    private static final byte[] CONNECTED = ": connected\n\n".getBytes(StandardCharsets.US_ASCII);

    @Inject
    EventHub hub;

    @Inject
    TaskStates tasks;

    @Inject
    Clock clock;

    @Inject
    ObjectMapper json;

    @Inject
    AuthFilter auth;

    @Inject
    ServingFilter serving;

    /**
     * After {@link HotRoutes} (a later priority: its routes come first): the task stream's path has a
     * parameter, which Vert.x matches as a regular expression against every request that reaches
     * the route, path before method, so ahead of the hot routes it cost each submit, claim and
     * complete a matcher.
     */
    void install(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) Router router) {
        router.get("/v1/events").handler(EventRoutes::noteEventLoop).handler(this::events);
        router.get("/v1/tasks/:id/events").handler(EventRoutes::noteEventLoop).blockingHandler(this::taskEvents, false);
    }

    /** The connection's event loop, noted while on it: the stream's writes are made there. */
    private static void noteEventLoop(RoutingContext ctx) {
        ctx.put(EVENT_LOOP, ((ContextInternal) Vertx.currentContext()).nettyEventLoop());
        ctx.next();
    }

    private void events(RoutingContext ctx) {
        if (refused(ctx)) {
            return;
        }
        try {
            EventStream.Filter filter = new EventStream.Filter(kinds(ctx.request().getParam("event")),
                    blankToNull(ctx.request().getParam("task_type")), blankToNull(ctx.request().getParam("agent")), null);
            Long after = lastEventId(ctx.request().getHeader("Last-Event-ID"));
            stream(ctx, hub.subscribe(filter, after));
        } catch (BatonException e) {
            error(ctx, ErrorMapper.status(e), new ErrorBody(e.code(), e.getMessage()));
        }
    }

    private void taskEvents(RoutingContext ctx) {
        if (refused(ctx)) {
            return;
        }
        try {
            String id = Requests.pathId("id", ctx.pathParam("id"));
            if (wantsTimeline(ctx.request().getHeader(HttpHeaders.ACCEPT))) {
                tasks.current(id, clock.millis()); // a 404 for a task neither held nor kept
                timeline(ctx, hub.history(id));
                return;
            }
            Long after = lastEventId(ctx.request().getHeader("Last-Event-ID"));
            long seen = tasks.lastSeq(); // before the state: the events it misses come after this
            stream(ctx, hub.subscribeTask(id, after, hub.publishable(tasks.current(id, clock.millis())), seen));
        } catch (BatonException e) {
            error(ctx, ErrorMapper.status(e), new ErrorBody(e.code(), e.getMessage()));
        }
    }

    /** Whether the client asked for JSON and not for the stream: then it gets the timeline so far, else the stream. */
    static boolean wantsTimeline(String accept) {
        if (accept == null) {
            return false;
        }
        String asked = accept.toLowerCase(java.util.Locale.ROOT);
        return asked.contains("application/json") && !asked.contains("text/event-stream");
    }

    private static void timeline(RoutingContext ctx, List<String> events) {
        StringBuilder out = new StringBuilder(64 + events.size() * 256).append("{\"events\":[");
        for (int i = 0; i < events.size(); i++) {
            out.append(i == 0 ? "" : ",").append(events.get(i));
        }
        ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(out.append("]}").toString());
    }

    private boolean refused(RoutingContext ctx) {
        String path = ctx.request().path();
        Optional<Refusal> refusal = serving.check(path)
                .or(() -> auth.check(ctx.request().method().name(), path, ctx.request().getHeader(HttpHeaders.AUTHORIZATION),
                        session(ctx)));
        if (refusal.isEmpty()) {
            return false;
        }
        Refusal r = refusal.get();
        if (r.header() != null) {
            ctx.response().putHeader(r.header(), r.headerValue());
        }
        error(ctx, r.status(), r.body());
        return true;
    }

    /** The dashboard session cookie's value, or null: what {@link AuthFilter#check} takes when there is no Authorization header. */
    static String session(RoutingContext ctx) {
        io.vertx.core.http.Cookie cookie = ctx.request().getCookie(UiSessions.COOKIE);
        return cookie == null ? null : cookie.getValue();
    }

    private void error(RoutingContext ctx, int status, ErrorBody body) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(text);
    }

    private static void stream(RoutingContext ctx, EventStream stream) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no"); // proxies such as nginx: do not buffer the stream
        response.closeHandler(closed -> stream.cancel());
        response.exceptionHandler(failure -> stream.cancel());
        response.write(Buffer.buffer(CONNECTED));
        stream.attach(new ResponseSink(response, stream, ctx.get(EVENT_LOOP)));
    }

    /** A stream's bytes to its response, written on the connection's event loop (Vert.x would take them from any thread). */
    private record ResponseSink(HttpServerResponse response, EventStream stream, Executor executor) implements EventStream.Sink {

        @Override
        public void write(byte[] chunk, Runnable written) {
            try {
                response.write(Buffer.buffer(Unpooled.wrappedBuffer(chunk)), done -> written.run());
            } catch (IllegalStateException gone) { // the response was closed meanwhile
                written.run();
                stream.cancel();
            }
        }

        @Override
        public void end() {
            try {
                response.end();
            } catch (IllegalStateException gone) {
                LOG.debugf("event stream already closed: %s", gone.getMessage());
            }
        }

        @Override
        public void abort() {
            response.close();
        }
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
