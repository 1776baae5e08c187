package dev.baton.api;

import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/** Every error answer: {@code {"error": code, "message": text}} (DESIGN §6). */
public record ErrorBody(String error, String message) {

    static RestResponse<ErrorBody> response(int status, String code, String message) {
        return builder(status, code, message).build();
    }

    static RestResponse.ResponseBuilder<ErrorBody> builder(int status, String code, String message) {
        return RestResponse.ResponseBuilder.<ErrorBody>create(status).entity(new ErrorBody(code, message))
                .type(MediaType.APPLICATION_JSON_TYPE);
    }
}
