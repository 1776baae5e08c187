package dev.baton.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.engine.AgentRecord;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import java.io.UncheckedIOException;
import java.util.List;

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
