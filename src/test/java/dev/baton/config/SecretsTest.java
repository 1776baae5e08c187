package dev.baton.config;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.SecuredRedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Secrets stay secret: with recognisable tokens of every kind and a Redis password (in the URI of an
 * ACL user, where a careless log of the Redis address would show it), a start, auth failures, refused
 * and failing calls, {@code /q/metrics}, {@code /q/health}, {@code /q/info} and {@code /q/openapi}
 * leave none of them in any answer or in the log (written to a file from the first line of the
 * start, with Baton's and the Redis client's categories at DEBUG).
 */
@QuarkusTest
@TestProfile(SecretsTest.Secrets.class)
@QuarkusTestResource(value = SecuredRedisResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mode", value = "acl"))
class SecretsTest {

    static final String ADMIN = "ADMIN-SECRET-a1b2c3";
    static final String PRODUCER = "PRODUCER-SECRET-d4e5f6";
    static final String AGENT = "AGENT-SECRET-g7h8i9";
    static final String VIEWER = "VIEWER-SECRET-j0k1l2";
    static final String BOUND = "BOUND-SECRET-m3n4o5";
    static final String WEBHOOK = "WEBHOOK-SECRET-p6q7r8";
    static final Path LOG = Path.of("target/secrets-test/baton.log").toAbsolutePath();

    public static class Secrets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(LOG.getParent());
                Files.deleteIfExists(LOG);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.ofEntries(
                    Map.entry("baton.auth.admin-token", ADMIN),
                    Map.entry("baton.auth.producer-token", PRODUCER),
                    Map.entry("baton.auth.agent-token", AGENT),
                    Map.entry("baton.auth.viewer-token", VIEWER),
                    Map.entry("baton.auth.agent-tokens.coders.token", BOUND),
                    Map.entry("baton.auth.agent-tokens.coders.agents", "coder-*"),
                    Map.entry("baton.webhooks.allowed-hosts", "127.0.0.1"),
                    Map.entry("baton.webhooks.secret", WEBHOOK),
                    Map.entry("quarkus.log.file.enabled", "true"),
                    Map.entry("quarkus.log.file.path", LOG.toString()),
                    Map.entry("quarkus.log.category.\"dev.baton\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"io.vertx.redis\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"io.quarkus.redis\".level", "DEBUG"));
        }
    }

    private final List<String> answers = new ArrayList<>();

    private static RequestSpecification as(String token) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    private Response keep(Response response) {
        answers.add(response.getStatusCode() + " " + response.getHeaders() + "\n" + response.asString());
        return response;
    }

    @Test
    void noSecretInAnswersOrLogs() throws IOException {
        assertEquals(401, keep(given().contentType(ContentType.JSON).body(Map.of("type", "x")).post("/v1/tasks")).statusCode());
        assertEquals(401, keep(as(ADMIN + "x").body(Map.of("type", "x")).post("/v1/tasks")).statusCode());
        assertEquals(403, keep(as(AGENT).body(Map.of("type", "x")).post("/v1/tasks")).statusCode());
        assertEquals(403, keep(as(VIEWER).body(Map.of("type", "x")).post("/v1/tasks")).statusCode());
        assertEquals(403, keep(as(BOUND).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/reviewer-1")).statusCode());
        assertEquals(403, keep(as(PRODUCER).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/coder-1")).statusCode());
        assertEquals(400, keep(as(PRODUCER).body("{\"type\": ").post("/v1/tasks")).statusCode());
        assertEquals(400, keep(as(PRODUCER).body(Map.of("type", "x", "bogus", ADMIN.length())).post("/v1/tasks")).statusCode());
        assertEquals(404, keep(as(ADMIN).get("/v1/tasks/no-such-task")).statusCode());
        assertEquals(413, keep(as(PRODUCER).body("{\"type\": \"" + "x".repeat(2 << 20) + "\"}").post("/v1/tasks")).statusCode());
        assertEquals(201, keep(as(PRODUCER).body(Map.of("type", "x")).post("/v1/tasks")).statusCode());
        // a task whose webhook is signed and sent (nothing listens there: attempts fail and are logged)
        String hooked = keep(as(PRODUCER).body(Map.of("type", "x", "callback_url", "http://127.0.0.1:9/hook")).post("/v1/tasks"))
                .path("id");
        assertEquals(200, keep(as(PRODUCER).post("/v1/tasks/" + hooked + "/cancel")).statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(LOG).contains("webhook delivery"));
        assertEquals(200, keep(as(BOUND).body(Map.of("capabilities", List.of("x"))).put("/v1/agents/coder-1")).statusCode());
        assertEquals(200, keep(as(VIEWER).get("/v1/stats")).statusCode());
        assertEquals(200, keep(given().get("/q/metrics")).statusCode());
        assertEquals(200, keep(given().get("/q/health")).statusCode());
        assertEquals(200, keep(given().get("/q/openapi")).statusCode());
        keep(given().get("/q/info")); // not served today; if it ever is, it is checked too

        String log = Files.readString(LOG);
        assertTrue(log.contains("recovered ") && log.contains("Listening on"), "the start was captured: " + LOG);
        for (String secret : List.of(ADMIN, PRODUCER, AGENT, VIEWER, BOUND, WEBHOOK, SecuredRedisResource.PASSWORD)) {
            assertTrue(!log.contains(secret), secret + " is in the log " + LOG);
            for (String answer : answers) {
                assertTrue(!answer.contains(secret), secret + " is in an answer:\n" + answer);
            }
        }
    }
}
