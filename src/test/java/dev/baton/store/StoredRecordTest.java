package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.AgentView;
import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.ScoreBreakdown;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.Samples;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TaskStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the store writes of a task or an agent is read back whole: a field missing from the stored JSON fails here. */
class StoredRecordTest {

    /**
     * A task record as Baton 0.x wrote it into the tasks hash and journal (the mapper's format),
     * kept as text: recovery must read what Redis already holds.
     */
    private static final String STORED_BEFORE = "{\"spec\":{\"id\":\"01KB0XAMPLE\",\"type\":\"coding\",\"description\":\"fix \\\"it\\\"\\n\","
            + "\"priority\":\"HIGH\",\"payload\":\"{\\\"repo\\\":\\\"baton\\\",\\\"issue\\\":7}\",\"dependsOn\":[\"a\",\"b\"],"
            + "\"maxRetries\":2,\"runAt\":null,\"runOnDependencyFailure\":true},\"maxRetries\":2,\"createdAt\":1764489600000,"
            + "\"status\":\"IN_PROGRESS\",\"level\":\"MEDIUM\",\"runAt\":null,\"attempt\":2,\"failures\":1,\"expiries\":0,"
            + "\"progress\":50,\"message\":\"tests pass\",\"result\":null,\"error\":\"boom\",\"startedAt\":1764489601000,"
            + "\"completedAt\":null,\"leaseId\":\"8f0e\",\"assignedAgent\":\"coder-1\",\"cancelRequested\":false,"
            + "\"endedLeaseId\":\"7a1c\",\"endedByComplete\":false,\"readyAt\":1764489600500,\"readySeq\":42}";

    @Test
    void aTaskRecordWithEveryFieldSetIsReadBackEqual() {
        TaskRecord record = Samples.record(TaskRecord.class);
        assertEquals(record, StoreCodec.task(StoreCodec.task(record)));
    }

    @Test
    void aTaskRecordWrittenBeforeTheCompactFormatIsReadBackEqual() {
        TaskRecord record = Samples.record(TaskRecord.class);
        assertEquals(record, StoreCodec.task(StoreCodec.write(record)), "what the mapper writes");
        TaskRecord stored = new TaskRecord(new TaskSpec("01KB0XAMPLE", "coding", "fix \"it\"\n", Priority.HIGH,
                "{\"repo\":\"baton\",\"issue\":7}", List.of("a", "b"), 2, null, true), 2, 1_764_489_600_000L,
                TaskStatus.IN_PROGRESS, Priority.MEDIUM, null, 2, 1, 0, 50, "tests pass", null, "boom", 1_764_489_601_000L,
                null, "8f0e", "coder-1", false, "7a1c", false, 1_764_489_600_500L, 42);
        assertEquals(stored, StoreCodec.task(STORED_BEFORE), "what Redis holds from before");
        assertEquals(stored, StoreCodec.task(StoreCodec.task(stored)));
    }

    @Test
    void textWithEveryKindOfCharacterIsReadBackEqual() {
        String odd = "\"\\/\b\f\n\r\t\u0000\u001f\u007f é ☃ \uD83D\uDE00 </script>";
        TaskRecord record = new TaskRecord(new TaskSpec("x", "t", odd, Priority.LOW, "{\"s\":\"" + odd.replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"}", List.of(), 0, 0L, false), 0, 1L, TaskStatus.FAILED, Priority.LOW, null,
                0, 0, 0, 0, odd, odd, odd, null, 2L, null, null, false, null, false, 0, 0);
        assertEquals(record, StoreCodec.task(StoreCodec.task(record)));
    }

    @Test
    void theJournalKeepsAnAssignmentsRecord() {
        TaskRecord record = Samples.record(TaskRecord.class);
        TaskEvent assigned = new TaskEvent(9, EventType.ASSIGNED, record.id(), record.spec().type(), record.level(),
                record.status(), "agent-1", 0, null, 1_700_000_000_000L, record, null,
                new ScoreBreakdown(95, 50, 25, 0, 20, 0));
        List<StoreCodec.Replayed> read = StoreCodec.journal(StoreCodec.journalEntry(List.of(assigned)));
        assertEquals(1, read.size());
        assertEquals(9, read.get(0).seq());
        // slim (the task was live before): every field that changes in a task's life is there, the rest comes from before
        assertTrue(StoreCodec.isSlim(read.get(0).task()));
        assertEquals(record, StoreCodec.withSpecOf(read.get(0).task(), record));
        TaskEvent submitted = new TaskEvent(8, EventType.SUBMITTED, record.id(), record.spec().type(), record.level(),
                record.status(), null, 0, null, 1_700_000_000_000L, record, null, null);
        assertEquals(record, StoreCodec.journal(StoreCodec.journalEntry(List.of(submitted, assigned))).get(0).task(),
                "whole, with the submit in the same entry");
    }

    @Test
    void anAgentRecordWithItsHistoryIsReadBackEqual() {
        AgentView.History history = new AgentView.History(3, 1, 0.75, 120.5);
        AgentRecord record = new AgentRecord(new AgentSpec("a-1", Set.of("coding"), 2, Map.of("zone", "eu")),
                1_700_000_000_000L, 1_700_000_000_500L, history, Map.of("coding", history));
        assertEquals(record, StoreCodec.agent(StoreCodec.write(record)));
    }
}
