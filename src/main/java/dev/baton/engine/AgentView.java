package dev.baton.engine;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of one agent with its load and history.
 *
 * @param active      task ids the agent holds leases for
 * @param waitingClaims long-poll claims the agent has parked, waiting for work
 * @param lost        unheard of for longer than agent-ttl
 * @param overall     history across all types
 * @param byType      history per task type
 */
public record AgentView(
        String id,
        Set<String> capabilities,
        int maxConcurrency,
        Map<String, String> labels,
        long registeredAt,
        long lastSeen,
        boolean lost,
        List<String> active,
        int waitingClaims,
        History overall,
        Map<String, History> byType) {

    /**
     * @param completed      tasks completed
     * @param failed         runs that failed or whose lease expired
     * @param successRate    EWMA (α = 0.1) of success, starting at 1.0
     * @param meanMillis     EWMA of completion time, null before the first completion
     */
    public record History(long completed, long failed, double successRate, Double meanMillis) {
    }
}
