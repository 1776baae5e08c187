package dev.baton.api;

import org.jboss.resteasy.reactive.RestResponse;

/**
 * A call refused before it reaches a resource (auth, not serving yet), as a status, the error body
 * and at most one header; answered by the JAX-RS filters and the event routes alike.
 */
record Refusal(int status, ErrorBody body, String header, String headerValue) {

    Refusal(int status, ErrorBody body) {
        this(status, body, null, null);
    }

    RestResponse<ErrorBody> response() {
        RestResponse.ResponseBuilder<ErrorBody> builder = ErrorBody.builder(status, body.error(), body.message());
        if (header != null) {
            builder.header(header, headerValue);
        }
        return builder.build();
    }
}
