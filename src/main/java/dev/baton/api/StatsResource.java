package dev.baton.api;

import dev.baton.config.EngineMetrics;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineStats;
import dev.baton.engine.Priority;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/stats}: the operator's one-look summary. */
@Path("/v1/stats")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
@NonBlocking
public class StatsResource {

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Inject
    EngineMetrics metrics;

    @GET
    @Operation(operationId = "stats", summary = "Depths by level and type, running, waiting, agents, throughput, claim latency, error rate, utilisation")
    public Stats stats() {
        EngineStats s = coordinator.stats(clock.millis());
        Map<Priority, Depth> depth = new LinkedHashMap<>();
        for (Priority level : Priority.values()) {
            depth.put(level, new Depth(s.depthByLevel().getOrDefault(level, 0),
                    new TreeMap<>(s.depthByLevelAndType().getOrDefault(level, Map.of()))));
        }
        return new Stats(depth, s.pending(), s.running(), s.waiting(), s.scheduled(),
                new Agents(s.agents(), s.agentsLost(), s.agentsWaiting()),
                new Throughput(s.submitted(), s.completed(), s.failed(), s.expired(), s.cancelled(), s.completedPerSecond()),
                metrics.claimLatencyMillis(), s.errorRate(), s.utilisation(), s.lastSeq(), s.pausedTypes());
    }

    public record Stats(Map<Priority, Depth> depth, int pending, int running, int waiting, int scheduled,
            Agents agents, Throughput throughput, Map<String, Number> claimLatencyMs, double errorRate,
            double utilisation, long lastSeq, List<String> pausedTypes) {
    }

    public record Depth(int total, Map<String, Integer> byType) {
    }

    public record Agents(int total, int lost, int waiting) {
    }

    public record Throughput(long submitted, long completed, long failed, long expired, long cancelled,
            double completedPerSecond) {
    }
}
