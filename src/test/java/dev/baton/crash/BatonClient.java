package dev.baton.crash;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * Baton's HTTP API for tests that run the packaged app: plain {@link HttpClient} (HTTP/1.1), JSON
 * by Jackson. Calls return a {@link Reply} for every HTTP answer and throw {@link IOException} when
 * there was none (refused, reset, timed out): for a crash test that is an unknown outcome. The base
 * URL is read on every call, so one client follows a Baton across restarts. Thread-safe.
 */
public final class BatonClient {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<URI> base;
    private final Duration timeout;
    private final HttpClient http;

    public BatonClient(Supplier<URI> base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public static BatonClient of(BatonApp app) {
        return new BatonClient(app::url, DEFAULT_TIMEOUT);
    }

    /** A client whose calls give up after {@code timeout} (an {@link java.net.http.HttpTimeoutException}). */
    public BatonClient withTimeout(Duration timeout) {
        return new BatonClient(base, timeout);
    }

    /** An HTTP answer: status and body ({@link MissingNode} when empty or not JSON). */
    public record Reply(int status, JsonNode body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** A definite refusal: 4xx. (A 5xx leaves the outcome unknown.) */
        public boolean refused() {
            return status >= 400 && status < 500;
        }

        public String text(String field) {
            return body.path(field).asText(null);
        }
    }

    /** One task handed out by a claim. */
    public record Lease(String taskId, String leaseId) {
    }

    /** {@code POST /v1/tasks} with a client-chosen id; the body is the same for the same arguments. */
    public Reply submit(String id, String type, Map<String, ?> payload) throws IOException, InterruptedException {
        return post("/v1/tasks", Map.of("id", id, "type", type, "payload", payload));
    }

    /** {@code POST /v1/tasks/batch}: members are maps with {@code ref}, {@code id}, {@code type}, ... */
    public Reply batch(List<Map<String, ?>> members) throws IOException, InterruptedException {
        return post("/v1/tasks/batch", Map.of("tasks", members));
    }

    public Reply registerAgent(String agent, List<String> capabilities, int maxConcurrency)
            throws IOException, InterruptedException {
        return send("PUT", "/v1/agents/" + agent, Map.of("capabilities", capabilities, "max_concurrency", maxConcurrency));
    }

    /** {@code POST /v1/agents/{id}/claim}; 200 with tasks or 204. */
    public Reply claim(String agent, int max, long waitMillis) throws IOException, InterruptedException {
        return post("/v1/agents/" + agent + "/claim?max=" + max + "&wait_ms=" + waitMillis, null);
    }

    public Reply complete(Lease lease) throws IOException, InterruptedException {
        return post("/v1/tasks/" + lease.taskId() + "/complete", Map.of("lease_id", lease.leaseId(), "result", Map.of("ok", true)));
    }

    public Reply fail(Lease lease, String error, boolean retryable) throws IOException, InterruptedException {
        return post("/v1/tasks/" + lease.taskId() + "/fail",
                Map.of("lease_id", lease.leaseId(), "error", error, "retryable", retryable));
    }

    public Reply retry(String id) throws IOException, InterruptedException {
        return post("/v1/tasks/" + id + "/retry", null);
    }

    public Reply cancel(String id) throws IOException, InterruptedException {
        return post("/v1/tasks/" + id + "/cancel", null);
    }

    public Reply task(String id) throws IOException, InterruptedException {
        return get("/v1/tasks/" + id);
    }

    public Reply stats() throws IOException, InterruptedException {
        return get("/v1/stats");
    }

    /** Every task Baton lists ({@code GET /v1/tasks}, all pages). */
    public List<JsonNode> allTasks() throws IOException, InterruptedException {
        List<JsonNode> tasks = new ArrayList<>();
        String after = null;
        do {
            Reply page = get("/v1/tasks?limit=1000" + (after == null ? "" : "&after=" + after));
            if (!page.ok()) {
                throw new IOException("listing tasks answered " + page.status() + ": " + page.body());
            }
            page.body().path("tasks").forEach(tasks::add);
            after = page.text("next_after");
        } while (after != null);
        return tasks;
    }

    /** The leases of a claim answer (empty for 204). */
    public static List<Lease> leases(Reply claim) {
        List<Lease> leases = new ArrayList<>();
        claim.body().path("tasks").forEach(t -> leases.add(new Lease(t.path("id").asText(), t.path("lease_id").asText())));
        return leases;
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    public Reply post(String path, Object body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    private Reply send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.get().resolve(path)).timeout(timeout);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), parse(response.body()));
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isEmpty()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
