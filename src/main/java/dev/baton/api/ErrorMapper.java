package dev.baton.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.baton.engine.BackpressureException;
import dev.baton.engine.BatonException;
import dev.baton.engine.ConflictException;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.NotFoundException;
import dev.baton.engine.TooLargeException;
import dev.baton.store.DurabilityUnavailableException;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps every refusal to the error body of docs/api.md, {@code {"error": code, "message": text}},
 * with a message that names the field or the state at fault.
 */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);
    private static final int TOO_MANY_REQUESTS = 429;
    private static final int PAYLOAD_TOO_LARGE = 413;
    private static final long MILLIS_PER_SECOND = 1000;

    @Inject
    AllowedMethods routes;

    @Inject
    HttpErrors vertxRoutes;

    @ServerExceptionMapper
    public RestResponse<ErrorBody> baton(BatonException e) {
        return refusal(e).response();
    }

    /**
     * The answer to a failed call, for the JAX-RS mappers and the hot routes alike: a refusal of
     * ours, a lease used by another agent's token, Redis not confirming, a body Jackson could not
     * read, or (logged) anything unexpected.
     */
    static Refusal refusal(Throwable e) {
        if (e instanceof BackpressureException b) {
            long seconds = Math.max(1, (b.retryAfterMillis() + MILLIS_PER_SECOND - 1) / MILLIS_PER_SECOND);
            return new Refusal(TOO_MANY_REQUESTS, new ErrorBody(b.code(), b.getMessage()), HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        if (e instanceof BatonException b) {
            return new Refusal(status(b), new ErrorBody(b.code(), b.getMessage()));
        }
        if (e instanceof AuthFilter.Forbidden) {
            return new Refusal(403, new ErrorBody("forbidden", e.getMessage()));
        }
        if (e instanceof DurabilityUnavailableException) {
            return new Refusal(503, new ErrorBody("durability_unavailable", e.getMessage()), HttpHeaders.RETRY_AFTER, "1");
        }
        if (e instanceof JsonProcessingException json) {
            return new Refusal(400, new ErrorBody("invalid_request", describe(json)));
        }
        LOG.error("unexpected failure", e);
        return new Refusal(500, new ErrorBody("internal_error", "unexpected failure: " + e));
    }

    static int status(BatonException e) {
        if (e instanceof InvalidRequestException) {
            return 400;
        }
        if (e instanceof NotFoundException) {
            return 404;
        }
        if (e instanceof ConflictException) {
            return 409;
        }
        if (e instanceof BackpressureException) {
            return TOO_MANY_REQUESTS;
        }
        if (e instanceof TooLargeException) {
            return PAYLOAD_TOO_LARGE;
        }
        throw new IllegalStateException("unmapped refusal " + e.getClass().getName(), e);
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> durability(DurabilityUnavailableException e) {
        return refusal(e).response();
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> json(JsonProcessingException e) {
        return refusal(e).response();
    }

    /** Jackson's own mapper for this type answers a bare 400; ours names the field. */
    @ServerExceptionMapper
    public RestResponse<ErrorBody> mismatch(MismatchedInputException e) {
        return refusal(e).response();
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> web(WebApplicationException e, ContainerRequestContext request) {
        Response r = e.getResponse();
        int status = r.getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return invalid(describe(json));
        }
        String allow = status == 404 ? vertxRoutes.allowed(request.getUriInfo().getPath())
                : status != 405 ? null : r.getHeaderString(HttpHeaders.ALLOW) != null ? r.getHeaderString(HttpHeaders.ALLOW)
                : routes.allowed(request.getUriInfo().getPath());
        if (allow != null) {
            status = 405; // not a JAX-RS path, but a Vert.x route (an event stream) serves it by another method
        }
        String message = switch (status) {
            case 404 -> "no route " + request.getMethod() + " " + request.getUriInfo().getPath();
            case 405 -> request.getMethod() + " is not allowed on " + request.getUriInfo().getPath()
                    + (allow == null ? "" : "; allowed: " + allow);
            case 406 -> "this call answers application/json; the Accept header does not allow it";
            case 415 -> "expected Content-Type: application/json (UTF-8)"
                    + (request.getHeaderString(HttpHeaders.CONTENT_TYPE) == null ? ", the request has none"
                            : ", was " + request.getHeaderString(HttpHeaders.CONTENT_TYPE));
            default -> e.getMessage() == null ? r.getStatusInfo().getReasonPhrase() : e.getMessage();
        };
        RestResponse.ResponseBuilder<ErrorBody> answer = ErrorBody.builder(status, code(status), message);
        if (allow != null) {
            answer.header(HttpHeaders.ALLOW, allow);
        }
        return answer.build();
    }

    /** The property that sets the JSON limit Jackson names in {@code message}. */
    static String jsonLimit(String message) {
        String text = String.valueOf(message).toLowerCase(java.util.Locale.ROOT);
        return text.contains("nesting depth") ? "baton.json.max-depth"
                : text.contains("name length") ? "baton.json.max-name-length"
                : text.contains("string value length") ? "baton.json.max-string-length"
                : "Jackson's StreamReadConstraints";
    }

    /** The error code of an HTTP status that no refusal of ours names. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> unexpected(RuntimeException e) {
        return refusal(e).response();
    }

    private static RestResponse<ErrorBody> invalid(String message) {
        return ErrorBody.response(400, "invalid_request", message);
    }

    /** "field: problem" for mapping errors, "malformed JSON: ..." for syntax errors. */
    static String describe(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamConstraintsException limit) {
                return "the JSON is past a limit (" + jsonLimit(limit.getOriginalMessage()) + "): " + limit.getOriginalMessage();
            }
        }
        if (e instanceof JsonParseException) {
            return "malformed JSON: " + e.getOriginalMessage();
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return path(u) + ": unknown field";
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
            String allowed = Arrays.stream(f.getTargetType().getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
            return path(f) + ": unknown value '" + f.getValue() + "', expected one of " + allowed;
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String was = m instanceof InvalidFormatException f ? ", was '" + f.getValue() + "'" : "";
            return path(m) + ": wrong type, expected " + expected(m.getTargetType()) + was;
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) { // e.g. a number out of range
            return path(m) + ": " + e.getOriginalMessage();
        }
        return "malformed request body: " + e.getOriginalMessage();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 instant such as 2026-01-01T12:00:00Z";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return type.getSimpleName();
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
