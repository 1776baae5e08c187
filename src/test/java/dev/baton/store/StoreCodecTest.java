package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.AgentSpec;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A journal entry encoded in slices is the very text one encoding writes, and reads back whole. */
class StoreCodecTest {

    /** Events of every common kind, with payloads, results, an agent and its history. */
    private static List<TaskEvent> events(int tasks) {
        List<TaskEvent> events = new ArrayList<>();
        Coordinator engine = new Coordinator(EngineConfig.defaults(), events::add, new SplittableRandom(3));
        long now = 1_000;
        engine.registerAgent(new AgentSpec("w", Set.of("t"), 4, Map.of("zone", "eu")), now);
        for (int i = 0; i < tasks; i++) {
            engine.submit(TaskSpec.of("t", Priority.values()[i % 4]).withPayload("{\"n\":" + i + ",\"s\":\"é \\\"q\\\" \\n\"}"), now);
        }
        for (int round = 0; round < 20; round++) {
            for (ClaimedTask claimed : engine.claim("w", 4, ++now)) {
                engine.complete(claimed.task().id(), claimed.leaseId(), "{\"ok\":" + round + "}", ++now);
            }
        }
        return events;
    }

    @Test
    void aLargeEntryEncodedInSlicesIsWhatOneEncodingWrites() {
        List<TaskEvent> events = events(StoreCodec.PARALLEL_FROM + 1_001);
        assertTrue(events.size() >= StoreCodec.PARALLEL_FROM);
        String sliced = StoreCodec.journalEntry(events);
        assertEquals(StoreCodec.write(new StoreCodec.Batch(events)), sliced);
        assertEquals(events, StoreCodec.batch(sliced).events());
    }

    @Test
    void smallAndOddSizedEntriesToo() {
        List<TaskEvent> all = events(StoreCodec.PARALLEL_FROM + 7);
        for (int size : List.of(1, 2, 3, StoreCodec.PARALLEL_FROM - 1, StoreCodec.PARALLEL_FROM, StoreCodec.PARALLEL_FROM + 1)) {
            List<TaskEvent> some = all.subList(0, size);
            assertEquals(StoreCodec.write(new StoreCodec.Batch(some)), StoreCodec.journalEntry(some), "size " + size);
        }
    }
}
