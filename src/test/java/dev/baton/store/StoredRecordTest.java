package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.AgentView;
import dev.baton.engine.EventType;
import dev.baton.engine.ScoreBreakdown;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.Samples;
import dev.baton.engine.TaskRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the store writes of a task or an agent is read back whole: a field missing from the stored JSON fails here. */
class StoredRecordTest {

    @Test
    void aTaskRecordWithEveryFieldSetIsReadBackEqual() {
        TaskRecord record = Samples.record(TaskRecord.class);
        assertEquals(record, StoreCodec.task(StoreCodec.write(record)));
    }

    @Test
    void theJournalKeepsAnAssignmentWithItsScore() {
        TaskRecord record = Samples.record(TaskRecord.class);
        TaskEvent assigned = new TaskEvent(9, EventType.ASSIGNED, record.id(), record.spec().type(), record.level(),
                record.status(), "agent-1", 0, null, 1_700_000_000_000L, record, null,
                new ScoreBreakdown(95, 50, 25, 0, 20, 0));
        assertEquals(List.of(assigned), StoreCodec.batch(StoreCodec.journalEntry(List.of(assigned))).events());
    }

    @Test
    void anAgentRecordWithItsHistoryIsReadBackEqual() {
        AgentView.History history = new AgentView.History(3, 1, 0.75, 120.5);
        AgentRecord record = new AgentRecord(new AgentSpec("a-1", Set.of("coding"), 2, Map.of("zone", "eu")),
                1_700_000_000_000L, 1_700_000_000_500L, history, Map.of("coding", history));
        assertEquals(record, StoreCodec.agent(StoreCodec.write(record)));
    }
}
