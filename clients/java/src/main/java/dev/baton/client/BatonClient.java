package dev.baton.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Every call of Baton's HTTP API: {@code BatonClient.builder().url("http://127.0.0.1:8080").build()}.
 *
 * <p>Implementation note. Calls go over one {@link HttpClient} (HTTP/1.1, keep-alive connections
 * pooled by the JDK), so one client is shared by every thread. Calls safe to repeat (submit with an id,
 * a batch whose members all have ids, register, heartbeat, complete, fail) are retried on 503 and 429,
 * waiting what {@code Retry-After} says (1 s without it), as long as the whole call stays within the
 * retry budget; every other call throws at once. Server-sent event streams are read by
 * {@link EventStream} on a socket of their own. {@link #waitFor} and {@link #subscribe} run on daemon
 * threads of this client, which {@link #close()} stops.
 */
public final class BatonClient implements AutoCloseable {

    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(BatonClient.class.getName());

    private final URI base;
    private final String token;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration retryBudget;
    private final ObjectMapper payloads;
    private final HttpClient http;
    private final ExecutorService background;
    private final AtomicLong requests = new AtomicLong();

    private BatonClient(Builder b) {
        this.base = b.url;
        this.token = b.token;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.retryBudget = b.retryBudget;
        this.payloads = b.payloads;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
        this.background = Executors.newCachedThreadPool(DaemonThreads.named("baton-client"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link BatonClient}; only the url is needed ({@code http://127.0.0.1:8080} by default). */
    public static final class Builder {
        private URI url = URI.create("http://127.0.0.1:8080");
        private String token;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration retryBudget = Duration.ofSeconds(30);
        private ObjectMapper payloads = Json.PAYLOADS;

        private Builder() {
        }

        /** Baton's base url, {@code http(s)://host:port} (a path prefix is kept). */
        public Builder url(String url) {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("url: expected http://host:port, got " + url);
            }
            this.url = uri;
            return this;
        }

        /** A bearer token (producer, agent, viewer or admin), sent with every call. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** How long one call may take; a claim's long-poll gets its wait on top. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /** The longest a retried call (on 503/429) may wait in all before it throws; zero: never retry. */
        public Builder retryBudget(Duration retryBudget) {
            if (retryBudget.isNegative()) {
                throw new IllegalArgumentException("retryBudget: must not be negative, got " + retryBudget);
            }
            this.retryBudget = retryBudget;
            return this;
        }

        /** The mapper for payloads and results (your records); by default plain Jackson with java.time. */
        public Builder objectMapper(ObjectMapper payloads) {
            this.payloads = Objects.requireNonNull(payloads, "objectMapper");
            return this;
        }

        public BatonClient build() {
            return new BatonClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": must be positive, got " + d);
            }
            return d;
        }
    }

    // ---- tasks -------------------------------------------------------------------------------------

    /** Submits a task of this type with this payload (any object Jackson writes as a JSON object). */
    public Task submit(String type, Object payload) {
        return submit(NewTask.of(type).payload(payload));
    }

    /** Submits a task; with an id the call is idempotent and retried on 503/429. */
    public Task submit(NewTask task) {
        JsonNode answer = call("POST", "/v1/tasks", null, task.toJson(payloads), task.hasId(), requestTimeout);
        return read(answer, Task.class);
    }

    /** Submits tasks all or nothing; members name each other by {@link NewTask#ref} in {@code dependsOn}. */
    public List<BatchMember> batch(List<NewTask> tasks) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        tasks.forEach(t -> body.withArray("tasks").add(t.toJson(payloads)));
        boolean repeatable = !tasks.isEmpty() && tasks.stream().allMatch(NewTask::hasId);
        JsonNode answer = call("POST", "/v1/tasks/batch", null, body, repeatable, requestTimeout);
        List<BatchMember> members = new ArrayList<>();
        answer.path("tasks").forEach(m -> members.add(read(m, BatchMember.class)));
        return members;
    }

    /**
     * Submits many tasks without dependencies on each other in one call (the cheap form of
     * {@link #batch}: one engine step and one durable write for all), all or nothing.
     */
    public List<BatchMember> submitMany(List<NewTask> tasks) {
        return batch(tasks);
    }

    public Task get(String taskId) {
        return read(call("GET", "/v1/tasks/" + segment(taskId), null, null, false, requestTimeout), Task.class);
    }

    /** One page of tasks matching the query. */
    public Page list(TaskQuery query) {
        return read(call("GET", "/v1/tasks", query.parameters(), null, false, requestTimeout), Page.class);
    }

    /** Every task matching the query's filters, read page after page as the stream is consumed. */
    public Stream<Task> tasks(TaskQuery query) {
        Iterator<Task> pages = new Iterator<>() {
            private Iterator<Task> current = List.<Task>of().iterator();
            private String after = query.after();
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && !last) {
                    Page page = list(query.after(after));
                    current = page.tasks().iterator();
                    after = page.nextAfter();
                    last = after == null;
                }
                return current.hasNext();
            }

            @Override
            public Task next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED), false);
    }

    public Task cancel(String taskId) {
        return read(call("POST", "/v1/tasks/" + segment(taskId) + "/cancel", null, null, false, requestTimeout), Task.class);
    }

    /** Re-queues a dead letter (a FAILED task). */
    public Task retry(String taskId) {
        return read(call("POST", "/v1/tasks/" + segment(taskId) + "/retry", null, null, false, requestTimeout), Task.class);
    }

    public Stats stats() {
        return read(call("GET", "/v1/stats", null, null, false, requestTimeout), Stats.class);
    }

    // ---- agents ------------------------------------------------------------------------------------

    public Agent registerAgent(String agentId, Collection<String> capabilities) {
        return registerAgent(agentId, capabilities, null, null);
    }

    /** Registers (or updates) an agent; {@code maxConcurrency} and {@code labels} may be null. */
    public Agent registerAgent(String agentId, Collection<String> capabilities, Integer maxConcurrency,
            Map<String, String> labels) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("capabilities", Json.MAPPER.valueToTree(capabilities));
        if (maxConcurrency != null) {
            body.put("max_concurrency", maxConcurrency);
        }
        if (labels != null) {
            body.set("labels", Json.MAPPER.valueToTree(labels));
        }
        return read(call("PUT", "/v1/agents/" + segment(agentId), null, body, true, requestTimeout), Agent.class);
    }

    public List<Agent> agents() {
        JsonNode answer = call("GET", "/v1/agents", null, null, false, requestTimeout);
        List<Agent> agents = new ArrayList<>();
        answer.forEach(a -> agents.add(read(a, Agent.class)));
        return agents;
    }

    public Agent agent(String agentId) {
        return read(call("GET", "/v1/agents/" + segment(agentId), null, null, false, requestTimeout), Agent.class);
    }

    /** The agent leaves: the tasks it holds go back to their queues at once. */
    public Agent removeAgent(String agentId) {
        return read(call("DELETE", "/v1/agents/" + segment(agentId), null, null, false, requestTimeout), Agent.class);
    }

    /**
     * Claims up to {@code max} tasks for the agent, waiting up to {@code wait} for work to arrive (a
     * long-poll); an empty list when none came. Interrupting the calling thread abandons the claim.
     */
    public List<ClaimedTask> claim(String agentId, Duration wait, int max) {
        Map<String, Object> query = new java.util.LinkedHashMap<>();
        query.put("wait_ms", wait.toMillis());
        query.put("max", max);
        JsonNode answer = call("POST", "/v1/agents/" + segment(agentId) + "/claim", query, null, false,
                requestTimeout.plus(wait));
        List<ClaimedTask> claimed = new ArrayList<>();
        if (answer != null) {
            answer.path("tasks").forEach(t -> claimed.add(new ClaimedTask(read(t, Task.class), t.path("lease_id").asText())));
        }
        return claimed;
    }

    /**
     * Extends a lease and reports progress ({@code progress} 0..100 and {@code message} may be null).
     * 409 ({@code lease_expired}, {@code task_cancelled}, ...) when the lease is no longer this run's.
     */
    public HeartbeatAnswer heartbeat(String taskId, String leaseId, Integer progress, String message) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("lease_id", leaseId);
        if (progress != null) {
            body.put("progress", progress);
        }
        if (message != null) {
            body.put("message", message);
        }
        JsonNode answer = call("POST", "/v1/tasks/" + segment(taskId) + "/heartbeat", null, body, true, requestTimeout);
        return read(answer, HeartbeatAnswer.class);
    }

    /** Completes a task with a result (any object, or null); a repeat answers {@code duplicate}. */
    public Completion complete(String taskId, String leaseId, Object result) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("lease_id", leaseId);
        if (result != null) {
            body.set("result", payloads.valueToTree(result));
        }
        return completion(call("POST", "/v1/tasks/" + segment(taskId) + "/complete", null, body, true, requestTimeout));
    }

    /**
     * Completes many of the agent's tasks in one call; each item is answered on its own, in order
     * ({@link Completed#ok()}, or the refusal the single complete would give). Retried on 503/429
     * like complete: a repeat answers {@code duplicate}.
     */
    public List<Completed> completeMany(String agentId, List<Completed.Item> items) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        var array = body.putArray("tasks");
        for (Completed.Item item : items) {
            ObjectNode member = array.addObject().put("task_id", item.taskId()).put("lease_id", item.leaseId());
            if (item.result() != null) {
                member.set("result", payloads.valueToTree(item.result()));
            }
        }
        JsonNode answer = call("POST", "/v1/agents/" + segment(agentId) + "/complete", null, body, true, requestTimeout);
        List<Completed> answers = new ArrayList<>();
        answer.path("tasks").forEach(a -> answers.add(read(a, Completed.class)));
        return answers;
    }

    /** Fails a task: retried after backoff while retries last if {@code retryable}, else a dead letter at once. */
    public Completion fail(String taskId, String leaseId, String error, boolean retryable) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("lease_id", leaseId).put("error", error).put("retryable", retryable);
        return completion(call("POST", "/v1/tasks/" + segment(taskId) + "/fail", null, body, true, requestTimeout));
    }

    private static Completion completion(JsonNode answer) {
        return new Completion(read(answer, Task.class), answer.path("duplicate").asBoolean(false));
    }

    // ---- events ------------------------------------------------------------------------------------

    /**
     * Events of {@code GET /v1/events} matching the filter, as a blocking iterator that reconnects
     * with {@code Last-Event-ID} after a dropped connection (nothing lost, nothing repeated) and hands
     * out a {@code resync} event when the resume point is no longer held. Close it when done.
     */
    public EventStream events(EventFilter filter) {
        return new EventStream(this, path("/v1/events", filter.parameters()), filter.lastEventId(), false);
    }

    /**
     * A task's timeline: its events so far, in seq order, as far back as Baton's replay ring
     * ({@code baton.events.ring-size}) still holds them.
     */
    public List<Event> timeline(String taskId) {
        JsonNode answer = call("GET", "/v1/tasks/" + segment(taskId) + "/events", null, null, false, requestTimeout);
        List<Event> events = new ArrayList<>();
        answer.path("events").forEach(e -> events.add(read(e, Event.class)));
        return events;
    }

    /** One task's events; the iteration ends after its terminal event. */
    public EventStream taskEvents(String taskId) {
        return new EventStream(this, path("/v1/tasks/" + segment(taskId) + "/events", null), null, true);
    }

    /**
     * Calls {@code subscriber} with each event matching the filter, on a thread of this client, until
     * the answer is closed; the stream resumes by itself after a dropped connection.
     */
    public EventStream subscribe(EventFilter filter, Consumer<Event> subscriber) {
        EventStream stream = events(filter);
        background.execute(() -> {
            try {
                while (stream.hasNext()) {
                    subscriber.accept(stream.next());
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "event subscription ended: " + e, e);
            } finally {
                stream.close();
            }
        });
        return stream;
    }

    /**
     * The task once it has ended (COMPLETED, FAILED or CANCELLED), watched over its event stream. The
     * future fails with {@link TimeoutException} after {@code timeout}, or with a {@link BatonException}
     * (e.g. 404 for an unknown task); cancelling it closes the stream.
     */
    public CompletableFuture<Task> waitFor(String taskId, Duration timeout) {
        EventStream stream = taskEvents(taskId);
        stream.deadline(System.nanoTime() + timeout.toNanos());
        CompletableFuture<Task> answer = new CompletableFuture<>();
        answer.whenComplete((task, error) -> stream.close());
        background.execute(() -> {
            try {
                while (stream.hasNext()) {
                    if (stream.next().isTerminal()) {
                        break;
                    }
                }
                Task task = get(taskId);
                if (task.status().isTerminal()) {
                    answer.complete(task);
                } else {
                    answer.completeExceptionally(new TimeoutException("task " + taskId + " still " + task.status()
                            + " after " + timeout));
                }
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    // ---- conversions -------------------------------------------------------------------------------

    /** A payload or result read as your type, with this client's payload mapper. */
    public <T> T convert(JsonNode json, Class<T> type) {
        try {
            return payloads.treeToValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read " + type.getSimpleName() + " from " + json + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Your object as JSON, with this client's payload mapper (null stays null). */
    public JsonNode toJson(Object value) {
        return value == null ? null : payloads.valueToTree(value);
    }

    /** HTTP requests sent so far (retries included, event streams not), for measurements. */
    public long requests() {
        return requests.get();
    }

    public String url() {
        return base.toString();
    }

    /** Stops the client's background threads ({@link #waitFor}, {@link #subscribe}). */
    @Override
    public void close() {
        background.shutdownNow();
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    URI base() {
        return base;
    }

    String token() {
        return token;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    static <T> T read(JsonNode json, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(json, type);
        } catch (JsonProcessingException e) {
            throw new BatonException(0, "unexpected_answer", "cannot read " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), (Duration) null);
        }
    }

    private String path(String path, Map<String, Object> query) {
        StringJoiner params = new StringJoiner("&", "?", "");
        params.setEmptyValue("");
        if (query != null) {
            query.forEach((k, v) -> {
                if (v != null) {
                    params.add(k + "=" + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
                }
            });
        }
        String prefix = base.getRawPath() == null ? "" : base.getRawPath();
        return prefix + path + params;
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends one call, retrying it on 503/429 within the retry budget when {@code repeatable}; answers
     * the body (null for 204) or throws the error answer.
     */
    private JsonNode call(String method, String path, Map<String, Object> query, JsonNode body, boolean repeatable,
            Duration timeout) {
        URI uri = base.resolve(path(path, query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofByteArray(body.toString().getBytes(StandardCharsets.UTF_8)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long deadline = System.nanoTime() + retryBudget.toNanos();
        while (true) {
            HttpResponse<byte[]> response = send(request.build());
            int status = response.statusCode();
            if (status == 204) {
                return null;
            }
            if (status >= 200 && status < 300) {
                return parse(response.body());
            }
            BatonException error = errorOf(status, response.body(), response.headers().firstValue("Retry-After").orElse(null));
            if (!repeatable || (status != 503 && status != 429)) {
                throw error;
            }
            Duration wait = error.retryAfter().orElse(DEFAULT_RETRY_AFTER);
            if (System.nanoTime() + wait.toNanos() - deadline > 0) {
                throw error;
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw error;
            }
        }
    }

    /** One exchange; an interrupt of the calling thread abandons it at once (a claim's long-poll included). */
    private HttpResponse<byte[]> send(HttpRequest request) {
        requests.incrementAndGet();
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return exchange.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime && !(cause instanceof java.io.UncheckedIOException)) {
                throw runtime;
            }
            throw new BatonUnavailableException(base.toString(), cause);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new BatonUnavailableException(base.toString(), e);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new BatonException(0, "unexpected_answer", "not JSON: " + e.getMessage(), (Duration) null);
        }
    }

    static BatonException errorOf(int status, byte[] body, String retryAfter) {
        String error = "http_" + status;
        String message = "";
        try {
            JsonNode json = body == null || body.length == 0 ? null : Json.MAPPER.readTree(body);
            if (json != null && json.isObject()) {
                error = json.path("error").asText(error);
                message = json.path("message").asText("");
            }
        } catch (IOException e) {
            String text = new String(body, StandardCharsets.UTF_8);
            message = text.substring(0, Math.min(200, text.length()));
        }
        Duration wait = null;
        if (retryAfter != null) {
            try {
                wait = Duration.ofMillis((long) (Double.parseDouble(retryAfter.trim()) * 1000));
            } catch (NumberFormatException e) {
                wait = null; // an HTTP date: fall back to the default wait
            }
        }
        return new BatonException(status, error, message.isEmpty() ? "HTTP " + status : message, wait);
    }
}
