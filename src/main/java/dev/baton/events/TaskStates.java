package dev.baton.events;

import dev.baton.engine.Coordinator;
import dev.baton.engine.EventType;
import dev.baton.engine.NotFoundException;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskStatus;
import dev.baton.engine.TaskView;
import java.util.function.Function;

/**
 * A task's current state as an event, for a per-task stream that opens after the task ended: the
 * task is read first, then the engine's seq, so the seq is at or after the task's last event.
 * Finished tasks out of memory come from {@code finished} (the store; null when unknown).
 */
public final class TaskStates {

    private final Coordinator coordinator;
    private final Function<String, TaskRecord> finished;

    public TaskStates(Coordinator coordinator, Function<String, TaskRecord> finished) {
        this.coordinator = coordinator;
        this.finished = finished;
    }

    /**
     * The engine's seq now. Read before {@link #current}, every event the state misses comes after
     * it ({@link EventHub#subscribeTask} sends them from its replay ring).
     */
    public long lastSeq() {
        return coordinator.lastSeq();
    }

    /** @throws NotFoundException for a task neither in memory nor kept */
    public TaskEvent current(String taskId, long now) {
        try {
            TaskView view = coordinator.task(taskId, now);
            long seq = coordinator.lastSeq();
            Long at = view.completedAt() != null ? view.completedAt() : view.startedAt();
            return new TaskEvent(seq, typeOf(view.status()), view.id(), view.type(), view.priority(), view.status(),
                    view.assignedAgent(), view.progress(), view.message(), at != null ? at : view.createdAt(), null, null);
        } catch (NotFoundException e) {
            TaskRecord kept = finished.apply(taskId);
            if (kept == null) {
                throw e;
            }
            long seq = coordinator.lastSeq();
            long at = kept.completedAt() != null ? kept.completedAt() : kept.createdAt();
            return new TaskEvent(seq, typeOf(kept.status()), kept.id(), kept.spec().type(), kept.spec().priority(),
                    kept.status(), kept.assignedAgent(), kept.progress(), kept.message(), at, kept, null);
        }
    }

    /** The event a task in this status last had, as near as the status tells. */
    static EventType typeOf(TaskStatus status) {
        return switch (status) {
            case WAITING -> EventType.WAITING;
            case SCHEDULED -> EventType.SCHEDULED;
            case PENDING -> EventType.QUEUED;
            case ASSIGNED -> EventType.ASSIGNED;
            case IN_PROGRESS -> EventType.PROGRESS;
            case COMPLETED -> EventType.COMPLETED;
            case FAILED -> EventType.FAILED;
            case CANCELLED -> EventType.CANCELLED;
        };
    }
}
