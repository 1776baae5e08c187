package dev.baton.engine;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The schedules by id, each with its ticks compiled and its next run settled once per change, so
 * the ticker's look at a schedule that is not due is one comparison. Not thread-safe: used under
 * the coordinator's lock.
 */
final class Schedules {

    /** When a schedule ticks next after a given instant (epoch millis); {@link #NEVER} for never. */
    interface Ticks {
        long next(long afterMillis);
    }

    static final long NEVER = Long.MAX_VALUE;

    /** One schedule: its record (replaced whole on every change) and what is derived from it. */
    static final class Schedule {
        final ScheduleRecord record;
        final Ticks ticks;
        final long nextRun;

        Schedule(ScheduleRecord record) {
            this.record = record;
            this.ticks = ticks(record.spec(), record.since());
            this.nextRun = record.paused() ? NEVER : ticks.next(after(record));
        }
    }

    private final Map<String, Schedule> byId = new TreeMap<>();

    Schedule find(String id) {
        return byId.get(id);
    }

    Schedule put(ScheduleRecord record) {
        Schedule schedule = new Schedule(record);
        byId.put(record.id(), schedule);
        return schedule;
    }

    void remove(String id) {
        byId.remove(id);
    }

    int size() {
        return byId.size();
    }

    /** Every schedule, in id order. */
    Collection<Schedule> all() {
        return byId.values();
    }

    /** The earliest next run of any schedule, {@link #NEVER} when none will run. */
    long nextRun() {
        long next = NEVER;
        for (Schedule schedule : byId.values()) {
            next = Math.min(next, schedule.nextRun);
        }
        return next;
    }

    /** Those whose next run is at or before {@code now}, in id order (a copy: firing replaces them). */
    List<Schedule> due(long now) {
        List<Schedule> due = new ArrayList<>();
        for (Schedule schedule : byId.values()) {
            if (schedule.nextRun <= now) {
                due.add(schedule);
            }
        }
        return due;
    }

    /** The instant after which a schedule's ticks are still to come. */
    static long after(ScheduleRecord record) {
        return record.lastTick() == null ? record.since() : Math.max(record.lastTick(), record.since());
    }

    /**
     * The latest {@code max} ticks in {@code (after, now]}, oldest first. When more than
     * {@code max} are due, a window back from {@code now} that doubles until it holds more than
     * {@code max} is walked instead of everything since {@code after} (days of per-second ticks).
     */
    static List<Long> ticksDue(Ticks ticks, long after, long now, int max) {
        long from = after;
        if (count(ticks, after, now, max + 1) > max) {
            for (long span = 1_000; span > 0 && now - span > after; span *= 2) {
                if (count(ticks, now - span, now, max + 1) > max) {
                    from = now - span;
                    break;
                }
            }
        }
        ArrayDeque<Long> latest = new ArrayDeque<>(max + 1);
        for (long t = ticks.next(from); t <= now; t = ticks.next(t)) {
            latest.addLast(t);
            if (latest.size() > max) {
                latest.removeFirst();
            }
        }
        return new ArrayList<>(latest);
    }

    private static int count(Ticks ticks, long after, long now, int upTo) {
        int n = 0;
        for (long t = ticks.next(after); t <= now && n < upTo; t = ticks.next(t)) {
            n++;
        }
        return n;
    }

    /** A spec's ticks: its cron in its zone, or its interval counted from {@code since} (whole seconds). */
    static Ticks ticks(ScheduleSpec spec, long since) {
        if (spec.cron() != null) {
            Cron cron = Cron.parse(spec.cron());
            ZoneId zone = ZoneId.of(spec.timeZone());
            return after -> {
                Instant next = cron.next(Instant.ofEpochMilli(after), zone);
                return next == null ? NEVER : next.toEpochMilli();
            };
        }
        long every = spec.everyMillis();
        long anchor = Math.floorDiv(since, 1_000) * 1_000;
        return after -> after < anchor ? anchor : anchor + (Math.floorDiv(after - anchor, every) + 1) * every;
    }
}
