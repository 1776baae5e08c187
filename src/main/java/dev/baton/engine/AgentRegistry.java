package dev.baton.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The registered agents in registration order, and their liveness: an agent is lost when it has
 * not been heard from for the agent TTL, and found again by its next call. An agent parked in a
 * long-poll counts as heard from. Not thread-safe: used under the coordinator's lock.
 */
final class AgentRegistry {

    private final Map<String, Agent> agents = new LinkedHashMap<>();

    Agent get(String id) {
        return id == null ? null : agents.get(id);
    }

    Agent require(String id) {
        Agent agent = get(id);
        if (agent == null) {
            throw NotFoundException.agent(id);
        }
        return agent;
    }

    void add(Agent agent) {
        agents.put(agent.id, agent);
    }

    void remove(Agent agent) {
        agents.remove(agent.id);
    }

    Collection<Agent> all() {
        return agents.values();
    }

    int size() {
        return agents.size();
    }

    boolean isEmpty() {
        return agents.isEmpty();
    }

    /** The agent called: alive at {@code now}. */
    static void seen(Agent agent, long now) {
        agent.lastSeen = now;
        agent.lost = false;
    }

    /**
     * Marks agents silent for {@code ttlMillis} as lost, telling {@code lost} of each newly lost
     * one. Answers when the next one may be lost if none calls meanwhile, {@link Long#MAX_VALUE}
     * when none may: an agent waiting in a long-poll is alive, and is seen again when its wait ends.
     */
    long sweep(long now, long ttlMillis, Consumer<Agent> lost) {
        long next = Long.MAX_VALUE;
        for (Agent agent : agents.values()) {
            if (!agent.parked.isEmpty()) {
                agent.lastSeen = now; // an agent waiting in a long-poll is alive
            } else if (!agent.lost && now - agent.lastSeen >= ttlMillis) {
                agent.lost = true;
                lost.accept(agent);
            } else if (!agent.lost) {
                next = Math.min(next, agent.lastSeen + ttlMillis);
            }
        }
        return next;
    }

    /** Slots of live agents, and how many of them are busy. */
    record Load(int lost, long slots, long busy, int parked) {
    }

    Load load() {
        int lost = 0;
        long slots = 0;
        long busy = 0;
        int parked = 0;
        for (Agent agent : agents.values()) {
            parked += agent.parked.size();
            if (agent.lost) {
                lost++;
            } else {
                slots += agent.spec.maxConcurrency();
                busy += agent.active.size();
            }
        }
        return new Load(lost, slots, busy, parked);
    }

    List<Agent> list() {
        return new ArrayList<>(agents.values());
    }
}
