package dev.baton.api;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request body is JSON in UTF-8, and says so: JAX-RS takes a body without {@code Content-Type}
 * as whatever the method consumes, and Jackson reads any declared charset as UTF-8. Both answer 415
 * naming the expected type, before the body is read.
 */
public class MediaTypeFilter {

    @ServerRequestFilter
    public Optional<RestResponse<ErrorBody>> requireJson(jakarta.ws.rs.container.ContainerRequestContext request) {
        if (!hasBody(request)) {
            return Optional.empty();
        }
        String declared = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (declared == null || declared.isBlank()) {
            return refuse("a request body needs Content-Type: application/json");
        }
        MediaType type;
        try {
            type = request.getMediaType();
        } catch (IllegalArgumentException e) {
            return refuse("expected Content-Type: application/json, was " + declared);
        }
        String charset = type == null ? null : type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (charset != null && !charset.equalsIgnoreCase(StandardCharsets.UTF_8.name())) {
            return refuse("expected Content-Type: application/json in UTF-8, was " + declared);
        }
        return Optional.empty();
    }

    private static boolean hasBody(jakarta.ws.rs.container.ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return request.getHeaderString("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }

    private static Optional<RestResponse<ErrorBody>> refuse(String message) {
        return Optional.of(ErrorBody.response(415, "unsupported_media_type", message));
    }
}
