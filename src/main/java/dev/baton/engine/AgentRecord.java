package dev.baton.engine;

import java.util.Map;

/**
 * An agent with its history, for checkpoints and recovery.
 *
 * @param byType history per task type
 */
public record AgentRecord(AgentSpec spec, long registeredAt, long lastSeen, AgentView.History overall,
        Map<String, AgentView.History> byType) {

    public AgentRecord {
        byType = byType == null ? Map.of() : Map.copyOf(byType);
    }
}
