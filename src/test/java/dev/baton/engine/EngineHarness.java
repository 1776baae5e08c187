package dev.baton.engine;

import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A coordinator on a fake clock that records its events. After every test the coordinator's
 * invariants are checked and the event sequence is verified gap-free.
 */
abstract class EngineHarness {

    static final long T0 = 1_700_000_000_000L;

    long now = T0;
    final List<TaskEvent> events = new ArrayList<>();
    Coordinator engine = newEngine(EngineConfig.defaults());

    Coordinator newEngine(EngineConfig config) {
        events.clear();
        engine = new Coordinator(config, events::add, new SplittableRandom(7));
        return engine;
    }

    @AfterEach
    void checkInvariantsAndEvents() {
        EngineInvariants.check(engine);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).seq(), "event seq must have no gaps");
        }
        if (!events.isEmpty()) {
            assertEquals(engine.lastSeq(), events.get(events.size() - 1).seq());
        }
    }

    void advance(long millis) {
        now += millis;
        engine.tick(now);
    }

    TaskView submit(String type, Priority priority) {
        return engine.submit(TaskSpec.of(type, priority), now).task();
    }

    TaskView submit(TaskSpec spec) {
        return engine.submit(spec, now).task();
    }

    AgentView agent(String id, int slots, String... capabilities) {
        return engine.registerAgent(new AgentSpec(id, Set.of(capabilities), slots, Map.of()), now);
    }

    ClaimedTask claimOne(String agentId) {
        List<ClaimedTask> claimed = engine.claim(agentId, 1, now);
        assertEquals(1, claimed.size(), "expected one task for " + agentId);
        return claimed.get(0);
    }

    void assertNothingFor(String agentId) {
        assertTrue(engine.claim(agentId, 1, now).isEmpty(), "expected no task for " + agentId);
    }

    TaskStatus status(String taskId) {
        return engine.task(taskId, now).status();
    }

    List<EventType> eventTypesOf(String taskId) {
        return events.stream().filter(e -> taskId.equals(e.taskId())).map(TaskEvent::type).toList();
    }
}
