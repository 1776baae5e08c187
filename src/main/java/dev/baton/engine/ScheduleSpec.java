package dev.baton.engine;

/**
 * What an operator asks for ({@code POST /v1/schedules}, {@code PUT /v1/schedules/{id}}). Validated
 * by the engine; exactly one of {@code cron} and {@code everyMillis} is set.
 *
 * @param cron        a {@link Cron} expression, or null
 * @param everyMillis a fixed interval, counted from when the schedule was made, changed or resumed, or null
 * @param timeZone    the IANA zone the cron expression is read in (null: UTC)
 * @param catchUp     what happens to ticks missed while Baton was down (null: skip)
 */
public record ScheduleSpec(String id, String cron, Long everyMillis, String timeZone, CatchUp catchUp,
        ScheduleTemplate template) {

    /** Ticks missed while no Baton fired them (down, or standing by). */
    public enum CatchUp {
        /** Missed ticks are dropped; a tick runs only when it is at most {@link ScheduleControl#GRACE_MILLIS} late. */
        SKIP,
        /** One run, for the latest missed tick. */
        ONE,
        /** Every missed tick runs, oldest first, up to {@link ScheduleControl#MAX_CATCH_UP} (the latest ones). */
        ALL
    }

    public ScheduleSpec {
        timeZone = timeZone == null ? "UTC" : timeZone;
        catchUp = catchUp == null ? CatchUp.SKIP : catchUp;
    }
}
