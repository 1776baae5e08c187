package dev.baton.engine;

import java.util.List;

/**
 * The task a schedule submits at each tick.
 *
 * @param payload           the payload as JSON text (an object), or null for {@code {}}
 * @param maxRetries        null for the type's policy
 * @param dependsOnPrevious each run depends on the previous run's task, so runs never overlap; it
 *                          runs once the previous one ended, however it ended
 */
public record ScheduleTemplate(String type, Priority priority, String payload, String description, Integer maxRetries,
        boolean dependsOnPrevious) {

    public ScheduleTemplate {
        priority = priority == null ? Priority.MEDIUM : priority;
    }

    /** The task of one tick: its id made from the schedule and the tick, after {@code previous} when asked. */
    TaskSpec toSpec(String taskId, String previous) {
        return new TaskSpec(taskId, type, description, priority, payload,
                previous == null ? List.of() : List.of(previous), maxRetries, null, dependsOnPrevious);
    }
}
