package dev.baton.engine;

import java.util.List;

/**
 * A schedule as the store keeps it (journaled with each {@code schedule.*} event, checkpointed in the
 * schedules hash) and the API shows it.
 *
 * @param since    ticks count only after this instant: when the schedule was made, changed or resumed
 * @param lastTick the last tick passed, run or skipped (null: none yet); no tick at or before it runs again
 * @param runs     the last runs, oldest first, at most {@link ScheduleControl#RUNS_KEPT}
 */
public record ScheduleRecord(ScheduleSpec spec, boolean paused, long createdAt, long since, Long lastTick,
        List<ScheduleRun> runs) {

    public ScheduleRecord {
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    public String id() {
        return spec.id();
    }
}
