package dev.baton.openapi;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Java client of the lifecycle test is generated at build time from src/test/openapi/baton.json;
 * this test holds that file equal to what {@code /q/openapi} serves, so the client is generated from
 * the served document. After a meant change to the API, refresh the file:
 * {@code ./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.refresh=true}.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class OpenApiDocumentTest {

    static final Path STORED = Path.of("src/test/openapi/baton.json");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Test
    void theClientIsGeneratedFromTheServedDocument() throws IOException {
        JsonNode served = MAPPER.readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        if (Boolean.getBoolean("openapi.refresh")) {
            Files.createDirectories(STORED.getParent());
            Files.writeString(STORED, MAPPER.writeValueAsString(served) + "\n");
        }
        List<String> differences = new ArrayList<>();
        compare("", MAPPER.readTree(STORED.toFile()), served, differences);
        assertEquals(List.of(), differences, "/q/openapi differs from " + STORED + " at these JSON pointers; if the API"
                + " change is meant, refresh the file with ./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.refresh=true");
    }

    /** JSON pointers where the two differ (object key order does not count). */
    private static void compare(String at, JsonNode stored, JsonNode served, List<String> differences) {
        if (stored.isObject() && served.isObject()) {
            Set<String> keys = new TreeSet<>();
            stored.fieldNames().forEachRemaining(keys::add);
            served.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                compare(at + "/" + key.replace("~", "~0").replace("/", "~1"), stored.path(key), served.path(key), differences);
            }
        } else if (!stored.equals(served)) {
            differences.add(at);
        }
    }
}
