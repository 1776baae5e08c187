package dev.baton.api;

import dev.baton.engine.Ids;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/** Every error answer: {@code {"error": code, "message": text}} (DESIGN §6). */
public record ErrorBody(String error, String message) {

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
