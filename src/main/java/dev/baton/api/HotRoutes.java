package dev.baton.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.config.BatonConfig;
import dev.baton.config.EngineMetrics;
import dev.baton.engine.ClaimAttempt;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.Coordinator;
import dev.baton.engine.BatchItem;
import dev.baton.engine.BatchResult;
import dev.baton.engine.HeartbeatResult;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.LeaseHolderCheck;
import dev.baton.engine.PendingClaim;
import dev.baton.engine.SubmitResult;
import dev.baton.engine.TaskSpec;
import dev.baton.store.RetainedTasks;
import dev.baton.store.Store;
import dev.baton.webhooks.CallbackPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The hot calls (submit and submit many, and the agent's loop: claim, heartbeat, complete, complete
 * many, fail) on Vert.x routes
 * in front of the JAX-RS resources, which stay the declaration of these calls (and their OpenAPI
 * entries). Through RESTEasy each call cost more CPU in filters, content negotiation and
 * reflective entity writing than the engine spent on it. The answers are the same bytes: the same
 * checks ({@link ServingFilter#check}, {@link AuthFilter#check}), the same request records read
 * by the same {@link ObjectMapper}, the same answer records written by hand ({@link WireJson}),
 * and the same error mapping ({@link ErrorMapper#refusal}).
 *
 * <p>A request these routes would have to interpret differently from JAX-RS is passed on to it
 * untouched ({@code ctx.next()}, before its body is read): a refused one (so the refusal is the
 * filters' own), a percent-encoded path or query, an {@code Accept} header other than none,
 * {@code *}{@code /*} and {@code application/json}, a body without a plain JSON content type or
 * without {@code Content-Length}, an empty or large body, and a claim with a body.
 */
@ApplicationScoped
public class HotRoutes {

    /** The content type JAX-RS gives a JSON answer; errors are {@code application/json} as they are there. */
    static final String JSON_ANSWER = "application/json;charset=UTF-8";
    /** Bodies up to this size are read here; larger ones go to JAX-RS, which enforces the body limit. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String AGENTS = "/v1/agents/*";
    private static final String TASKS = "/v1/tasks/*";

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    Store store;

    @Inject
    Vertx vertx;

    @Inject
    BatonConfig config;

    @Inject
    EngineMetrics metrics;

    @Inject
    ObjectMapper json;

    @Inject
    AuthFilter auth;

    @Inject
    CallbackPolicy callbacks;

    @Inject
    ServingFilter serving;

    private ObjectReader heartbeatReader;
    private ObjectReader completeReader;
    private ObjectReader failReader;
    private ObjectReader submitReader;
    private ObjectReader batchReader;
    private ObjectReader completeManyReader;
    /** Quarkus takes {@code Forwarded} / {@code X-Forwarded-*} headers: then the scheme and host are theirs. */
    private boolean forwardedHeaders;
    /** Per event loop, the submit's absolute URI for the last {@code Host} ({@link #submitUri}). */
    private final FastThreadLocal<LocationBase> lastSubmitUri = new FastThreadLocal<>();

    void install(@Observes Router router) {
        heartbeatReader = json.readerFor(LeaseRequests.Heartbeat.class);
        completeReader = json.readerFor(LeaseRequests.Complete.class);
        failReader = json.readerFor(LeaseRequests.Fail.class);
        submitReader = json.readerFor(SubmitTaskRequest.class);
        batchReader = json.readerFor(BatchRequest.class);
        completeManyReader = json.readerFor(CompleteMany.Request.class);
        forwardedHeaders = ConfigProvider.getConfig().getOptionalValue("quarkus.http.proxy.proxy-address-forwarding", Boolean.class)
                .orElse(false);
        router.post("/v1/tasks").handler(ctx -> withBody(ctx, submitReader, this::submit));
        router.post("/v1/tasks/batch").handler(ctx -> withBody(ctx, batchReader, this::batch));
        // prefixes, taken apart here: a route with a path parameter is a regular expression per request
        router.post(AGENTS).handler(this::agentCall);
        router.post(TASKS).handler(this::taskCall);
    }

    /** {@code POST /v1/agents/{id}/claim} and {@code /v1/agents/{id}/complete}; anything else goes on. */
    private void agentCall(RoutingContext ctx) {
        String path = ctx.request().path();
        int slash = path.indexOf('/', AGENTS.length() - 1);
        if (slash > AGENTS.length() - 1 && path.startsWith("claim", slash + 1) && path.length() == slash + 6) {
            claim(ctx, path.substring(AGENTS.length() - 1, slash));
        } else if (slash > AGENTS.length() - 1 && path.startsWith("complete", slash + 1) && path.length() == slash + 9) {
            String id = path.substring(AGENTS.length() - 1, slash);
            this.<CompleteMany.Request>withBody(ctx, completeManyReader, (c, body) -> completeMany(c, id, body));
        } else {
            ctx.next();
        }
    }

    /** {@code POST /v1/tasks/{id}/heartbeat}, {@code /complete} and {@code /fail}; anything else goes on. */
    private void taskCall(RoutingContext ctx) {
        String path = ctx.request().path();
        int slash = path.indexOf('/', TASKS.length() - 1);
        String action = slash > TASKS.length() - 1 ? path.substring(slash + 1) : "";
        String id = action.isEmpty() ? null : path.substring(TASKS.length() - 1, slash);
        switch (action) {
            case "heartbeat" -> this.<LeaseRequests.Heartbeat>withBody(ctx, heartbeatReader, (c, body) -> heartbeat(c, id, body));
            case "complete" -> this.<LeaseRequests.Complete>withBody(ctx, completeReader, (c, body) -> complete(c, id, body));
            case "fail" -> this.<LeaseRequests.Fail>withBody(ctx, failReader, (c, body) -> fail(c, id, body));
            default -> ctx.next();
        }
    }

    private void claim(RoutingContext ctx, String pathId) {
        HttpServerRequest request = ctx.request();
        if (!servedHere(ctx) || hasBody(request) || (request.query() != null && encoded(request.query()))) {
            ctx.next();
            return;
        }
        long startNanos = System.nanoTime();
        try {
            String id = Requests.pathId("id", pathId);
            String query = request.query();
            boolean plain = Requests.plainQuery(query);
            String waitParam = plain ? Requests.queryParam(query, "wait_ms") : request.getParam("wait_ms");
            String maxParam = plain ? Requests.queryParam(query, "max") : request.getParam("max");
            long wait = Requests.longParam("wait_ms", waitParam, 0, 0, config.claimMaxWait().toMillis());
            int wanted = Requests.intParam("max", maxParam, 1, 1, config.claimMaxTasks());
            if (wait == 0) {
                List<ClaimedTask> tasks = coordinator.claim(id, wanted, clock.millis());
                metrics.claimed(System.nanoTime() - startNanos);
                claimed(ctx, tasks);
                return;
            }
            ClaimAttempt attempt = coordinator.claimOrWait(id, wanted, clock.millis());
            if (!attempt.parked()) {
                metrics.claimed(System.nanoTime() - startNanos);
                claimed(ctx, attempt.tasks());
                return;
            }
            park(ctx, attempt.pending(), wait);
        } catch (RuntimeException e) {
            refuse(ctx, e);
        }
    }

    /**
     * Waits for the engine to push a task (or for the timer, or the client going away, to end the
     * wait through {@link Coordinator#endWait}, which answers empty unless a task got there first).
     * The answer is written on the claim's event loop, at once when the push happens there.
     */
    private void park(RoutingContext ctx, PendingClaim pending, long wait) {
        Context context = Vertx.currentContext();
        long timer = vertx.setTimer(wait, t -> coordinator.endWait(pending, clock.millis()));
        ctx.response().closeHandler(closed -> coordinator.endWait(pending, clock.millis()));
        pending.result().whenComplete((tasks, failure) -> {
            vertx.cancelTimer(timer);
            if (Vertx.currentContext() == context) {
                answerClaim(ctx, tasks, failure);
            } else {
                context.runOnContext(v -> answerClaim(ctx, tasks, failure));
            }
        });
    }

    private void answerClaim(RoutingContext ctx, List<ClaimedTask> tasks, Throwable failure) {
        if (failure != null) {
            refuse(ctx, failure);
        } else {
            claimed(ctx, tasks);
        }
    }

    private void claimed(RoutingContext ctx, List<ClaimedTask> tasks) {
        if (tasks.isEmpty()) {
            ctx.response().setStatusCode(204).end();
        } else {
            write(ctx.response().setStatusCode(200), JSON_ANSWER, WireJson.claimed(tasks));
        }
    }

    /** As {@link TaskResource#submit}: 201 with {@code Location} for a new task, 200 for a repeat. */
    private void submit(RoutingContext ctx, SubmitTaskRequest body) {
        TaskSpec spec = body.toSingleSpec();
        callbacks.check("callback_url", spec.callbackUrl());
        List<String> named = TaskResource.named(List.of(new BatchItem(null, spec)), coordinator.config().maxDependencies());
        durably(ctx, named, () -> coordinator.submit(spec, clock.millis()), SubmitResult::seq, result -> {
            if (result.created()) {
                ctx.response().putHeader(HttpHeaders.LOCATION, TaskResource.locationText(submitUri(ctx.request()), result.task().id()));
            }
            write(ctx.response().setStatusCode(result.created() ? 201 : 200), JSON_ANSWER, WireJson.task(result.task()));
        });
    }

    /** As {@link TaskResource#batch}: one engine call and one durable wait for all members; 201 when any was created. */
    private void batch(RoutingContext ctx, BatchRequest body) {
        List<BatchItem> items = body.toItems();
        TaskResource.checkCallbacks(callbacks, items);
        durably(ctx, TaskResource.named(items, coordinator.config().maxDependencies()),
                () -> coordinator.submitBatch(items, clock.millis()), BatchResult::seq, result -> {
                    boolean createdAny = result.tasks().stream().anyMatch(BatchResult.Member::created);
                    write(ctx.response().setStatusCode(createdAny ? 201 : 200), JSON_ANSWER, WireJson.batch(result.tasks()));
                });
    }

    /** As {@link AgentResource#completeMany}. */
    private void completeMany(RoutingContext ctx, String pathId, CompleteMany.Request body) {
        String agentId = Requests.pathId("id", pathId);
        List<CompleteMany.Checked> items = body.checked(coordinator.config().maxBatch());
        LeaseHolderCheck holder = holder(ctx, agentId);
        durably(ctx, CompleteMany.ids(items), () -> CompleteMany.completeAll(coordinator, clock, holder, items),
                CompleteMany.Done::seq,
                done -> write(ctx.response().setStatusCode(200), JSON_ANSWER, WireJson.completedMany(done.all())));
    }

    private void heartbeat(RoutingContext ctx, String pathId, LeaseRequests.Heartbeat body) {
        String taskId = Requests.pathId("id", pathId);
        HeartbeatResult result = coordinator.heartbeat(taskId, LeaseRequests.requireLease(body.leaseId()),
                body.progress(), body.checkedMessage(), clock.millis(), holder(ctx, body.agentId()));
        write(ctx.response().setStatusCode(200), JSON_ANSWER, WireJson.heartbeat(new LeaseResource.HeartbeatJson(
                Instant.ofEpochMilli(result.leaseExpiresAt()), result.cancelRequested(), result.task().status().name())));
    }

    private void complete(RoutingContext ctx, String pathId, LeaseRequests.Complete body) {
        String taskId = Requests.pathId("id", pathId);
        String leaseId = LeaseRequests.requireLease(body.leaseId());
        String result = body.resultJson();
        LeaseHolderCheck holder = holder(ctx, body.agentId());
        outcome(ctx, taskId, () -> coordinator.complete(taskId, leaseId, result, clock.millis(), holder));
    }

    private void fail(RoutingContext ctx, String pathId, LeaseRequests.Fail body) {
        String taskId = Requests.pathId("id", pathId);
        String leaseId = LeaseRequests.requireLease(body.leaseId());
        String error = body.requireError();
        boolean retryable = body.isRetryable();
        LeaseHolderCheck holder = holder(ctx, body.agentId());
        outcome(ctx, taskId, () -> coordinator.fail(taskId, leaseId, error, retryable, clock.millis(), holder));
    }

    /** Runs a finishing call as LeaseResource does, and answers once its change is durable. */
    private void outcome(RoutingContext ctx, String taskId, Supplier<CompletionResult> call) {
        durably(ctx, List.of(taskId), call, CompletionResult::seq,
                result -> write(ctx.response().setStatusCode(200), JSON_ANSWER, WireJson.outcome(result.task(), result.duplicate())));
    }

    /**
     * Runs an engine call naming {@code ids} (finished ones read back from Redis first when the
     * engine no longer holds them, {@link RetainedTasks#call}), and answers once its change is
     * durable, or refuses. Without a {@code Uni} when nothing is to be read back: each Mutiny
     * operator captures and restores the context, which cost more than the call.
     */
    private <T> void durably(RoutingContext ctx, List<String> ids, Supplier<T> call, ToLongFunction<T> seq, Consumer<T> answer) {
        RetainedTasks retained = store.retained();
        if (!retained.knowsAll(ids)) {
            retained.call(ids, call).subscribe().with(result -> whenDurable(ctx, result, seq, answer), failure -> refuse(ctx, failure));
            return;
        }
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            refuse(ctx, e);
            return;
        }
        whenDurable(ctx, result, seq, answer);
    }

    private <T> void whenDurable(RoutingContext ctx, T result, ToLongFunction<T> seq, Consumer<T> answer) {
        store.whenDurable(seq.applyAsLong(result), failure -> {
            if (failure != null) {
                refuse(ctx, failure);
                return;
            }
            try {
                answer.accept(result);
            } catch (RuntimeException e) {
                refuse(ctx, e);
            }
        });
    }

    private LeaseHolderCheck holder(RoutingContext ctx, String agentId) {
        return auth.leaseHolder(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), agentId);
    }

    /** A call with a body, read as {@code reader}'s record (a refusal when it cannot be). */
    private <T> void withBody(RoutingContext ctx, ObjectReader reader, BiConsumer<RoutingContext, T> call) {
        HttpServerRequest request = ctx.request();
        int length = servedHere(ctx) ? plainJsonBodyLength(request) : 0;
        if (length <= 0 || request.isEnded()) { // nothing left to gather here: the JAX-RS path takes it
            ctx.next();
            return;
        }
        Body body = new Body(length);
        request.handler(body).exceptionHandler(ctx::fail).endHandler(end -> {
            try {
                T value = Requests.required(body.parse(reader));
                call.accept(ctx, value);
            } catch (IOException | RuntimeException e) {
                refuse(ctx, e);
            }
        });
        request.resume();
    }

    /**
     * A request body of a declared length, gathered for one parse: one that came in one piece (a
     * small body always does) is parsed where Vert.x put it, one in several pieces is copied once
     * into an array of the declared length. Vert.x' own {@code body()} gathers into a buffer that
     * doubles as it fills, and its bytes were copied once more for the parser.
     */
    static final class Body implements Handler<Buffer> {

        private final int length;
        private Buffer first;
        private byte[] gathered;
        private int size;

        Body(int length) {
            this.length = length;
        }

        @Override
        public void handle(Buffer chunk) {
            int more = chunk.length();
            if (more > length - size) {
                size = length + 1; // the parse refuses it; what else arrives is dropped
                first = null;
                gathered = null;
                return;
            }
            if (size == 0) {
                first = chunk;
            } else {
                if (gathered == null) {
                    gathered = new byte[length];
                    first.getBytes(0, size, gathered, 0);
                    first = null;
                }
                chunk.getBytes(0, more, gathered, size);
            }
            size += more;
        }

        <T> T parse(ObjectReader reader) throws IOException {
            if (size > length) {
                throw new InvalidRequestException("body", "is longer than its Content-Length (" + length + " bytes)");
            }
            if (gathered != null) {
                return reader.readValue(gathered, 0, size);
            }
            if (first == null) {
                return reader.readValue(new byte[0]);
            }
            ByteBuf bytes = first.getByteBuf();
            return bytes.hasArray() ? reader.readValue(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), size)
                    : reader.readValue(first.getBytes());
        }
    }

    /**
     * {@code POST /v1/tasks} as an absolute URI, as {@code absoluteURI()} writes it without the query:
     * the scheme, then the {@code Host} header with the scheme's default port dropped. Vert.x Web
     * works that out anew for every request (its forwarded-header parser, a handful of strings); here
     * the last answer is kept per event loop for the last connection and {@code Host} (whether
     * the connection is TLS is a walk of its pipeline). A {@code Host} of anything but
     * letters, digits, dots and hyphens with an optional port of one to five digits, or a server that
     * takes forwarded headers, asks Vert.x.
     */
    private String submitUri(HttpServerRequest request) {
        String host = request.getHeader(HttpHeaders.HOST);
        if (forwardedHeaders || !LocationBase.plainHost(host)) {
            String uri = request.absoluteURI();
            int query = uri.indexOf('?');
            return query < 0 ? uri : uri.substring(0, query);
        }
        HttpConnection connection = request.connection();
        LocationBase last = lastSubmitUri.get();
        if (last == null || last.connection() != connection || !last.host().equals(host)) {
            last = new LocationBase(connection, host, LocationBase.uri(connection.isSsl(), host, "/v1/tasks"));
            lastSubmitUri.set(last);
        }
        return last.uri();
    }

    /** Whether this call is answered here: served, allowed, unencoded, asking for JSON or anything. */
    private boolean servedHere(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = request.path();
        if (encoded(path) || !acceptsJson(request.getHeader(HttpHeaders.ACCEPT))) {
            return false;
        }
        return serving.check(path).isEmpty()
                && auth.check(request.method().name(), path, request.getHeader(HttpHeaders.AUTHORIZATION),
                        EventRoutes.session(ctx)).isEmpty();
    }

    private static boolean encoded(String text) {
        return text.indexOf('%') >= 0 || text.indexOf('+') >= 0;
    }

    private static boolean acceptsJson(String accept) {
        return accept == null || accept.equals("*/*") || accept.equals("application/json");
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.trim().equals("0"));
    }

    /** A body of known, small, non-zero length, declared as JSON in UTF-8 (or with no charset). */
    /** The length of a plain JSON body of at most {@link #MAX_BODY_BYTES}, or 0 when it is not one (or is empty). */
    private static int plainJsonBodyLength(HttpServerRequest request) {
        if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            return 0;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (length == null || type == null) {
            return 0;
        }
        int bytes;
        try {
            bytes = Integer.parseInt(length);
        } catch (NumberFormatException e) {
            return 0;
        }
        String declared = type.replace(" ", "").toLowerCase(Locale.ROOT);
        boolean json = declared.equals("application/json") || declared.equals("application/json;charset=utf-8");
        return json && bytes > 0 && bytes <= MAX_BODY_BYTES ? bytes : 0;
    }

    private void refuse(RoutingContext ctx, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Refusal refusal = ErrorMapper.refusal(cause);
        HttpServerResponse response = ctx.response().setStatusCode(refusal.status());
        if (refusal.header() != null) {
            response.putHeader(refusal.header(), refusal.headerValue());
        }
        write(response, "application/json", WireJson.error(refusal.body()));
    }

    /**
     * Headers in the order JAX-RS writes them: the length, then the type. The answer's text is
     * encoded once ({@link AnswerBytes}) and its bytes written as they are, not copied again.
     */
    static void write(HttpServerResponse response, String type, CharSequence answer) {
        if (response.ended() || response.closed()) {
            return;
        }
        byte[] bytes = AnswerBytes.encode(answer);
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length))
                .putHeader(HttpHeaders.CONTENT_TYPE, type)
                .end(Buffer.buffer(Unpooled.wrappedBuffer(bytes)));
    }
}
