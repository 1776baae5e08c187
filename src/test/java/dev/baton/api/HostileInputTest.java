package dev.baton.api;

import static dev.baton.api.Api.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile input gets a 4xx with the JSON error body, never a 5xx, and changes nothing. The corpus
 * is {@code src/test/resources/hostile/requests.txt} plus the generated requests below (long
 * strings, deep nesting, every field in the wrong shape); it goes over a plain socket, so the
 * requests no HTTP client would make (no {@code Host}, bad UTF-8) reach the server as written.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CORPUS = "/hostile/requests.txt";

    /** One hostile request: a corpus line, or a generated one. */
    record Probe(String label, String method, byte[] target, String contentType, byte[] body, byte[] raw, boolean wire) {
        static Probe json(String method, String target, String body) {
            return new Probe(method + " " + target + " " + abbreviate(body), method, target.getBytes(StandardCharsets.UTF_8),
                    "application/json", body.getBytes(StandardCharsets.UTF_8), null, false);
        }
    }

    @Test
    void theHostileCorpusIsRefusedWithAJsonBodyChangesNothingAndBatonServesAfterwards() throws IOException {
        List<Probe> probes = new ArrayList<>(corpus());
        probes.addAll(generated());
        assertTrue(probes.size() >= 150, "the corpus holds " + probes.size() + " requests");
        long submittedBefore = submittedSoFar();
        int agentsBefore = agentCount();

        List<String> failures = new ArrayList<>();
        for (Probe probe : probes) {
            RawHttp.Answer answer;
            try {
                answer = probe.raw() != null ? RawHttp.exchange(RestAssured.port, probe.raw())
                        : RawHttp.send(RestAssured.port, probe.method(), probe.target(), probe.contentType(), probe.body());
            } catch (IOException e) {
                if (!probe.wire()) {
                    failures.add(probe.label() + " -> no answer: " + e.getMessage());
                }
                continue;
            }
            String problem = probe.wire() ? wireProblem(answer) : problem(answer);
            if (problem != null) {
                failures.add(probe.label() + " -> " + answer.status() + " " + abbreviate(answer.body()) + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + probes.size() + " hostile requests were answered wrongly:\n"
                + String.join("\n", failures));

        assertEquals(submittedBefore, submittedSoFar(), "a refused request must not create a task");
        assertEquals(agentsBefore, agentCount(), "a refused request must not register an agent");
        String type = unique("after");
        String agent = unique("agent");
        Api.registerAgent(agent, 1, type);
        String id = Api.submit(type, "HIGH");
        Api.Lease lease = Api.claimOne(agent);
        assertEquals(id, lease.taskId());
        Api.complete(id, lease.leaseId()).then().statusCode(200).body("status", equalTo("COMPLETED"));
    }

    @Test
    void agentNamesAndLabelsAreSized() {
        String id = unique("sized");
        String tooMany = list(101, i -> "\"c" + i + "\"");
        given().contentType(ContentType.JSON).body("{\"capabilities\": " + tooMany + "}").put("/v1/agents/{id}", id)
                .then().statusCode(400).body("message", containsString("capabilities: has 101 types, more than the limit of 100"));
        given().contentType(ContentType.JSON).body("{\"capabilities\": [\"" + "c".repeat(100_000) + "\"]}").put("/v1/agents/{id}", id)
                .then().statusCode(400).body("message", containsString("capabilities: is 100000 characters long"));
        given().contentType(ContentType.JSON).body("{\"capabilities\": [\"h\"], \"labels\": " + object(65, i -> "\"k" + i + "\": \"v\"") + "}")
                .put("/v1/agents/{id}", id).then().statusCode(400).body("message", containsString("labels: has 65 entries"));
        given().contentType(ContentType.JSON).body("{\"capabilities\": [\"h\"], \"labels\": {\"k\": \"" + "v".repeat(1_025) + "\"}}")
                .put("/v1/agents/{id}", id).then().statusCode(400).body("message", containsString("labels.k: is 1025 characters long"));
        given().contentType(ContentType.JSON).body("{\"capabilities\": [\"h\"], \"labels\": {\"k\": null}}")
                .put("/v1/agents/{id}", id).then().statusCode(400).body("message", containsString("labels"));
        given().get("/v1/agents/{id}", id).then().statusCode(404);
    }

    @Test
    void idsInThePathAreCheckedLikeIdsInTheBody() throws IOException {
        for (String target : List.of("/v1/tasks/%7Bx%7D", "/v1/agents/%7Bx%7D", "/v1/tasks/%ED%A0%80/cancel", "/v1/tasks/a%2Fb/retry")) {
            String method = target.endsWith("cancel") || target.endsWith("retry") ? "POST" : "GET";
            RawHttp.Answer answer = RawHttp.send(RestAssured.port, method, target.getBytes(StandardCharsets.US_ASCII), null, null);
            assertEquals(400, answer.status(), target + ": " + answer.body());
            // an encoded '/' is refused as a non-canonical path before any route reads the id
            assertTrue(answer.body().contains("\"message\":\"id: ") || answer.body().contains("\"error\":\"invalid_path\""),
                    target + ": " + answer.body());
        }
    }

    @Test
    void emptyPathSegmentsAreRefusedWithTheJsonBody() throws IOException {
        for (String target : List.of("/v1/tasks//cancel", "/v1/tasks//retry", "/v1/agents//claim", "/v1/tasks//events")) {
            String method = target.endsWith("events") ? "GET" : "POST";
            RawHttp.Answer answer = RawHttp.send(RestAssured.port, method, target.getBytes(StandardCharsets.US_ASCII), null, null);
            assertEquals(null, problem(answer), target + " -> " + answer.status() + " " + answer.body());
        }
    }

    @Test
    void claimNumbersAreWholeAndInRange() {
        String agent = unique("claims");
        Api.registerAgent(agent, 1, unique("t"));
        for (String query : List.of("wait_ms=9999999999999999999", "wait_ms=30001", "wait_ms=1.5", "max=0", "max=99999999999999999999")) {
            given().post("/v1/agents/{id}/claim?" + query, agent).then().statusCode(400)
                    .body("error", equalTo("invalid_request"), "message", containsString(query.substring(0, query.indexOf('='))));
        }
    }

    @Test
    void aRequestWithoutHostIs400WithTheJsonBody() throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port,
                "GET /v1/stats HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, answer.status(), answer.body());
        assertEquals(null, problem(answer), answer.body());
        assertTrue(answer.body().contains("Host"), answer.body());
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypesAnswerTheJsonBody() throws IOException {
        given().get("/foo").then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("not_found"), "message", equalTo("no route GET /foo"));
        given().get("/v1/nope").then().statusCode(404).body("error", equalTo("not_found"), "message", equalTo("no route GET /v1/nope"));
        given().delete("/v1/tasks").then().statusCode(405).header("Allow", containsString("POST"))
                .body("error", equalTo("method_not_allowed"), "message", containsString("DELETE"));
        given().post("/v1/events").then().statusCode(405).header("Allow", equalTo("GET"))
                .body("error", equalTo("method_not_allowed"));
        given().body("{\"type\": \"h\"}").post("/v1/tasks").then().statusCode(415)
                .body("error", equalTo("unsupported_media_type"), "message", containsString("application/json"));
        given().contentType("text/plain").body("{\"type\": \"h\"}").post("/v1/tasks").then().statusCode(415)
                .body("error", equalTo("unsupported_media_type"), "message", containsString("application/json"));
        RawHttp.Answer klingon = RawHttp.send(RestAssured.port, "POST", "/v1/tasks".getBytes(StandardCharsets.US_ASCII),
                "application/json; charset=klingon", "{\"type\": \"h\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(415, klingon.status(), klingon.body());
        assertTrue(klingon.body().contains("UTF-8"), klingon.body());
        given().accept("image/png").get("/v1/stats").then().statusCode(406).contentType(ContentType.JSON)
                .body("error", equalTo("not_acceptable"), "message", containsString("application/json"));
    }

    @Test
    void everyCountInStatsIsAnInteger() throws IOException {
        String agent = unique("stats");
        String type = unique("t");
        Api.registerAgent(agent, 1, type);
        Api.submit(type, "LOW");
        Api.claimOne(agent);
        JsonNode stats = JSON.readTree(given().get("/v1/stats").then().statusCode(200).extract().asString());
        assertTrue(stats.path("claim_latency_ms").path("count").isIntegralNumber(), stats.toString());
        assertTrue(stats.path("throughput").path("submitted").isIntegralNumber(), stats.toString());
    }

    /** Null when the answer is right for a hostile request: a 4xx with {@code {"error": code, "message": text}}. */
    private static String problem(RawHttp.Answer answer) {
        if (answer.status() < 400 || answer.status() >= 500) {
            return "expected a 4xx";
        }
        String type = answer.header("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return "expected a JSON error body, Content-Type was " + type;
        }
        try {
            JsonNode body = JSON.readTree(answer.body());
            if (!body.path("error").isTextual() || !body.path("message").isTextual() || body.size() != 2) {
                return "expected {\"error\", \"message\"}";
            }
        } catch (IOException e) {
            return "the body is not JSON: " + e.getMessage();
        }
        return null;
    }

    /** Null when a request the HTTP codec refuses got a 4xx (its body is the codec's, not ours). */
    private static String wireProblem(RawHttp.Answer answer) {
        return answer.status() >= 400 && answer.status() < 500 ? null : "expected a 4xx";
    }

    private static List<Probe> corpus() throws IOException {
        List<Probe> probes = new ArrayList<>();
        try (InputStream in = HostileInputTest.class.getResourceAsStream(CORPUS)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                boolean wire = line.startsWith("WIRE ");
                if (wire) {
                    line = line.substring(5);
                }
                if (line.startsWith("RAW ")) {
                    String raw = line.substring(4).replace("\\r", "\r").replace("\\n", "\n");
                    probes.add(new Probe(line, null, null, null, null, unescape(raw), wire));
                    continue;
                }
                String[] parts = line.split(" \\| ", 3);
                String[] request = parts[0].split(" ", 2);
                String contentType = parts.length > 1 && !parts[1].equals("-") ? parts[1] : null;
                byte[] body = parts.length > 2 ? unescape(parts[2]) : null;
                probes.add(new Probe(line, request[0], unescape(request[1].trim()), contentType, body, null, wire));
            }
        }
        return probes;
    }

    /** Every {@code \xNN} as the byte it names, the rest as UTF-8. */
    private static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("\\x", i) && i + 4 <= text.length()) {
                out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                int cp = text.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toByteArray();
    }

    /** Sizes and shapes too long to write out: every one past a limit or in the wrong shape. */
    private static List<Probe> generated() {
        List<Probe> probes = new ArrayList<>();
        String tooLongId = "i".repeat(129);
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"id\": \"" + tooLongId + "\"}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"" + tooLongId + "\"}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"description\": \"" + "d".repeat(10_001) + "\"}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"depends_on\": [\"" + tooLongId + "\"]}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"max_retries\": 1" + "0".repeat(5_000) + "}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"run_at\": 1" + "0".repeat(5_000) + "}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"payload\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}"));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"payload\": " + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}"));
        probes.add(Probe.json("POST", "/v1/tasks", "[".repeat(100_000)));
        probes.add(Probe.json("POST", "/v1/tasks", "{\"" + "k".repeat(100_000) + "\": 1}"));
        probes.add(Probe.json("POST", "/v1/tasks/batch", "{\"tasks\": [{\"type\": \"h\", \"ref\": \"" + tooLongId + "\"}]}"));
        probes.add(Probe.json("PUT", "/v1/agents/" + tooLongId, "{\"capabilities\": [\"h\"]}"));
        probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": [\"" + "c".repeat(100_000) + "\"]}"));
        probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": " + list(101, i -> "\"c" + i + "\"") + "}"));
        probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": [\"h\"], \"labels\": "
                + object(100_000, i -> "\"k" + i + "\": \"v\"") + "}"));
        probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": [\"h\"], \"labels\": "
                + object(65, i -> "\"k" + i + "\": \"v\"") + "}"));
        probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": [\"h\"], \"labels\": {\"" + "k".repeat(129) + "\": \"v\"}}"));
        probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": [\"h\"], \"labels\": {\"k\": \"" + "v".repeat(1_025) + "\"}}"));
        probes.add(Probe.json("POST", "/v1/tasks/nope/heartbeat", "{\"lease_id\": \"l\", \"message\": \"" + "m".repeat(1_001) + "\"}"));
        probes.add(Probe.json("POST", "/v1/tasks/nope/fail", "{\"lease_id\": \"l\", \"error\": \"" + "e".repeat(10_001) + "\"}"));
        probes.add(Probe.json("POST", "/v1/tasks/nope/heartbeat", "{\"lease_id\": \"" + tooLongId + "\"}"));
        for (char c = 1; c < 0x20; c += 3) {
            probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"id\": \"a\\u" + String.format("%04x", (int) c) + "\"}"));
        }
        // every field null (type is required) and every field in a wrong shape
        for (String field : List.of("ref", "id", "type", "description", "priority", "payload", "depends_on", "max_retries",
                "run_at", "on_dependency_failure")) {
            probes.add(Probe.json("POST", "/v1/tasks", "{\"" + field + "\": null" + (field.equals("type") ? "" : ", \"type\": null") + "}"));
            probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"" + field + "\": [{\"a\": 1}]}"));
            if (!field.equals("payload")) {
                probes.add(Probe.json("POST", "/v1/tasks", "{\"type\": \"h\", \"" + field + "\": {\"a\": 1}}"));
            }
        }
        for (String field : List.of("capabilities", "max_concurrency", "labels")) {
            probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"" + field + "\": null}"));
            probes.add(Probe.json("PUT", "/v1/agents/hostile-a", "{\"capabilities\": [\"h\"], \"" + field + "\": [{\"a\": 1}]}"));
        }
        for (String call : List.of("heartbeat", "complete", "fail")) {
            probes.add(Probe.json("POST", "/v1/tasks/nope/" + call, "{\"lease_id\": null, \"progress\": null}"));
            probes.add(Probe.json("POST", "/v1/tasks/nope/" + call, "{\"lease_id\": {\"a\": 1}}"));
            probes.add(Probe.json("POST", "/v1/tasks/nope/" + call, "{\"lease_id\": \"l\"} trailing"));
        }
        return probes;
    }

    private static String list(int n, java.util.function.IntFunction<String> element) {
        return "[" + String.join(", ", java.util.stream.IntStream.range(0, n).mapToObj(element).toList()) + "]";
    }

    private static String object(int n, java.util.function.IntFunction<String> entry) {
        return "{" + String.join(", ", java.util.stream.IntStream.range(0, n).mapToObj(entry).toList()) + "}";
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 160 ? text : text.substring(0, 160) + "…(" + text.length() + " chars)";
    }

    private static long submittedSoFar() {
        return given().get("/v1/stats").then().statusCode(200).extract().<Number>path("throughput.submitted").longValue();
    }

    private static int agentCount() {
        return given().get("/v1/agents").then().statusCode(200).extract().<List<?>>path("$").size();
    }
}
