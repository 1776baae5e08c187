package dev.baton.engine;

/**
 * One run of a schedule.
 *
 * @param tick    the tick it ran for (epoch millis)
 * @param taskId  the task submitted for it
 * @param firedAt when it was submitted (later than the tick after downtime)
 */
public record ScheduleRun(long tick, String taskId, long firedAt) {
}
