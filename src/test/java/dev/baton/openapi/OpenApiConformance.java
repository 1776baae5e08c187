package dev.baton.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A REST Assured filter that holds every answer to the OpenAPI document: the status code is one
 * the operation declares, a body is there exactly when one is declared, with the declared media
 * type, valid against the declared schema (closed: a field the document does not name fails), and
 * the declared headers are sent. Records which operation and status it saw, so a test can ask
 * that every operation was driven.
 */
final class OpenApiConformance implements Filter {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    private final JsonNode document;
    private final JsonNode defs;
    private final List<Route> routes = new ArrayList<>();
    private final Set<String> seen = new TreeSet<>();

    private record Route(String template, Pattern pattern, int variables) {
    }

    OpenApiConformance(String documentJson) {
        try {
            this.document = MAPPER.readTree(documentJson);
            JsonNode schemas = document.path("components").path("schemas");
            this.defs = closed(MAPPER.readTree(schemas.toString().replace("#/components/schemas/", "#/$defs/")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        document.path("paths").fieldNames().forEachRemaining(template -> routes.add(new Route(template,
                Pattern.compile(template.replaceAll("\\{[^/]+}", "[^/]+")), template.split("\\{", -1).length - 1)));
        routes.sort(Comparator.comparingInt(Route::variables)); // /v1/tasks/batch before /v1/tasks/{id}
    }

    /** "METHOD template status" of every answer checked so far. */
    Set<String> seen() {
        return seen;
    }

    /** "METHOD template status" of every status the document declares for the given path prefix. */
    Set<String> declared(String prefix) {
        Set<String> all = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> {
            if (path.getKey().startsWith(prefix)) {
                path.getValue().fields().forEachRemaining(op -> op.getValue().path("responses").fieldNames()
                        .forEachRemaining(code -> all.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey() + " " + code)));
            }
        });
        return all;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        check(request.getMethod(), URI.create(request.getURI()).getRawPath(), response);
        return response;
    }

    private void check(String method, String path, Response response) {
        String verb = method.toLowerCase(Locale.ROOT);
        String template = routes.stream()
                .filter(r -> r.pattern().matcher(path).matches() && document.path("paths").path(r.template()).has(verb))
                .map(Route::template).findFirst()
                .orElseThrow(() -> new AssertionError("the document has no operation " + method + " " + path));
        String status = Integer.toString(response.statusCode());
        String call = method + " " + path + " answered " + status + " " + response.asString();
        JsonNode declared = document.path("paths").path(template).path(verb).path("responses").path(status);
        if (declared.isMissingNode()) {
            throw new AssertionError(call + ": status " + status + " is not declared for " + method + " " + template);
        }
        seen.add(method + " " + template + " " + status);
        declared.path("headers").fieldNames().forEachRemaining(header -> {
            if (response.header(header) == null) {
                throw new AssertionError(call + ": the declared header " + header + " is missing");
            }
        });
        JsonNode content = declared.path("content");
        String body = response.asString();
        if (content.isMissingNode() || content.isEmpty()) {
            if (!body.isEmpty()) {
                throw new AssertionError(call + ": a body where the document declares none");
            }
            return;
        }
        String mediaType = content.fieldNames().next();
        if (response.contentType() == null || !response.contentType().startsWith(mediaType)) {
            throw new AssertionError(call + ": content type " + response.contentType() + ", declared " + mediaType);
        }
        validate(call, content.path(mediaType).path("schema"), body);
    }

    private void validate(String call, JsonNode schema, String body) {
        try {
            ObjectNode root = MAPPER.createObjectNode();
            root.put("$schema", JSON_SCHEMA_2020_12);
            root.set("$defs", defs);
            root.putArray("allOf").add(closed(MAPPER.readTree(schema.toString().replace("#/components/schemas/", "#/$defs/"))));
            JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
            Set<ValidationMessage> problems = validator.validate(MAPPER.readTree(body));
            if (!problems.isEmpty()) {
                throw new AssertionError(call + ": not what the document declares: " + problems);
            }
        } catch (IOException e) {
            throw new AssertionError(call + ": not JSON", e);
        }
    }

    /** Every object schema with properties and no word on others gets {@code additionalProperties: false}. */
    private static JsonNode closed(JsonNode schema) {
        if (schema.isObject()) {
            ObjectNode object = (ObjectNode) schema;
            if (object.has("properties") && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            closed(it.next().getValue());
        }
        if (schema.isArray()) {
            schema.forEach(OpenApiConformance::closed);
        }
        return schema;
    }
}
