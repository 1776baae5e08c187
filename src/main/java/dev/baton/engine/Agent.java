package dev.baton.engine;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The engine's mutable record of one agent: registration, liveness, load and history. */
final class Agent {

    final String id;
    final long registeredAt;
    AgentSpec spec;
    boolean general;
    long lastSeen;
    boolean lost;
    /** Tasks this agent holds a lease for, in claim order. */
    final Set<Task> active = new LinkedHashSet<>();
    final Ewma overall = new Ewma();
    final Map<String, Ewma> byType = new HashMap<>();
    /** Long-poll claims of this agent still parked. */
    final Set<PendingClaim> parked = new LinkedHashSet<>();

    Agent(AgentSpec spec, long now) {
        this.id = spec.id();
        this.registeredAt = now;
        this.lastSeen = now;
        update(spec);
    }

    void update(AgentSpec newSpec) {
        this.spec = newSpec;
        this.general = newSpec.capabilities().contains(AgentSpec.GENERAL);
    }

    boolean canRun(String type) {
        return general || spec.capabilities().contains(type);
    }

    boolean exactly(String type) {
        return spec.capabilities().contains(type);
    }

    int freeSlots() {
        return spec.maxConcurrency() - active.size();
    }

    Ewma history(String type) {
        return byType.computeIfAbsent(type, t -> new Ewma());
    }

    /** Read-only: no entry is made for a type the agent never ran. */
    Ewma historyOrNull(String type) {
        return byType.get(type);
    }
}
