package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.AgentView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** An agent on the wire, with its load and history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentJson(
        String id,
        Set<String> capabilities,
        int maxConcurrency,
        Map<String, String> labels,
        Instant registeredAt,
        Instant lastSeen,
        boolean lost,
        List<String> active,
        int waitingClaims,
        double load,
        History history,
        Map<String, History> historyByType) {

    /** Success rate and completion time are EWMAs (α = 0.1); a new agent starts at 1.0. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(long completed, long failed, double successRate, Double meanMillis) {
        static History of(AgentView.History h) {
            return new History(h.completed(), h.failed(), h.successRate(), h.meanMillis());
        }
    }

    static AgentJson of(AgentView a) {
        Map<String, History> byType = new TreeMap<>();
        a.byType().forEach((type, h) -> byType.put(type, History.of(h)));
        return new AgentJson(a.id(), a.capabilities(), a.maxConcurrency(), a.labels(),
                Instant.ofEpochMilli(a.registeredAt()), Instant.ofEpochMilli(a.lastSeen()), a.lost(), a.active(), a.waitingClaims(),
                (double) a.active().size() / a.maxConcurrency(), History.of(a.overall()), byType);
    }
}
