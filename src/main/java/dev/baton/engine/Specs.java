package dev.baton.engine;

import java.util.Map;

/** The checks a task or agent spec passes before it changes anything; each refusal names the field. */
final class Specs {

    private Specs() {
    }

    static void validate(TaskSpec spec) {
        if (spec.type() == null || spec.type().isBlank()) {
            throw new InvalidRequestException("type", "is required");
        }
        Ids.requireValid("type", spec.type());
        if (spec.id() != null) {
            Ids.requireValid("id", spec.id());
        }
        Ids.requireText("description", spec.description(), Ids.MAX_DESCRIPTION_CHARS);
        for (int i = 0; i < spec.dependsOn().size(); i++) {
            Ids.requireValid("depends_on[" + i + "]", spec.dependsOn().get(i));
        }
        if (spec.maxRetries() != null && spec.maxRetries() < 0) {
            throw new InvalidRequestException("max_retries", "must be 0 or more, was " + spec.maxRetries());
        }
        if (spec.rateKey() != null) {
            Ids.requireKey("rate_key", spec.rateKey());
        }
        if (spec.concurrencyKey() != null) {
            Ids.requireKey("concurrency_key", spec.concurrencyKey());
        }
        if (spec.cost() < 1 || spec.cost() > LimitSettings.MAX_RATE) {
            throw new InvalidRequestException("cost", "must be between 1 and " + LimitSettings.MAX_RATE + ", was " + spec.cost());
        }
    }

    static void validate(AgentSpec spec) {
        Ids.requireValid("id", spec.id());
        if (spec.capabilities().isEmpty()) {
            throw new InvalidRequestException("capabilities", "must name at least one task type (or \"general\")");
        }
        if (spec.capabilities().size() > Ids.MAX_CAPABILITIES) {
            throw new InvalidRequestException("capabilities", "has " + spec.capabilities().size()
                    + " types, more than the limit of " + Ids.MAX_CAPABILITIES);
        }
        for (String capability : spec.capabilities()) {
            Ids.requireValid("capabilities", capability);
        }
        if (spec.labels().size() > Ids.MAX_LABELS) {
            throw new InvalidRequestException("labels", "has " + spec.labels().size() + " entries, more than the limit of " + Ids.MAX_LABELS);
        }
        for (Map.Entry<String, String> label : spec.labels().entrySet()) {
            Ids.requireText("labels", label.getKey(), Ids.MAX_LABEL_KEY_CHARS);
            if (label.getKey().isEmpty()) {
                throw new InvalidRequestException("labels", "must not have an empty key");
            }
            Ids.requireText("labels." + label.getKey(), label.getValue(), Ids.MAX_LABEL_VALUE_CHARS);
        }
        if (spec.maxConcurrency() < 1) {
            throw new InvalidRequestException("max_concurrency", "must be at least 1, was " + spec.maxConcurrency());
        }
    }
}
