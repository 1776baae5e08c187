package dev.baton.engine;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Recurring tasks: schedules that submit a task at each tick of a cron expression or a fixed
 * interval. Reached through {@link FlowControl#schedules()}; it enters the coordinator's lock and
 * submits through the same moves as a producer's submit.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Exactly one task per tick.</b> The task's id is made from the schedule and the tick
 *   ({@code sched-<id>-<epoch seconds>}), and the tick passed is kept in the schedule's record,
 *   emitted with a {@link EventType#SCHEDULE_FIRED} event after the task's own events. Recovery
 *   that finds the task but not the tick fires the tick again: the task exists, so nothing new is
 *   made and the run is recorded.</li>
 *   <li><b>Who fires.</b> Nobody here reads a clock: {@link #fire} is called with {@code now} by
 *   the writer's ticker only (a Baton standing by never calls it).</li>
 *   <li><b>Missed ticks</b> (down, standing by, the queue full) follow the schedule's
 *   {@link ScheduleSpec.CatchUp}; a tick up to {@link #GRACE_MILLIS} late is not missed.</li>
 * </ul>
 */
public final class ScheduleControl {

    /** A schedule id's length, so that the task ids made from it stay within {@link Ids#MAX_ID_LENGTH}. */
    public static final int MAX_ID_LENGTH = 100;
    public static final int MAX_SCHEDULES = 10_000;
    /** Catch-up {@code all} runs at most this many missed ticks, the latest ones. */
    public static final int MAX_CATCH_UP = 100;
    /** Runs shown and kept per schedule. */
    public static final int RUNS_KEPT = 10;
    /** How late a tick may run and still count as on time under catch-up {@code skip}. */
    public static final long GRACE_MILLIS = 60_000;
    public static final long MIN_EVERY_MILLIS = 1_000;
    static final String TASK_ID_PREFIX = "sched-";

    private final EngineConfig config;
    private final EngineLock lock;
    private final TaskTable tasks;
    private final Statuses statuses;
    private final DependencyGraph graph;
    private final Lifecycle lifecycle;
    private final EventLog events;
    private final Schedules schedules = new Schedules();
    /** How many schedules there are, readable without the lock: with none, the ticker's call takes no lock. */
    private volatile int count;

    ScheduleControl(EngineConfig config, EngineLock lock, TaskTable tasks, Statuses statuses, DependencyGraph graph,
            Lifecycle lifecycle, EventLog events) {
        this.config = config;
        this.lock = lock;
        this.tasks = tasks;
        this.statuses = statuses;
        this.graph = graph;
        this.lifecycle = lifecycle;
        this.events = events;
    }

    /**
     * A new schedule; its ticks count from now. The same spec again changes nothing (answered with
     * {@code created} false); another spec under a known id is a {@code id_conflict}.
     */
    public ScheduleView create(ScheduleSpec spec, long now) {
        return lock.change(now, () -> {
            validate(spec);
            Schedules.Schedule known = schedules.find(spec.id());
            if (known != null) {
                if (!known.record.spec().equals(spec)) {
                    throw new ConflictException("id_conflict", "schedule '" + spec.id()
                            + "' exists with a different body; change it with PUT or use a new id");
                }
                return view(known, false);
            }
            if (schedules.size() >= MAX_SCHEDULES) {
                throw new InvalidRequestException("id", "there are " + MAX_SCHEDULES + " schedules already, the limit");
            }
            long t = lock.now();
            return view(change(new ScheduleRecord(spec, false, t, t, null, List.of())), true);
        });
    }

    /** Replace a schedule's spec, keeping its runs and pause; its ticks count from now. Equal specs change nothing. */
    public ScheduleView replace(ScheduleSpec spec, long now) {
        return lock.change(now, () -> {
            validate(spec);
            Schedules.Schedule known = require(spec.id());
            ScheduleRecord r = known.record;
            if (r.spec().equals(spec)) {
                return view(known, false);
            }
            return view(change(new ScheduleRecord(spec, r.paused(), r.createdAt(), lock.now(), r.lastTick(), r.runs())),
                    false);
        });
    }

    /** Pause (no tick runs, none is caught up later) or resume (ticks count from now); the same state again changes nothing. */
    public ScheduleView pause(String id, boolean paused, long now) {
        return lock.change(now, () -> {
            Schedules.Schedule known = require(id);
            ScheduleRecord r = known.record;
            if (r.paused() == paused) {
                return view(known, false);
            }
            long since = paused ? r.since() : lock.now();
            return view(change(new ScheduleRecord(r.spec(), paused, r.createdAt(), since, r.lastTick(), r.runs())), false);
        });
    }

    /** Delete a schedule; the tasks it submitted stay. */
    public ScheduleView delete(String id, long now) {
        return lock.change(now, () -> {
            Schedules.Schedule known = require(id);
            schedules.remove(id);
            count = schedules.size();
            events.schedule(EventType.SCHEDULE_DELETED, known.record, "deleted", lock.now());
            return new ScheduleView(known.record, null, events.seq(), false);
        });
    }

    public ScheduleView get(String id, long now) {
        return lock.read(now, () -> view(require(id), false));
    }

    /** Every schedule, in id order. */
    public List<ScheduleView> list(long now) {
        return lock.read(now, () -> {
            List<ScheduleView> views = new ArrayList<>(schedules.size());
            schedules.all().forEach(s -> views.add(view(s, false)));
            return views;
        });
    }

    /** Every schedule's record, for a checkpoint. */
    public List<ScheduleRecord> records() {
        return lock.read(this::recordsLocked);
    }

    List<ScheduleRecord> recordsLocked() {
        List<ScheduleRecord> records = new ArrayList<>(schedules.size());
        schedules.all().forEach(s -> records.add(s.record));
        return records;
    }

    /** Recovered records (see {@link Coordinator#restore}); no event. */
    void restore(List<ScheduleRecord> records) {
        records.forEach(schedules::put);
        count = schedules.size();
    }

    /**
     * Submit the task of every tick that came due up to {@code now}, as each schedule's catch-up
     * policy says. Only the Baton that holds the writer lease calls this. Answers the tasks made.
     */
    public int fire(long now) {
        if (count == 0) {
            return 0;
        }
        return lock.change(now, () -> {
            int made = 0;
            for (Schedules.Schedule schedule : schedules.due(lock.now())) {
                made += fire(schedule);
            }
            return made;
        });
    }

    /** When the next schedule comes due, {@link Long#MAX_VALUE} when none will. */
    public long nextRunAt() {
        return count == 0 ? Long.MAX_VALUE : lock.read(schedules::nextRun);
    }

    private int fire(Schedules.Schedule schedule) {
        long now = lock.now();
        ScheduleRecord r = schedule.record;
        List<Long> due = Schedules.ticksDue(schedule.ticks, Schedules.after(r), now, MAX_CATCH_UP);
        if (due.isEmpty()) {
            return 0;
        }
        long latest = due.get(due.size() - 1);
        List<Long> runs = switch (r.spec().catchUp()) {
            case SKIP -> now - latest <= GRACE_MILLIS ? List.of(latest) : List.of();
            case ONE -> List.of(latest);
            case ALL -> due;
        };
        int made = 0;
        for (long tick : runs) {
            if (statuses.queued() >= config.maxQueued()) {
                return made; // the queue is full: the tick stays due, and is missed if it stays full
            }
            String taskId = taskId(r.id(), tick);
            if (tasks.find(taskId) == null) {
                List<ScheduleRun> previous = r.runs();
                String after = r.spec().template().dependsOnPrevious() && !previous.isEmpty()
                        ? previous.get(previous.size() - 1).taskId() : null;
                TaskSpec spec = r.spec().template().toSpec(taskId, after != null && tasks.find(after) != null ? after : null);
                lifecycle.create(spec, graph.parentsOf(spec));
                made++;
            }
            r = withRun(r, new ScheduleRun(tick, taskId, now));
            schedules.put(r);
            events.schedule(EventType.SCHEDULE_FIRED, r, "tick " + Instant.ofEpochMilli(tick) + " ran as task " + taskId, now);
        }
        if (r.lastTick() == null || r.lastTick() < latest) { // skipped ticks pass without an event
            schedules.put(new ScheduleRecord(r.spec(), r.paused(), r.createdAt(), r.since(), latest, r.runs()));
        }
        return made;
    }

    /** The task id of a schedule's tick. */
    public static String taskId(String scheduleId, long tickMillis) {
        return TASK_ID_PREFIX + scheduleId + "-" + Math.floorDiv(tickMillis, 1_000);
    }

    private static ScheduleRecord withRun(ScheduleRecord r, ScheduleRun run) {
        List<ScheduleRun> runs = new ArrayList<>(r.runs());
        runs.add(run);
        if (runs.size() > RUNS_KEPT) {
            runs = runs.subList(runs.size() - RUNS_KEPT, runs.size());
        }
        return new ScheduleRecord(r.spec(), r.paused(), r.createdAt(), r.since(), run.tick(), runs);
    }

    private Schedules.Schedule change(ScheduleRecord record) {
        Schedules.Schedule schedule = schedules.put(record);
        count = schedules.size();
        events.schedule(EventType.SCHEDULE_UPDATED, record, summary(record), lock.now());
        return schedule;
    }

    private Schedules.Schedule require(String id) {
        Schedules.Schedule schedule = schedules.find(Ids.requireValid("id", id));
        if (schedule == null) {
            throw new NotFoundException("schedule_not_found", "no schedule '" + id + "'");
        }
        return schedule;
    }

    private ScheduleView view(Schedules.Schedule s, boolean created) {
        return new ScheduleView(s.record, s.nextRun == Schedules.NEVER ? null : s.nextRun, events.seq(), created);
    }

    private static String summary(ScheduleRecord r) {
        ScheduleSpec s = r.spec();
        return (s.cron() != null ? "cron \"" + s.cron() + "\" " + s.timeZone() : "every " + s.everyMillis() + " ms")
                + ", catch_up " + s.catchUp().name().toLowerCase(java.util.Locale.ROOT) + (r.paused() ? ", paused" : "");
    }

    static void validate(ScheduleSpec spec) {
        Ids.requireValid("id", spec.id());
        if (spec.id().length() > MAX_ID_LENGTH) {
            throw new InvalidRequestException("id", "is " + spec.id().length() + " characters long; a schedule id has at most "
                    + MAX_ID_LENGTH);
        }
        if (spec.cron() == null && spec.everyMillis() == null) {
            throw new InvalidRequestException("cron", "is required, or every: a schedule needs one of them");
        }
        if (spec.cron() != null && spec.everyMillis() != null) {
            throw new InvalidRequestException("every", "cannot go with cron: give one of them");
        }
        if (spec.cron() != null) {
            try {
                Cron.parse(spec.cron());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("cron", e.getMessage());
            }
        }
        if (spec.everyMillis() != null && spec.everyMillis() < MIN_EVERY_MILLIS) {
            throw new InvalidRequestException("every", "must be at least 1s, was " + spec.everyMillis() + " ms");
        }
        try {
            ZoneId.of(spec.timeZone());
        } catch (DateTimeException e) {
            throw new InvalidRequestException("time_zone", "is not a known time zone, was '" + spec.timeZone()
                    + "'; use an IANA name such as Europe/Paris or UTC");
        }
        if (spec.template() == null) {
            throw new InvalidRequestException("template", "is required: the task each tick submits");
        }
        try {
            Specs.validate(spec.template().toSpec(taskId(spec.id(), 0), null));
        } catch (InvalidRequestException e) {
            throw e.under("template");
        }
    }
}
