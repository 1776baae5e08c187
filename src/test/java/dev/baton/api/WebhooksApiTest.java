package dev.baton.api;

import static dev.baton.api.Api.json;
import static dev.baton.api.Api.registerAgent;
import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.WebhookReceiver;
import dev.baton.testing.WebhookReceiverResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Webhooks through the real server: a task's end is POSTed to its callback (or its type's webhook)
 * with its final view, signed; a receiver that fails first gets it again after the backoff; a
 * redirect is a failure, never followed, and the delivery is given up after the attempts; a
 * callback on a host off the allow-list is refused at submit and creates nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = WebhookReceiverResource.class, restrictToAnnotatedClass = true)
class WebhooksApiTest {

    /** The test profile's {@code baton.webhooks.secret} (application.properties). */
    private static final String SECRET = "test-webhook-secret";
    private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static WebhookReceiver receiver() {
        return WebhookReceiverResource.receiver();
    }

    @Test
    void aCompletedTaskIsPostedWithItsFinalViewSigned() throws Exception {
        String path = "/" + unique("ok");
        String type = unique("t");
        String agent = unique("a");
        registerAgent(agent, 1, type);
        String id = Api.submit(Map.of("type", type, "callback_url", receiver().url(path)));
        given().get("/v1/tasks/{id}", id).then().statusCode(200).body("callback_url", org.hamcrest.Matchers.equalTo(receiver().url(path)));
        Api.Lease lease = Api.claimOne(agent);
        Api.complete(id, lease.leaseId()).then().statusCode(200);

        await().atMost(WAIT).until(() -> receiver().received(path).size() == 1);
        WebhookReceiver.Received hook = receiver().received(path).get(0);
        assertEquals("task.completed", hook.header("Baton-Event"));
        assertNotNull(hook.header("Baton-Delivery"));
        assertTrue(hook.header("Content-Type").startsWith("application/json"));
        assertSigned(hook);
        assertEquals(given().get("/v1/tasks/{id}", id).asString(), hook.body(), "the body is GET /v1/tasks/{id}");
        await().atMost(WAIT).until(() -> metric("delivered") >= 1);
    }

    @Test
    void aReceiverThatFailsFirstGetsItAgainAfterTheBackoff() throws Exception {
        String path = "/" + unique("flaky");
        receiver().answer(path, 500, 200);
        double failedBefore = metric("failed");
        String id = Api.submit(Map.of("type", unique("t"), "callback_url", receiver().url(path)));
        given().post("/v1/tasks/{id}/cancel", id).then().statusCode(200);

        await().atMost(WAIT).until(() -> receiver().received(path).size() == 2);
        List<WebhookReceiver.Received> attempts = receiver().received(path);
        assertEquals("task.cancelled", attempts.get(1).header("Baton-Event"));
        assertEquals(attempts.get(0).header("Baton-Delivery"), attempts.get(1).header("Baton-Delivery"), "one delivery, tried twice");
        assertEquals(attempts.get(0).body(), attempts.get(1).body());
        assertSigned(attempts.get(1));
        long gap = attempts.get(1).atMillis() - attempts.get(0).atMillis();
        assertTrue(gap >= WebhookReceiverResource.FIRST_BACKOFF_MILLIS - 50, "the retry waited the backoff, waited " + gap + " ms");
        assertTrue(metric("failed") >= failedBefore + 1);
    }

    @Test
    void aRedirectIsAFailureNeverFollowedAndTheDeliveryIsGivenUp() {
        String path = "/" + unique("moved");
        receiver().answer(path, 302);
        double givenUpBefore = metric("given_up");
        String id = Api.submit(Map.of("type", unique("t"), "callback_url", receiver().url(path)));
        given().post("/v1/tasks/{id}/cancel", id).then().statusCode(200);

        await().atMost(WAIT).until(() -> metric("given_up") >= givenUpBefore + 1);
        assertEquals(3, receiver().received(path).size(), "baton.webhooks.max-attempts attempts");
        assertEquals(0, receiver().received("/moved" + path).size(), "the redirect was not followed");
    }

    @Test
    void aTypeWebhookGetsItsTasksEnds() {
        String agent = unique("a");
        registerAgent(agent, 1, WebhookReceiverResource.HOOKED_TYPE);
        String id = Api.submit(Map.of("type", WebhookReceiverResource.HOOKED_TYPE, "max_retries", 0));
        Api.Lease lease = Api.claimOne(agent);
        Api.fail(id, lease.leaseId(), false).then().statusCode(200);

        await().atMost(WAIT).until(() -> receiver().received("/type").stream().anyMatch(hook -> hook.body().contains(id)));
        WebhookReceiver.Received hook = receiver().received("/type").stream().filter(h -> h.body().contains(id)).findFirst()
                .orElseThrow();
        assertEquals("task.failed", hook.header("Baton-Event"));
        assertTrue(hook.body().contains("\"status\":\"FAILED\""), hook.body());
    }

    @Test
    void aCallbackBatonMayNotCallIsRefusedAtSubmitAndCreatesNothing() {
        String id = unique("task");
        for (String url : List.of("http://example.com/hook", "ftp://127.0.0.1/hook", "http://user:pw@127.0.0.1/hook",
                "/relative", "http://127.0.0.1.evil.com/x", "http://hooks.test/x", "x".repeat(3000))) {
            for (String accept : List.of("application/json", "application/json, */*")) { // the hot route and JAX-RS
                json().header("Accept", accept).body(Map.of("id", id, "type", "t", "callback_url", url)).post("/v1/tasks")
                        .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_request"))
                        .body("message", containsString("callback_url"));
            }
        }
        given().get("/v1/tasks/{id}", id).then().statusCode(404);

        String good = unique("task");
        json().body(Map.of("tasks", List.of(Map.of("id", good, "type", "t", "callback_url", "https://a.hooks.test/x"),
                        Map.of("ref", "second", "type", "t", "callback_url", "http://example.com/hook"))))
                .post("/v1/tasks/batch").then().statusCode(400).body("message", containsString("tasks[1](second).callback_url"));
        given().get("/v1/tasks/{id}", good).then().statusCode(404);
        json().body(Map.of("tasks", List.of(Map.of("id", good, "type", "t", "callback_url", "https://a.hooks.test/x"))))
                .post("/v1/tasks/batch").then().statusCode(201);
        given().get("/v1/tasks/{id}", good).then().statusCode(200).body("callback_url", org.hamcrest.Matchers.equalTo("https://a.hooks.test/x"));
    }

    private static void assertSigned(WebhookReceiver.Received hook) throws Exception {
        Matcher signature = SIGNATURE.matcher(hook.header("Baton-Signature"));
        assertTrue(signature.matches(), hook.header("Baton-Signature"));
        long seconds = Long.parseLong(signature.group(1));
        assertTrue(Math.abs(System.currentTimeMillis() / 1000 - seconds) < 60, "a fresh timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((seconds + "." + hook.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, signature.group(2), "HMAC-SHA256 of <t>.<body> with baton.webhooks.secret");
    }

    /** {@code baton_webhook_deliveries_total{outcome}} from /q/metrics. */
    private static double metric(String outcome) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher line = Pattern.compile("(?m)^baton_webhook_deliveries_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*} (\\S+)$")
                .matcher(text);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }
}
