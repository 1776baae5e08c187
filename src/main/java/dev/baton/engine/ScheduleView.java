package dev.baton.engine;

/**
 * A schedule with its next run (null when paused, or when its cron names no time within years).
 *
 * @param seq     the last event when the view was taken (for the caller's durability wait)
 * @param created the call made the schedule (a create that found the same schedule answers false)
 */
public record ScheduleView(ScheduleRecord schedule, Long nextRun, long seq, boolean created) {
}
