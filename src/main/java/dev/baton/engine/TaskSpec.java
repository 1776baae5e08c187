package dev.baton.engine;

import java.util.List;

/**
 * What a producer asks for. Validated by the coordinator (the API checks only syntax).
 *
 * @param id                 client-given id, or null for a server-made, time-ordered one
 * @param payload            the payload as JSON text (an object), or null for {@code {}}
 * @param dependsOn          ids of tasks that must complete first; empty for none
 * @param maxRetries         null for the type's policy
 * @param runAt              epoch millis before which the task is not handed out, or null
 * @param runOnDependencyFailure run even when a dependency fails or is cancelled
 * @param callbackUrl        where Baton POSTs the task's final view when it ends (a webhook), or null
 * @param rateKey            the rate limit's key it spends from (e.g. {@code openai:gpt-x}), or null
 * @param cost               what it spends of its rate key's budget; null for 1
 * @param concurrencyKey     the key its running count is capped and its fair share taken by (e.g. a tenant), or null
 */
public record TaskSpec(
        String id,
        String type,
        String description,
        Priority priority,
        String payload,
        List<String> dependsOn,
        Integer maxRetries,
        Long runAt,
        boolean runOnDependencyFailure,
        String callbackUrl,
        String rateKey,
        Integer cost,
        String concurrencyKey) {

    /** A spec without a callback or keys (cost 1). */
    public TaskSpec(String id, String type, String description, Priority priority, String payload, List<String> dependsOn,
            Integer maxRetries, Long runAt, boolean runOnDependencyFailure) {
        this(id, type, description, priority, payload, dependsOn, maxRetries, runAt, runOnDependencyFailure, null, null, null, null);
    }

    /** A spec without keys. */
    public TaskSpec(String id, String type, String description, Priority priority, String payload, List<String> dependsOn,
            Integer maxRetries, Long runAt, boolean runOnDependencyFailure, String callbackUrl) {
        this(id, type, description, priority, payload, dependsOn, maxRetries, runAt, runOnDependencyFailure, callbackUrl, null, null, null);
    }

    /** A spec without a callback. */
    public TaskSpec(String id, String type, String description, Priority priority, String payload, List<String> dependsOn,
            Integer maxRetries, Long runAt, boolean runOnDependencyFailure, String rateKey, Integer cost, String concurrencyKey) {
        this(id, type, description, priority, payload, dependsOn, maxRetries, runAt, runOnDependencyFailure, null, rateKey, cost,
                concurrencyKey);
    }

    public TaskSpec {
        type = Names.canonical(type); // shared by the tasks of a type however the spec was made (request, schedule, recovery)
        rateKey = Names.canonical(rateKey);
        concurrencyKey = Names.canonical(concurrencyKey);
        priority = priority == null ? Priority.MEDIUM : priority;
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        cost = cost == null ? 1 : cost;
    }

    public static TaskSpec of(String type, Priority priority) {
        return new TaskSpec(null, type, null, priority, null, List.of(), null, null, false);
    }

    public TaskSpec withId(String newId) {
        return new TaskSpec(newId, type, description, priority, payload, dependsOn, maxRetries, runAt, runOnDependencyFailure, callbackUrl, rateKey, cost, concurrencyKey);
    }

    public TaskSpec withRunAt(Long newRunAt) {
        return new TaskSpec(id, type, description, priority, payload, dependsOn, maxRetries, newRunAt, runOnDependencyFailure, callbackUrl, rateKey, cost, concurrencyKey);
    }

    public TaskSpec withPayload(String newPayload) {
        return new TaskSpec(id, type, description, priority, newPayload, dependsOn, maxRetries, runAt, runOnDependencyFailure, callbackUrl, rateKey, cost, concurrencyKey);
    }

    public TaskSpec withMaxRetries(Integer newMaxRetries) {
        return new TaskSpec(id, type, description, priority, payload, dependsOn, newMaxRetries, runAt, runOnDependencyFailure, callbackUrl, rateKey, cost, concurrencyKey);
    }

    public TaskSpec withKeys(String newRateKey, Integer newCost, String newConcurrencyKey) {
        return new TaskSpec(id, type, description, priority, payload, dependsOn, maxRetries, runAt, runOnDependencyFailure, callbackUrl,
                newRateKey, newCost, newConcurrencyKey);
    }

    public TaskSpec withDependsOn(List<String> newDependsOn) {
        return new TaskSpec(id, type, description, priority, payload, newDependsOn, maxRetries, runAt, runOnDependencyFailure, callbackUrl, rateKey, cost, concurrencyKey);
    }
}
