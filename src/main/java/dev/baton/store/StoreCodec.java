package dev.baton.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.engine.AgentRecord;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TypeSettings;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * JSON for what Baton keeps in Redis. Its own mapper, independent of the API's settings, tolerant
 * of unknown fields so that an older Baton can read what a newer one wrote.
 */
final class StoreCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private StoreCodec() {
    }

    /** One journal entry: events in seq order. */
    record Batch(List<TaskEvent> events) {
    }

    /** Entries with at least this many events are encoded on several threads. */
    static final int PARALLEL_FROM = 2_000;

    /**
     * One journal entry, exactly as {@code write(new Batch(events))} writes it. A large one (a
     * batch submit, a release of many dependents) is encoded in slices on the common pool and the
     * slices joined: its caller waits for this write, the event loops are idle meanwhile, and one
     * thread encoding a 100,000-task batch was most of what the batch's answer waited for.
     */
    static String journalEntry(List<TaskEvent> events) {
        if (events.size() < PARALLEL_FROM) {
            return write(new Batch(events));
        }
        int slices = Math.max(2, Runtime.getRuntime().availableProcessors());
        int size = (events.size() + slices - 1) / slices;
        String joined = IntStream.range(0, slices).parallel()
                .mapToObj(i -> events.subList(Math.min(events.size(), i * size), Math.min(events.size(), (i + 1) * size)))
                .filter(slice -> !slice.isEmpty())
                .map(slice -> {
                    String array = write(slice);
                    return array.substring(1, array.length() - 1); // the elements, without the array's brackets
                })
                .collect(Collectors.joining(","));
        return "{\"events\":[" + joined + "]}";
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TaskRecord task(String json) {
        return read(json, TaskRecord.class);
    }

    static TypeSettings typeSettings(String json) {
        return read(json, TypeSettings.class);
    }

    static Outbox.Delivery delivery(String json) {
        return read(json, Outbox.Delivery.class);
    }

    static ScheduleRecord schedule(String json) {
        return read(json, ScheduleRecord.class);
    }

    static LimitSettings limit(String json) {
        return read(json, LimitSettings.class);
    }

    static AgentRecord agent(String json) {
        return read(json, AgentRecord.class);
    }

    static Batch batch(String json) {
        return read(json, Batch.class);
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("unreadable " + type.getSimpleName() + " in Redis: " + e.getOriginalMessage(), e);
        }
    }
}
