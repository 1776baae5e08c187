package dev.baton.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import io.quarkus.runtime.configuration.MemorySize;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The error body for answers no resource gives: a path no route serves (404), a method the event
 * routes do not take (405 with {@code Allow}, when a Vert.x route serves the path by another method), a request Vert.x fails before routing (an HTTP/1.1
 * request without {@code Host} is a 400), and any failure of a Vert.x route. JAX-RS
 * refusals are mapped by {@link ErrorMapper}; both answer {@code {"error": code, "message": text}}.
 *
 * <p>A body whose {@code Content-Length} is past {@code quarkus.http.limits.max-body-size} is refused
 * here too, before Quarkus' own check (which answers 413 with no body): 413 {@code too_large} naming
 * the limit, and the connection closed once the rest of that body has been read and dropped (up to
 * 16 × the limit; past that at once), so that a client still sending it reads the 413 rather than a reset. A chunked body
 * (no length declared) is read here up to the limit, so that one past it gets the same 413 with the
 * same body instead of Quarkus' bare 413; JAX-RS then takes the body read. A body the HTTP decoder
 * cannot read (a chunk size that is no number) is a 400 {@code invalid_request} saying so, sent
 * before Vert.x closes the connection, not a 500 and a reset.
 */
@ApplicationScoped
public class HttpErrors {

    private static final Logger LOG = Logger.getLogger(HttpErrors.class);
    /** Netty's HTTP/1.x decoder (and its request and response subclasses). */
    private static final String HTTP_DECODER = "io.netty.handler.codec.http.HttpObjectDecoder";
    /** Error statuses Vert.x may answer on its own when no route takes a request. */
    private static final int[] ROUTER_STATUSES = {400, 404, 405, 406, 413, 414, 415, 431};

    /** Just before Quarkus' own body-size check ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2). */
    private static final int BODY_LIMIT_ORDER = -3;
    /** A body refused for its declared length is read and dropped up to this many times the limit. */
    private static final long DRAINED_TIMES_THE_LIMIT = 16;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    @ConfigProperty(name = "quarkus.http.read-timeout", defaultValue = "60s")
    Duration readTimeout;

    private volatile Router router;
    private final Consumer<RoutingContext> bodyLate = this::bodyLate;

    void install(@Observes Router router) {
        this.router = router;
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        long limit = maxBodySize.map(MemorySize::asLongValue).orElse(-1L);
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(limit);
        router.route().order(BODY_LIMIT_ORDER).handler(ctx -> limitBody(ctx, limit, chunked));
        for (int status : ROUTER_STATUSES) {
            router.errorHandler(status, this::failed);
        }
    }

    private void failed(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (ctx.failure() instanceof HttpClosedException) {
            return; // the peer (or a timeout) closed the connection: nobody is left to answer
        }
        if (response.ended() || response.headWritten()) {
            if (!response.ended()) {
                response.close(); // a stream that failed half-way: nothing honest is left to send
            }
            return;
        }
        if (malformedOnTheWire(ctx.failure())) {
            malformed(ctx);
            return;
        }
        int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
        if (status == 413 && maxBodySize.isPresent()) {
            tooLarge(ctx, "the body is longer than " + limitText(maxBodySize.get().asLongValue()), false);
            return;
        }
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        String code;
        String message;
        String allow = status == 404 || status == 405 ? allowed(path) : null;
        if (allow != null && status == 404) {
            status = 405; // a Vert.x route serves the path, by another method
        }
        switch (status) {
            case 404 -> {
                code = "not_found";
                message = "no route " + method + " " + path;
            }
            case 405 -> {
                code = "method_not_allowed";
                message = method + " is not allowed on " + path + (allow == null ? "" : "; allowed: " + allow);
                if (allow != null) {
                    response.putHeader(HttpHeaders.ALLOW, allow);
                }
            }
            default -> {
                code = status >= 500 ? "internal_error" : ErrorMapper.code(status);
                message = reason(ctx, status);
            }
        }
        if (status >= 500) {
            LOG.errorf(ctx.failure(), "unexpected failure of %s %s", method, path);
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON).end(text(code, message));
    }

    /**
     * Whether {@code failure} is Netty's HTTP decoder refusing what came after the headers (a chunk
     * size that is no hex number, a chunk line too long): the client's fault, not Baton's.
     */
    static boolean malformedOnTheWire(Throwable failure) {
        if (failure instanceof DecoderException || failure instanceof TooLongFrameException) {
            return true;
        }
        if (failure == null) {
            return false;
        }
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith(HTTP_DECODER)) {
                return true;
            }
        }
        return false;
    }

    /**
     * 400 for a body the HTTP decoder could not read. Vert.x closes the connection right after this
     * handler returns, and it would drop an answer written during a read unflushed: flush it first,
     * so the client learns what was wrong instead of seeing the connection reset.
     */
    private void malformed(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        LOG.debugf("malformed body of %s %s: %s", ctx.request().method(), ctx.request().path(), failure);
        String detail = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(text("invalid_request", "the request's body is malformed on the wire (" + detail + ")"));
        if (ctx.request().connection() instanceof ConnectionBase connection) {
            connection.channelHandlerContext().flush();
        }
    }

    /**
     * A body past the size limit is refused before it is read, and every body must arrive within
     * {@code quarkus.http.read-timeout} of its headers: a body trickled in a byte at a time, each
     * within the idle timeout, is answered 408 at that deadline and its connection closed.
     */
    private void limitBody(RoutingContext ctx, long limit, BodyHandler chunked) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean isChunked = length == null && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        if (isChunked || (length != null && !length.equals("0"))) {
            deadline(ctx);
        }
        if (isChunked) {
            chunked.handle(ctx); // reads the body up to the limit; past it fails the request with 413
            return;
        }
        if (limit < 0) {
            ctx.next();
            return;
        }
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            declared = -1; // Vert.x refuses a malformed length itself
        }
        if (declared <= limit) {
            ctx.next();
            return;
        }
        boolean draining = declared <= DRAINED_TIMES_THE_LIMIT * limit && !ctx.request().isEnded();
        if (draining) {
            drainThenClose(ctx);
        }
        tooLarge(ctx, "the body is " + declared + " bytes, more than " + limitText(limit), draining);
    }

    /**
     * Reads the rest of a body refused for its declared length and drops it, closing the connection
     * once it has all come (or at {@code quarkus.http.read-timeout}): a client still sending it then
     * gets to read the 413 instead of a reset on its next write. Only up to
     * {@value #DRAINED_TIMES_THE_LIMIT} × the limit; a longer one is cut off at once.
     */
    private void drainThenClose(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long timer = ctx.vertx().setTimer(readTimeout.toMillis(), fired -> request.connection().close());
        request.handler(dropped -> { });
        request.endHandler(ended -> {
            ctx.vertx().cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
    }

    private void deadline(RoutingContext ctx) {
        if (!ctx.request().isEnded()) {
            BodyDeadlines.watch(ctx, readTimeout.toNanos(), bodyLate);
        }
    }

    /** The body did not arrive within the read timeout: 408, and the connection closed after it. */
    private void bodyLate(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        if (request.isEnded() || response.headWritten() || response.closed()) {
            return;
        }
        response.endHandler(ended -> request.connection().close());
        response.setStatusCode(408).putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(text("request_timeout", "the body did not arrive within quarkus.http.read-timeout ("
                        + readTimeout.toMillis() + " ms) of its headers"));
    }

    /** 413 naming the limit; the connection is closed after it (a drained body: once it has come), since it carries no more requests. */
    private void tooLarge(RoutingContext ctx, String message, boolean draining) {
        HttpServerResponse response = ctx.response();
        if (!draining) {
            response.endHandler(ended -> ctx.request().connection().close());
        }
        response.setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(text("too_large", message));
    }

    private static String limitText(long limit) {
        String configured = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", String.class)
                .orElse(limit + " bytes");
        return "quarkus.http.limits.max-body-size (" + configured + ", " + limit + " bytes)";
    }

    private String text(String code, String message) {
        try {
            return json.writeValueAsString(new ErrorBody(code, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The methods the Vert.x routes take on {@code path} (such as GET for the event streams), or null. */
    String allowed(String path) {
        Set<String> methods = new TreeSet<>();
        if (router == null) {
            return null;
        }
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()
                    && path.matches(route.getPath().replaceAll(":[^/]+", "[^/]+"))) {
                route.methods().forEach(m -> methods.add(m.name()));
            }
        }
        return methods.isEmpty() ? null : String.join(", ", methods);
    }

    private static String reason(RoutingContext ctx, int status) {
        Throwable failure = ctx.failure();
        if (status < 500 && failure != null && failure.getMessage() != null) {
            return failure.getMessage();
        }
        Response.StatusType known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : "HTTP " + status;
    }
}
