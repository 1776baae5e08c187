package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Every assignment's event says why the agent got the task: the score's terms as they were. */
class ScoreExplanationTest extends EngineHarness {

    private final ScoringWeights weights = EngineConfig.defaults().weights();

    private ScoreBreakdown scoreOf(String taskId) {
        List<TaskEvent> assigned = events.stream()
                .filter(e -> e.type() == EventType.ASSIGNED && taskId.equals(e.taskId())).toList();
        assertEquals(1, assigned.size());
        return assigned.get(0).score();
    }

    @Test
    void aSpecialistsScoreHasTheExactCapabilityTermAndTheLoadBeforeItTookTheTask() {
        agent("coder", 4, "coding");
        TaskView first = submit("coding", Priority.HIGH);
        TaskView second = submit("coding", Priority.LOW);
        claimOne("coder");
        claimOne("coder");

        ScoreBreakdown one = scoreOf(first.id());
        assertEquals(weights.exactCapability(), one.capability());
        assertEquals(weights.high(), one.priority());
        assertEquals(0.0, one.load(), "the agent was idle when it took the first task");
        assertEquals(weights.history(), one.history(), "a newcomer's success rate counts as 1");
        assertEquals(weights.speed(), one.speed(), "a newcomer runs at the fleet's pace");
        assertEquals(one.capability() + one.priority() + one.load() + one.history() + one.speed(), one.total(), 1e-9);

        ScoreBreakdown two = scoreOf(second.id());
        assertEquals(weights.low(), two.priority());
        assertEquals(weights.load() * 1 / 4, two.load(), 1e-9, "one of four slots was busy");
    }

    @Test
    void aGeneralAgentPushedATaskByItsLongPollHasTheGeneralCapabilityTerm() {
        agent("any", 1, AgentSpec.GENERAL);
        ClaimAttempt parked = engine.claimOrWait("any", 1, now);
        TaskView task = submit("summary", Priority.MEDIUM);
        assertEquals(1, parked.pending().result().join().size());
        ScoreBreakdown score = scoreOf(task.id());
        assertEquals(weights.generalCapability(), score.capability());
        assertEquals(weights.medium(), score.priority());
    }

    @Test
    void noOtherEventCarriesAScore() {
        agent("coder", 1, "coding");
        TaskView task = submit("coding", Priority.HIGH);
        ClaimedTask claimed = claimOne("coder");
        engine.complete(task.id(), claimed.leaseId(), "{}", now);
        events.stream().filter(e -> e.type() != EventType.ASSIGNED).forEach(e -> assertNull(e.score(), e.type().name()));
    }
}
