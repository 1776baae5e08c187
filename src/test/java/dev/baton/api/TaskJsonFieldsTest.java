package dev.baton.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.engine.Samples;
import dev.baton.engine.TaskView;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every field of a task's view reaches the task's JSON: a field added to {@link TaskView} and not
 * to {@link TaskJson} fails here, unless it is named below as the engine's own.
 */
class TaskJsonFieldsTest {

    /** View fields under another name on the wire. */
    static final Map<String, String> RENAMED = Map.of("runOnDependencyFailure", "on_dependency_failure");
    /** View fields that stay inside Baton, and why. */
    static final Map<String, String> INTERNAL = Map.of("readyAt", "when the task last joined a deque: for aging and paging of finished tasks");

    @Test
    void everyViewFieldIsInTheJson() throws Exception {
        TaskView view = Samples.record(TaskView.class);
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        String written = json.writeValueAsString(TaskJson.of(view));
        List<String> missing = new ArrayList<>();
        for (RecordComponent component : TaskView.class.getRecordComponents()) {
            String name = component.getName();
            if (INTERNAL.containsKey(name)) {
                continue;
            }
            String key = RENAMED.getOrDefault(name, PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(name));
            if (!written.contains("\"" + key + "\":")) {
                missing.add(name + " (as " + key + ")");
            }
        }
        assertEquals(List.of(), missing, "view fields missing from the task's JSON " + written);
    }
}
