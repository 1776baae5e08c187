package dev.baton.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * What holds for every operation of the served document, said once instead of on each method:
 * every {@code /v1} call may be refused by the token check (401, 403) and answers 503 until
 * Baton serves; every 4xx and 5xx answer is the error body; 429 and 503 carry {@code Retry-After}.
 * Registered with {@code mp.openapi.filter}.
 */
public class OpenApiFilter implements OASFilter {

    private static final String ERROR_BODY = "#/components/schemas/ErrorBody";

    /** Code and description, in the order they are added. */
    private static final String[][] EVERY_CALL = {
        {"401", "unauthorized: tokens are configured and this call has none, or an unknown one"},
        {"403", "forbidden: this token's role may not make this call"},
        {"503", "not_ready (recovering or stopping) or durability_unavailable: Redis cannot take the write now"},
    };

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.getOperations().values().forEach(OpenApiFilter::everyCall);
            }
        });
        nullable(openAPI, "Member", "ref");
    }

    private static void everyCall(Operation operation) {
        APIResponses responses = operation.getResponses();
        for (String[] answer : EVERY_CALL) {
            if (responses.getAPIResponse(answer[0]) == null) {
                responses.addAPIResponse(answer[0], OASFactory.createAPIResponse().description(answer[1]));
            }
        }
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("4") || code.startsWith("5")) {
                errorBody(code, response);
            }
        });
    }

    private static void errorBody(String code, APIResponse response) {
        if (response.getContent() == null || response.getContent().getMediaTypes().isEmpty()) {
            response.content(OASFactory.createContent().addMediaType("application/json",
                    OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_BODY))));
        }
        if ((code.equals("429") || code.equals("503")) && (response.getHeaders() == null
                || !response.getHeaders().containsKey("Retry-After"))) {
            response.addHeader("Retry-After", OASFactory.createHeader().description("seconds to wait before trying again")
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)));
        }
    }

    /** A property of an engine record (not annotated: the engine knows no framework) that may be JSON null. */
    private static void nullable(OpenAPI openAPI, String schema, String property) {
        Schema owner = openAPI.getComponents().getSchemas().get(schema);
        Schema value = owner == null || owner.getProperties() == null ? null : owner.getProperties().get(property);
        if (value != null && value.getType() != null && !value.getType().contains(Schema.SchemaType.NULL)) {
            value.addType(Schema.SchemaType.NULL);
        }
    }
}
