package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.AgentView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An agent on the wire, with its load and history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentJson(
        @Schema(required = true) String id,
        @Schema(required = true) Set<String> capabilities,
        @Schema(required = true) int maxConcurrency,
        Map<String, String> labels,
        @Schema(required = true) Instant registeredAt,
        @Schema(required = true) Instant lastSeen,
        @Schema(required = true) boolean lost,
        @Schema(required = true, description = "ids of the tasks it runs now") List<String> active,
        @Schema(required = true) int waitingClaims,
        @Schema(required = true, description = "running tasks / max_concurrency") double load,
        @Schema(required = true) History history,
        @Schema(required = true) Map<String, History> historyByType) {

    /** Success rate and completion time are EWMAs (α = 0.1); a new agent starts at 1.0. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(@Schema(required = true) long completed, @Schema(required = true) long failed,
            @Schema(required = true) double successRate, Double meanMillis) {
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
