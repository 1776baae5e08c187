package dev.baton.client;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A task to submit, with every field of {@code POST /v1/tasks}; only the type is required:
 * {@code NewTask.of("coding").payload(job).priority(Priority.HIGH).id("job-7")}. In a batch,
 * {@code ref} names the member and {@code dependsOn} may name other members' refs. Mutable, like a
 * builder; not thread-safe.
 */
public final class NewTask {

    private final String type;
    private String id;
    private String ref;
    private String description;
    private Priority priority;
    private Object payload;
    private List<String> dependsOn;
    private Integer maxRetries;
    private Instant runAt;
    private String onDependencyFailure;
    private String rateKey;
    private Integer cost;
    private String concurrencyKey;

    private NewTask(String type) {
        this.type = type;
    }

    public static NewTask of(String type) {
        return new NewTask(type);
    }

    /** Your own id: with one, submitting again is idempotent (and the client retries it on 503/429). */
    public NewTask id(String id) {
        this.id = id;
        return this;
    }

    /** The member's name inside a batch, for {@code dependsOn} of other members. */
    public NewTask ref(String ref) {
        this.ref = ref;
        return this;
    }

    public NewTask description(String description) {
        this.description = description;
        return this;
    }

    public NewTask priority(Priority priority) {
        this.priority = priority;
        return this;
    }

    /** Any object Jackson writes as a JSON object (a record, a map, a JsonNode). */
    public NewTask payload(Object payload) {
        this.payload = payload;
        return this;
    }

    public NewTask dependsOn(String... ids) {
        return dependsOn(List.of(ids));
    }

    public NewTask dependsOn(List<String> ids) {
        this.dependsOn = List.copyOf(ids);
        return this;
    }

    public NewTask maxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
        return this;
    }

    /** Not before this instant (status SCHEDULED until then). */
    public NewTask runAt(Instant runAt) {
        this.runAt = runAt;
        return this;
    }

    /** {@code "cancel"} (the default) or {@code "run"}: what a failed or cancelled dependency does to this task. */
    public NewTask onDependencyFailure(String onDependencyFailure) {
        this.onDependencyFailure = onDependencyFailure;
        return this;
    }

    /** The rate limit's key it spends {@code cost} (at least 1) from, e.g. {@code openai:gpt-x} and its tokens. */
    public NewTask rateKey(String rateKey, int cost) {
        this.rateKey = rateKey;
        this.cost = cost;
        return this;
    }

    /** The key its running count is capped and its fair share taken by, e.g. a tenant. */
    public NewTask concurrencyKey(String concurrencyKey) {
        this.concurrencyKey = concurrencyKey;
        return this;
    }

    boolean hasId() {
        return id != null;
    }

    ObjectNode toJson(ObjectMapper payloads) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", type);
        putIfSet(body, "id", id);
        putIfSet(body, "ref", ref);
        putIfSet(body, "description", description);
        putIfSet(body, "priority", priority == null ? null : priority.name());
        if (payload != null) {
            body.set("payload", payloads.valueToTree(payload));
        }
        if (dependsOn != null) {
            body.set("depends_on", Json.MAPPER.valueToTree(dependsOn));
        }
        if (maxRetries != null) {
            body.put("max_retries", maxRetries);
        }
        putIfSet(body, "run_at", runAt == null ? null : runAt.toString());
        putIfSet(body, "on_dependency_failure", onDependencyFailure);
        putIfSet(body, "rate_key", rateKey);
        if (cost != null) {
            body.put("cost", cost);
        }
        putIfSet(body, "concurrency_key", concurrencyKey);
        return body;
    }

    private static void putIfSet(ObjectNode body, String field, String value) {
        if (value != null) {
            body.put(field, value);
        }
    }
}
