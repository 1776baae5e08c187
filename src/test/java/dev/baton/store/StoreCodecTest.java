package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.AdaptiveSettings;
import dev.baton.engine.AgentRecord;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TypeSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A journal entry keeps, per task, the record after its last event in the entry, and every agent
 * and type event; encoded in slices it is the very text one encoding writes; entries in the
 * format written before (the mapper's) read back as they did.
 */
class StoreCodecTest {

    private static final TypeSettings SETTINGS = new TypeSettings("t", false, 9, 2, List.of(100L, 200L),
            new AdaptiveSettings(1, 8, 30_000L));

    @Test
    void typeSettingsWithAnAdaptiveCapRoundTripAsCheckpointsKeepThem() {
        assertEquals(SETTINGS, StoreCodec.typeSettings(StoreCodec.write(SETTINGS)));
        TypeSettings plain = new TypeSettings("u", true, null, null, null);
        assertEquals(plain, StoreCodec.typeSettings(StoreCodec.write(plain)));
    }

    /** Events of every common kind, with payloads, results, an agent and its history, a type's settings. */
    private static List<TaskEvent> events(int tasks) {
        List<TaskEvent> events = new ArrayList<>();
        Coordinator engine = new Coordinator(EngineConfig.defaults(), events::add, new SplittableRandom(3));
        long now = 1_000;
        engine.registerAgent(new AgentSpec("w", Set.of("t"), 4, Map.of("zone", "eu")), now);
        engine.flow().setType(SETTINGS, now);
        for (int i = 0; i < tasks; i++) {
            engine.submit(TaskSpec.of("t", Priority.values()[i % 4]).withPayload("{\"n\":" + i + ",\"s\":\"é \\\"q\\\" \\n\"}"), now);
        }
        for (int round = 0; round < 20; round++) {
            for (ClaimedTask claimed : engine.claim("w", 4, ++now)) {
                engine.complete(claimed.task().id(), claimed.leaseId(), "{\"ok\":" + round + "}", ++now);
            }
        }
        engine.removeAgent("w", ++now);
        return events;
    }

    /** What recovery must end on after applying {@code events}: each task's last record, agents and types as they went. */
    private static Map<String, Object> outcome(List<StoreCodec.Replayed> replayed) {
        Map<String, Object> out = new LinkedHashMap<>();
        long seq = 0;
        for (StoreCodec.Replayed event : replayed) {
            assertTrue(event.seq() > seq, "in seq order");
            seq = event.seq();
            if (event.task() != null) {
                out.put("task " + event.task().id(), event.task());
            } else {
                out.put(event.type() + " " + event.agentId() + " " + event.seq(), List.of(String.valueOf(event.agent()),
                        String.valueOf(event.settings())));
            }
        }
        return out;
    }

    private static List<StoreCodec.Replayed> asEvents(List<TaskEvent> events) {
        return events.stream().map(StoreCodec.Replayed::of).toList();
    }

    @Test
    void anImageIsItsRecordsInOrderInChunksOfAboutTheSizeAsked() {
        List<TaskRecord> records = new ArrayList<>();
        for (TaskEvent event : events(2_500)) {
            if (event.task() != null) {
                records.add(event.task()); // every record of every task's life: running, finished, with runs
            }
        }
        int one = StoreCodec.task(records.get(0)).length();
        List<String> chunks = StoreCodec.imageChunks(records, 10 * one);
        assertTrue(chunks.size() > records.size() / 20, chunks.size() + " chunks for " + records.size() + " records");
        List<TaskRecord> read = new ArrayList<>();
        for (String chunk : chunks) {
            assertTrue(chunk.length() < 20 * one + 2_000, "a chunk stops once past the size: " + chunk.length());
            read.addAll(StoreCodec.imageChunk(chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        assertTrue(records.equals(read), "the same records in the same order");
        List<String> large = StoreCodec.imageChunks(records, Integer.MAX_VALUE);
        assertEquals((records.size() + 999) / 1_000, large.size(), "at most a thousand records a chunk, encoded apart");
        List<TaskRecord> readLarge = new ArrayList<>();
        large.forEach(chunk -> readLarge.addAll(StoreCodec.imageChunk(chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertTrue(records.equals(readLarge));
        assertEquals(List.of(), StoreCodec.imageChunks(List.of(), 100));
        assertThrows(java.io.UncheckedIOException.class, () -> StoreCodec.imageChunk("{\"i\":\"x\"}".getBytes()),
                "a chunk is an array");
    }

    @Test
    void anEntryKeepsEachTasksLastRecordAndEveryAgentAndTypeEvent() {
        List<TaskEvent> events = events(50);
        List<StoreCodec.Replayed> read = StoreCodec.journal(StoreCodec.journalEntry(events));
        assertEquals(outcome(asEvents(events)), outcome(read));
        long tasks = events.stream().filter(e -> e.task() != null).map(TaskEvent::taskId).distinct().count();
        assertEquals(tasks, read.stream().filter(e -> e.task() != null).count(), "one record per task");
    }

    @Test
    void aLargeEntryEncodedInSlicesIsWhatOneEncodingWrites() {
        List<TaskEvent> events = events(StoreCodec.PARALLEL_FROM + 1_001);
        assertTrue(events.size() >= StoreCodec.PARALLEL_FROM);
        String sliced = StoreCodec.journalEntry(events);
        assertArrayEquals(StoreCodec.journalBytes(events, Integer.MAX_VALUE, null), StoreCodec.journalBytes(events));
        assertEquals(outcome(asEvents(events)), outcome(StoreCodec.journal(sliced)));
    }

    @Test
    void entriesWrittenIntoTheSameRoomOneAfterTheOtherAreEachWhatItsOwnWouldBe() {
        List<TaskEvent> all = events(60);
        JsonBytes scratch = new JsonBytes(16);
        byte[] large = StoreCodec.journalBytes(all, Integer.MAX_VALUE, scratch);
        byte[] largeCopy = large.clone();
        byte[] small = StoreCodec.journalBytes(all.subList(0, 3), Integer.MAX_VALUE, scratch);
        assertArrayEquals(StoreCodec.journalBytes(all.subList(0, 3), Integer.MAX_VALUE, null), small);
        assertArrayEquals(largeCopy, large, "an entry handed out is not written over by the next");
        assertArrayEquals(StoreCodec.journalBytes(all, Integer.MAX_VALUE, null), StoreCodec.journalBytes(all, Integer.MAX_VALUE, scratch));
    }

    @Test
    void aRecordsBytesAreItsTextInUtf8AlsoWhenTheRoomIsReused() {
        JsonBytes room = new JsonBytes(16);
        int records = 0;
        for (TaskEvent event : events(20)) { // payloads with non-ASCII text and escapes
            if (event.task() != null) {
                assertArrayEquals(StoreCodec.task(event.task()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        StoreCodec.taskBytes(event.task(), room));
                records++;
            }
        }
        assertTrue(records > 20, records + " records");
    }

    @Test
    void smallAndOddSizedEntriesToo() {
        List<TaskEvent> all = events(StoreCodec.PARALLEL_FROM + 7);
        for (int size : List.of(1, 2, 3, StoreCodec.PARALLEL_FROM - 1, StoreCodec.PARALLEL_FROM, StoreCodec.PARALLEL_FROM + 1)) {
            List<TaskEvent> some = all.subList(0, size);
            assertArrayEquals(StoreCodec.journalBytes(some, Integer.MAX_VALUE, null), StoreCodec.journalBytes(some), "size " + size);
            assertEquals(outcome(asEvents(some)), outcome(StoreCodec.journal(StoreCodec.journalEntry(some))), "size " + size);
        }
    }

    @Test
    void aTasksEventsAfterTheOneThatMadeItAreWrittenSlimAndCompletedFromItsEarlierRecord() {
        List<TaskEvent> events = events(40);
        int lastSubmit = 0;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).type() == dev.baton.engine.EventType.SUBMITTED) {
                lastSubmit = i;
            }
        }
        String made = StoreCodec.journalEntry(events.subList(0, lastSubmit + 1));
        String after = StoreCodec.journalEntry(events.subList(lastSubmit + 1, events.size()));
        assertTrue(made.contains("\"pl\":") && !made.contains("\"sl\":1"), made);
        assertTrue(after.contains("\"sl\":1") && !after.contains("\"pl\":") && !after.contains("\"t\":"), after);

        // applied as recovery applies them: a slim record takes the spec of the task's record before it
        Map<String, TaskRecord> records = new LinkedHashMap<>();
        List<StoreCodec.Replayed> read = new ArrayList<>(StoreCodec.journal(made));
        read.addAll(StoreCodec.journal(after));
        List<StoreCodec.Replayed> completed = new ArrayList<>();
        for (StoreCodec.Replayed event : read) {
            if (event.task() != null && StoreCodec.isSlim(event.task())) {
                event = event.withTask(StoreCodec.withSpecOf(event.task(), records.get(event.task().id())));
            }
            if (event.task() != null) {
                records.put(event.task().id(), event.task());
            }
            completed.add(event);
        }
        assertEquals(outcome(asEvents(events)), outcome(completed));
        assertEquals(40, records.size());
        assertTrue(records.values().stream().allMatch(r -> r.spec().payload().startsWith("{\"n\":")));
    }

    @Test
    void anEventThatMakesOrBringsBackATaskWritesItWholeEvenWhenALaterOneInTheEntryWouldNot() {
        List<TaskEvent> events = events(2);
        TaskEvent submitted = events.stream().filter(e -> e.type() == dev.baton.engine.EventType.SUBMITTED).findFirst().orElseThrow();
        TaskEvent assigned = events.stream().filter(e -> e.type() == dev.baton.engine.EventType.ASSIGNED
                && e.taskId().equals(submitted.taskId())).findFirst().orElseThrow();
        assertTrue(StoreCodec.continues(assigned.type()));
        assertTrue(!StoreCodec.continues(submitted.type()) && !StoreCodec.continues(dev.baton.engine.EventType.QUEUED));

        assertTrue(StoreCodec.isSlim(StoreCodec.journal(StoreCodec.journalEntry(List.of(assigned))).get(0).task()));
        TaskRecord kept = StoreCodec.journal(StoreCodec.journalEntry(List.of(submitted, assigned))).get(0).task();
        assertEquals(assigned.task(), kept, "the assignment's record, whole: the submit is not written");
        assertThrows(java.io.UncheckedIOException.class, () -> StoreCodec.task(
                "{\"i\":\"x\",\"sl\":1,\"s\":\"PENDING\",\"l\":\"LOW\"}"), "slim only in the journal");
    }

    @Test
    void anEntryInTheFormatWrittenBeforeIsReadAsItWas() {
        List<TaskEvent> events = events(30);
        String before = StoreCodec.write(new StoreCodec.Batch(events)); // how the journal was written before
        assertTrue(before.startsWith("{\"events\":["));
        assertEquals(asEvents(events), StoreCodec.journal(before));
    }

    @Test
    void recoveryReadsTheSameFromTheBytesRedisSentInEitherFormat() {
        List<TaskEvent> events = events(30); // payloads with non-ASCII text and escapes
        byte[] compact = StoreCodec.journalEntry(events).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] before = StoreCodec.write(new StoreCodec.Batch(events)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(StoreCodec.journal(StoreCodec.journalEntry(events)), StoreCodec.journal(compact));
        assertEquals(asEvents(events), StoreCodec.journal(before));
        for (TaskEvent event : events) {
            if (event.task() != null) {
                TaskRecord record = event.task();
                assertEquals(record, StoreCodec.task(StoreCodec.task(record).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                assertEquals(record, StoreCodec.task(StoreCodec.write(record).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        assertThrows(java.io.UncheckedIOException.class, () -> StoreCodec.task("{\"i\":\"x\",".getBytes()));
    }

    @Test
    void theCompactEntryIsLessThanHalfTheOldOne() {
        List<TaskEvent> events = events(1_000);
        int before = StoreCodec.write(new StoreCodec.Batch(events)).length();
        int now = StoreCodec.journalEntry(events).length();
        assertTrue(now * 2 < before, now + " chars against " + before);
    }

    @Test
    void agentAndTypeEventsKeepWhatRecoveryApplies() {
        List<StoreCodec.Replayed> read = StoreCodec.journal(StoreCodec.journalEntry(events(3)));
        AgentRecord agent = read.stream().filter(e -> e.agent() != null).findFirst().orElseThrow().agent();
        assertEquals(new AgentSpec("w", Set.of("t"), 4, Map.of("zone", "eu")), agent.spec());
        assertEquals(SETTINGS, read.stream().filter(e -> e.settings() != null).findFirst().orElseThrow().settings());
        assertEquals("w", read.get(read.size() - 1).agentId());
    }

    @Test
    void aTaskRecordWithNothingButItsDefaultsIsShortAndReadBackEqual() {
        TaskRecord record = new TaskRecord(new TaskSpec("01J", "t", null, Priority.LOW, null, List.of(), null, null, false),
                0, 1_700_000_000_000L, dev.baton.engine.TaskStatus.PENDING, Priority.LOW, null, 0, 0, 0, 0, null, null,
                null, null, null, null, null, false, null, false, 0, 0);
        String json = StoreCodec.task(record);
        assertEquals("{\"i\":\"01J\",\"t\":\"t\",\"p\":\"LOW\",\"c\":1700000000000,\"s\":\"PENDING\"}", json);
        assertEquals(record, StoreCodec.task(json));
    }

    @Test
    void recordsReadBackShareOneStringPerTypeAndKey() {
        // a million recovered tasks of one type held a million copies of its name
        String json = "{\"i\":\"01J%d\",\"t\":\"codec-shared-type\",\"p\":\"LOW\",\"rk\":\"codec-tenant\","
                + "\"ck\":\"codec-repo\",\"c\":1700000000000,\"s\":\"PENDING\"}";
        TaskSpec first = StoreCodec.task(String.format(json, 1).getBytes(java.nio.charset.StandardCharsets.UTF_8)).spec();
        TaskSpec second = StoreCodec.task(String.format(json, 2).getBytes(java.nio.charset.StandardCharsets.UTF_8)).spec();
        assertEquals("codec-shared-type", second.type());
        assertEquals("codec-tenant", second.rateKey());
        assertEquals("codec-repo", second.concurrencyKey());
        org.junit.jupiter.api.Assertions.assertSame(first.type(), second.type());
        org.junit.jupiter.api.Assertions.assertSame(first.rateKey(), second.rateKey());
        org.junit.jupiter.api.Assertions.assertSame(first.concurrencyKey(), second.concurrencyKey());
    }

    @Test
    void aTaskThatEndedAtItsFirstRunKeepsThatRunAsOneMarkAndReadsItBackEqual() {
        List<TaskEvent> events = new ArrayList<>();
        Coordinator engine = new Coordinator(EngineConfig.defaults(), events::add, new SplittableRandom(5));
        long now = 1_000;
        engine.registerAgent(new AgentSpec("w", Set.of("t"), 8, Map.of()), now);
        String completed = engine.submit(TaskSpec.of("t", Priority.HIGH).withPayload("{}"), now).task().id();
        String deadLetter = engine.submit(TaskSpec.of("t", Priority.HIGH).withPayload("{}").withMaxRetries(0), now).task().id();
        String retried = engine.submit(TaskSpec.of("t", Priority.HIGH).withPayload("{}"), now).task().id();
        String cancelled = engine.submit(TaskSpec.of("t", Priority.HIGH).withPayload("{}"), now).task().id();
        Map<String, String> leases = new LinkedHashMap<>();
        for (ClaimedTask claimed : engine.claim("w", 4, ++now)) {
            leases.put(claimed.task().id(), claimed.leaseId());
        }
        engine.heartbeat(completed, leases.get(completed), 50, "half", ++now);
        engine.complete(completed, leases.get(completed), "{\"ok\":true}", ++now);
        engine.fail(deadLetter, leases.get(deadLetter), "no such repo", false, ++now);
        engine.fail(retried, leases.get(retried), "flaky", true, ++now);
        engine.cancel(cancelled, ++now);
        now += 3_600_000; // past any backoff
        engine.tick(now);
        for (ClaimedTask claimed : engine.claim("w", 4, ++now)) {
            engine.complete(claimed.task().id(), claimed.leaseId(), "{}", ++now);
        }

        Map<String, TaskRecord> last = new LinkedHashMap<>();
        for (TaskEvent event : events) {
            if (event.task() != null) {
                TaskRecord record = event.task();
                String json = StoreCodec.task(record);
                assertEquals(record, StoreCodec.task(json), json);
                last.put(record.id(), record);
            }
        }
        assertEquals(outcome(asEvents(events)), outcome(StoreCodec.journal(StoreCodec.journalEntry(events))));
        for (String id : List.of(completed, deadLetter, cancelled)) {
            TaskRecord record = last.get(id);
            assertTrue(record.status().isTerminal() && record.attempts().size() == 1, record.toString());
            String json = StoreCodec.task(record);
            assertTrue(json.contains("\"at\":1") && !json.contains("startedAt"), json);
        }
        TaskRecord twice = last.get(retried);
        assertEquals(dev.baton.engine.TaskStatus.COMPLETED, twice.status());
        assertEquals(2, twice.attempts().size());
        assertTrue(StoreCodec.task(twice).contains("\"at\":[{\"attempt\":1,"), "two runs are written as the list");
    }

    @Test
    void aRunMarkTheRecordCannotTellIsRefused() {
        assertThrows(java.io.UncheckedIOException.class, () -> StoreCodec.task(
                "{\"i\":\"x\",\"t\":\"t\",\"p\":\"LOW\",\"s\":\"PENDING\",\"at\":1}"), "no ended run in a pending task");
        assertThrows(java.io.UncheckedIOException.class, () -> StoreCodec.task(
                "{\"i\":\"x\",\"t\":\"t\",\"p\":\"LOW\",\"s\":\"COMPLETED\",\"sa\":1,\"ca\":2,\"at\":2}"), "only 1 is a mark");
        assertEquals(1, StoreCodec.task("{\"i\":\"x\",\"t\":\"t\",\"p\":\"LOW\",\"s\":\"COMPLETED\",\"sa\":1,\"ca\":2,"
                + "\"ag\":\"w\",\"at\":1}").attempts().size());
    }
}
