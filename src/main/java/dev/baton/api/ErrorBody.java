package dev.baton.api;

import dev.baton.engine.Ids;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Every error answer: {@code {"error": code, "message": text}} (docs/api.md). */
@Schema(name = "ErrorBody", description = "every error answer")
public record ErrorBody(@Schema(required = true, description = "a stable code, e.g. invalid_request, task_not_found, lease_expired")
        String error, @Schema(required = true) String message) {

    /** A message may quote what the client sent; a lone surrogate in it could not be written as UTF-8. */
    public ErrorBody {
        if (message != null && Ids.loneSurrogate(message) >= 0) {
            StringBuilder clean = new StringBuilder(message.length());
            message.codePoints().forEach(c -> clean.appendCodePoint(Character.isSurrogate((char) c) && c <= 0xFFFF ? 0xFFFD : c));
            message = clean.toString();
        }
    }

    static RestResponse<ErrorBody> response(int status, String code, String message) {
        return builder(status, code, message).build();
    }

    static RestResponse.ResponseBuilder<ErrorBody> builder(int status, String code, String message) {
        return RestResponse.ResponseBuilder.<ErrorBody>create(status).entity(new ErrorBody(code, message))
                .type(MediaType.APPLICATION_JSON_TYPE);
    }
}
