package dev.baton.analytics;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.EventSink;
import dev.baton.engine.EventType;
import dev.baton.engine.TaskEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The last 24 hours of task figures per minute, for everything, per task type and per agent
 * (docs/events.md, "Analytics"): submitted, completed, failed, expired, queue-wait and run-time
 * percentiles, utilisation. A consumer of the engine's events, outside the engine.
 *
 * <p><b>Threads.</b> {@link #accept} runs under the engine's lock and only copies what the
 * recording needs into a preallocated ring ({@link SampleRing}; full: the event is dropped for the
 * analytics and counted), so the claim path pays a few stores, no allocation, no atomic
 * read-modify-write, and never waits for the recording. One thread, {@code baton-analytics},
 * records what the ring holds every {@value #PAUSE_MILLIS} ms (sooner when it is half full) and
 * once a second accrues the time running tasks and live agents' slots spent; reads ({@link #query},
 * {@link #changedMinutes}) record what is waiting first, so they are never behind. Recording and reads
 * take this object's monitor, which the engine's thread never does.
 *
 * <p><b>Memory.</b> Each series is a ring of 1,440 minute buckets ({@link Series}); at most
 * {@link Settings#maxSeries} types and agents get their own series (later ones count only in the
 * total). Running tasks and agents are tracked while they run or live.
 *
 * <p><b>Durability.</b> The minutes that changed ({@link #changedMinutes}) are written with each checkpoint and {@link #restore}d
 * at recovery: a crash loses at most the figures of the last checkpoint interval; a task that was
 * running across a restart has its time before the restart counted, the rest from the first event after.
 *
 * <p><b>Figures.</b> Queue wait is from joining a ready deque to assignment (at {@code task.assigned});
 * run time from assignment to the end of that attempt (completed, failed, retrying, expired). Failed
 * counts tasks that ended failed (dead letters); expired counts lease expiries. Utilisation is the
 * slot-time spent running over the slot-time live agents offered; for a type, over the whole fleet's.
 */
public final class Analytics implements EventSink {

    private static final Logger LOG = Logger.getLogger(Analytics.class);
    static final String ALL = "all";
    private static final long TICK_MILLIS = 1000;
    /** Between two recordings: a minute's series and a scrape do not need the events sooner, and reads record first. */
    private static final long PAUSE_MILLIS = 200;

    /**
     * @param queueSize events waiting to be recorded; past it they are dropped for the analytics (counted)
     * @param maxSeries types plus agents that get their own series
     */
    public record Settings(int queueSize, int maxSeries) {
    }

    /** A task's current run, accrued to its type and agent. */
    private static final class Run {
        final String type;
        final String agent;
        long accruedUntil;

        Run(String type, String agent, long accruedUntil) {
            this.type = type;
            this.agent = agent;
            this.accruedUntil = accruedUntil;
        }
    }

    /** What an event adds to a minute. */
    private enum Figure { SUBMITTED, COMPLETED, FAILED, EXPIRED, QUEUE_WAIT, RUN_TIME }

    /** A live agent's slots. */
    private static final class Slots {
        int slots;
        long accruedUntil;
    }

    private final Settings settings;
    private final Clock clock;
    private final MeterRegistry registry;
    private final SampleRing ring;
    private final SampleRing.Reader recorder = this::record;
    private final Counter dropped;
    /** Every series by key: {@value #ALL}, {@code type:<type>}, {@code agent:<id>}. */
    private final Map<String, Series> series = new LinkedHashMap<>();
    /** The same series by bare type name and agent id, so that recording builds no key. */
    private final Map<String, Series> byType = new HashMap<>();
    private final Map<String, Series> byAgent = new HashMap<>();
    private final Map<String, Run> running = new HashMap<>();
    private final Map<String, Slots> agents = new HashMap<>();
    private final Map<String, Timer[]> timers = new HashMap<>();
    /** The minutes recording changed since the checkpoint took them last ({@link #changedMinutes}). */
    private long dirtyFrom = Long.MAX_VALUE;
    private long dirtyTo = Long.MIN_VALUE;
    private volatile boolean stopped;
    private volatile Thread thread;

    public Analytics(Settings settings, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.clock = clock;
        this.registry = registry;
        this.ring = new SampleRing(settings.queueSize());
        this.dropped = Counter.builder("baton.analytics.dropped")
                .description("Engine events the analytics dropped because its ring was full").register(registry);
        series.put(ALL, new Series());
    }

    /** Under the engine's lock: copy into the ring only. */
    @Override
    public void accept(TaskEvent event) {
        if (!SampleRing.recorded(event.type())) {
            return;
        }
        long waiting = ring.offer(event);
        if (waiting < 0) {
            dropped.increment();
        } else if (waiting == ring.capacity() / 2) {
            Thread recording = thread;
            if (recording != null) {
                LockSupport.unpark(recording);
            }
        }
    }

    /** Start recording on its own thread. Safe to call twice. */
    public synchronized void start() {
        if (thread != null || stopped) {
            return;
        }
        Thread started = new Thread(this::run, "baton-analytics");
        started.setDaemon(true);
        thread = started;
        started.start();
    }

    /** Stop the thread (what is waiting is recorded first). Safe to call twice or unstarted. */
    public void stop() {
        Thread running;
        synchronized (this) {
            stopped = true;
            running = thread;
            thread = null;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drain();
    }

    private void run() {
        long accrued = clock.millis();
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            try {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
                drain();
                long now = clock.millis();
                if (now - accrued >= TICK_MILLIS) {
                    accrue(now);
                    accrued = now;
                }
            } catch (RuntimeException e) {
                LOG.error("recording analytics failed; going on with the next events", e);
            }
        }
    }

    /** Record what is waiting now, on the caller's thread (the recording thread, reads, tests, shutdown). */
    public synchronized void drain() {
        ring.drain(recorder);
    }

    /** One event recorded at once, for tests. */
    synchronized void record(TaskEvent event) {
        accept(event);
        drain();
    }

    /** One event, in seq order, as the ring kept it (holding the monitor). */
    private void record(EventType kind, long at, String taskId, String type, String agentId, long startedAt,
            long readyAt, int agentSlots) {
        switch (kind) {
            case AGENT_REGISTERED -> {
                Slots slots = agents.computeIfAbsent(agentId, id -> new Slots());
                accrueAgent(agentId, slots, at);
                slots.slots = agentSlots < 0 ? slots.slots : agentSlots;
                slots.accruedUntil = Math.max(slots.accruedUntil, at);
                return;
            }
            case AGENT_LOST, AGENT_LEFT -> {
                Slots slots = agents.remove(agentId);
                if (slots != null) {
                    accrueAgent(agentId, slots, at);
                }
                return;
            }
            default -> {
            }
        }
        switch (kind) {
            case SUBMITTED -> each(type, null, at, Figure.SUBMITTED, 0);
            case ASSIGNED -> {
                endRun(taskId, at);
                long started = startedAt != SampleRing.NONE ? startedAt : at;
                if (readyAt > 0) {
                    long wait = Math.max(0, started - readyAt);
                    each(type, agentId, at, Figure.QUEUE_WAIT, wait);
                    timers(type)[0].record(wait, TimeUnit.MILLISECONDS);
                }
                running.put(taskId, new Run(type, agentId, started));
            }
            case COMPLETED, FAILED, RETRYING, EXPIRED, REQUEUED, RELEASED, CANCELLED -> {
                Run run = endRun(taskId, at);
                String agent = run == null ? agentId : run.agent;
                if (run != null && startedAt != SampleRing.NONE && timed(kind)) {
                    long took = Math.max(0, at - startedAt);
                    each(type, agent, at, Figure.RUN_TIME, took);
                    timers(type)[1].record(took, TimeUnit.MILLISECONDS);
                }
                switch (kind) {
                    case COMPLETED -> each(type, agent, at, Figure.COMPLETED, 0);
                    case FAILED -> each(type, agent, at, Figure.FAILED, 0);
                    case EXPIRED -> each(type, agent, at, Figure.EXPIRED, 0);
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
    }

    /** The ends of an attempt that ran its course (a cancel or a lost agent's requeue cut it short). */
    private static boolean timed(EventType type) {
        return type == EventType.COMPLETED || type == EventType.FAILED || type == EventType.RETRYING || type == EventType.EXPIRED;
    }

    private Run endRun(String taskId, long at) {
        Run run = running.remove(taskId);
        if (run != null) {
            accrueRun(run, at);
        }
        return run;
    }

    /** Accrue every running task and live agent up to {@code now}. */
    synchronized void accrue(long now) {
        for (Run run : running.values()) {
            accrueRun(run, now);
        }
        agents.forEach((id, slots) -> accrueAgent(id, slots, now));
    }

    private void accrueRun(Run run, long until) {
        long from = run.accruedUntil;
        if (until <= from) {
            return;
        }
        dirty(from, until);
        series(ALL).accrue(from, until, 1, true);
        Series type = ofType(run.type);
        if (type != null) {
            type.accrue(from, until, 1, true);
        }
        Series agent = run.agent == null ? null : ofAgent(run.agent);
        if (agent != null) {
            agent.accrue(from, until, 1, true);
        }
        run.accruedUntil = until;
    }

    private void accrueAgent(String id, Slots slots, long until) {
        if (until <= slots.accruedUntil || slots.slots == 0) {
            slots.accruedUntil = Math.max(slots.accruedUntil, until);
            return;
        }
        dirty(slots.accruedUntil, until);
        series(ALL).accrue(slots.accruedUntil, until, slots.slots, false);
        Series agent = ofAgent(id);
        if (agent != null) {
            agent.accrue(slots.accruedUntil, until, slots.slots, false);
        }
        slots.accruedUntil = until;
    }

    private void each(String type, String agent, long at, Figure figure, long millis) {
        dirty(at, at + 1);
        add(series.get(ALL), at, figure, millis);
        if (type != null) {
            add(ofType(type), at, figure, millis);
        }
        if (agent != null) {
            add(ofAgent(agent), at, figure, millis);
        }
    }

    /** Recording changed the minutes of [{@code fromMillis}, {@code toMillis}). */
    private void dirty(long fromMillis, long toMillis) {
        dirtyFrom = Math.min(dirtyFrom, Math.floorDiv(fromMillis, Series.MINUTE_MILLIS));
        dirtyTo = Math.max(dirtyTo, Math.floorDiv(toMillis - 1, Series.MINUTE_MILLIS));
    }

    private static void add(Series target, long at, Figure figure, long millis) {
        Series.Minute m = target == null ? null : target.atMillis(at);
        if (m == null) {
            return;
        }
        switch (figure) {
            case SUBMITTED -> m.submitted++;
            case COMPLETED -> m.completed++;
            case FAILED -> m.failed++;
            case EXPIRED -> m.expired++;
            case QUEUE_WAIT -> m.queueWait().record(millis);
            case RUN_TIME -> m.runTime().record(millis);
        }
    }

    private Series ofType(String type) {
        return cached(byType, "type:", type);
    }

    private Series ofAgent(String agent) {
        return cached(byAgent, "agent:", agent);
    }

    /** A series by bare name, its key built only the first time (and each time while there is no room). */
    private Series cached(Map<String, Series> cache, String prefix, String name) {
        Series found = cache.get(name);
        if (found == null) {
            found = series(prefix + name);
            if (found != null) {
                cache.put(name, found);
            }
        }
        return found;
    }

    /** The series of a key, made if there is room; null when there is none. */
    private Series series(String key) {
        Series found = series.get(key);
        if (found == null && series.size() <= settings.maxSeries()) {
            found = new Series();
            series.put(key, found);
        }
        return found;
    }

    /** The Prometheus timers of a type: queue wait, run time (one shared pair past the series limit). */
    private Timer[] timers(String type) {
        String tag = type == null || !byType.containsKey(type) ? "other" : type;
        Timer[] found = timers.get(tag);
        if (found == null) {
            found = newTimers(tag);
            timers.put(tag, found);
        }
        return found;
    }

    private Timer[] newTimers(String t) {
        return new Timer[] {
            Timer.builder("baton.task.queue.wait").description("From joining a ready deque to assignment, per task type")
                    .tag("type", t).publishPercentileHistogram().register(registry),
            Timer.builder("baton.task.run.time").description("From assignment to the end of the attempt, per task type")
                    .tag("type", t).publishPercentileHistogram().register(registry)};
    }

    // ---- reading ----

    /** Percentiles of durations in milliseconds over a step; left out when nothing was measured. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Durations(long count, Long p50, Long p95, Long p99) {
    }

    /**
     * One step's figures.
     *
     * @param utilisation slot-time running over slot-time offered (0..1), left out when no agent was live
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(Instant at, long submitted, long completed, long failed, long expired,
            Durations queueWaitMillis, Durations runTimeMillis, Double utilisation) {
    }

    /** The figures of one series over a time range, one point per step. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(String type, String agent, Instant from, Instant to, long stepSeconds, List<Point> points) {
    }

    /** The earliest instant the analytics may still hold, for a read at {@code now}. */
    public static long earliest(long now) {
        return (Math.floorDiv(now, Series.MINUTE_MILLIS) - Series.MINUTES + 1) * Series.MINUTE_MILLIS;
    }

    /**
     * The figures of a type, an agent, or everything (both null), from {@code from} (rounded down
     * to its minute) to {@code to}, in steps of {@code stepMillis} (a whole number of minutes).
     */
    public synchronized Report query(String type, String agent, long from, long to, long stepMillis, long now) {
        drain();
        accrue(now);
        long step = Math.max(1, stepMillis / Series.MINUTE_MILLIS);
        long first = Math.max(Math.floorDiv(from, Series.MINUTE_MILLIS), Math.floorDiv(earliest(now), Series.MINUTE_MILLIS));
        long last = Math.floorDiv(to - 1, Series.MINUTE_MILLIS);
        Series own = type != null ? series.get("type:" + type) : agent != null ? series.get("agent:" + agent) : series.get(ALL);
        Series capacity = type != null ? series.get(ALL) : own;
        List<Point> points = new ArrayList<>();
        for (long start = first; start <= last; start += step) {
            long submitted = 0;
            long completed = 0;
            long failed = 0;
            long expired = 0;
            long busy = 0;
            long offered = 0;
            LogHistogram wait = new LogHistogram();
            LogHistogram run = new LogHistogram();
            for (long minute = start; minute < start + step && minute <= last; minute++) {
                Series.Minute m = own == null ? null : own.peek(minute);
                if (m != null) {
                    submitted += m.submitted;
                    completed += m.completed;
                    failed += m.failed;
                    expired += m.expired;
                    busy += m.busyMillis;
                    if (m.queueWait != null) {
                        wait.addAll(m.queueWait);
                    }
                    if (m.runTime != null) {
                        run.addAll(m.runTime);
                    }
                }
                Series.Minute c = capacity == null ? null : capacity.peek(minute);
                if (c != null) {
                    offered += c.capacityMillis;
                }
            }
            Double utilisation = offered == 0 ? null : Math.min(1.0, Math.round(1000.0 * busy / offered) / 1000.0);
            points.add(new Point(Instant.ofEpochMilli(start * Series.MINUTE_MILLIS), submitted, completed, failed, expired,
                    durations(wait), durations(run), utilisation));
        }
        return new Report(type, agent, Instant.ofEpochMilli(first * Series.MINUTE_MILLIS),
                Instant.ofEpochMilli((last + 1) * Series.MINUTE_MILLIS), step * 60, points);
    }

    private static Durations durations(LogHistogram h) {
        return new Durations(h.total(), h.percentile(0.5), h.percentile(0.95), h.percentile(0.99));
    }

    // ---- checkpoint ----

    /** The first line of a minute's block: {@code M <epoch minute>}. */
    private static final String MINUTE = "M ";
    /** The first line of the whole-text snapshot an earlier Baton wrote. */
    private static final String LEGACY = "baton-analytics 1";

    /**
     * The minutes changed since the last call, for the checkpoint: one field per ring slot
     * ({@code 0..1439}, so a minute 24 hours on overwrites the one it replaces), each holding that
     * minute's block (see {@link #block}). A checkpoint therefore writes a minute or two, not 24 hours.
     */
    public synchronized Map<String, String> changedMinutes() {
        drain();
        Map<String, String> fields = minutes(dirtyFrom, dirtyTo);
        dirtyFrom = Long.MAX_VALUE;
        dirtyTo = Long.MIN_VALUE;
        return fields;
    }

    /** Every minute held, for a checkpoint that replaces everything. */
    public synchronized Map<String, String> allMinutes() {
        drain();
        dirtyFrom = Long.MAX_VALUE;
        dirtyTo = Long.MIN_VALUE;
        return minutes(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private Map<String, String> minutes(long from, long to) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (from > to) {
            return fields;
        }
        long newest = Long.MIN_VALUE;
        for (Series s : series.values()) {
            newest = Math.max(newest, s.newest());
        }
        long first = Math.max(from, newest - Series.MINUTES + 1);
        for (long minute = first; minute <= Math.min(to, newest); minute++) {
            String block = block(minute);
            if (block != null) {
                fields.put(Integer.toString(Series.slot(minute)), block);
            }
        }
        return fields;
    }

    /**
     * One minute of every series that has it: a line {@code M <minute>}, then per series a line
     * {@code S <key>} and a line {@code <submitted> <completed> <failed> <expired> <busy> <capacity>
     * <wait bins> <run bins>}, bins as {@code bin:count,...} or {@code -}. Null when none has it.
     */
    private String block(long minute) {
        StringBuilder out = null;
        for (Map.Entry<String, Series> entry : series.entrySet()) {
            Series.Minute m = entry.getValue().peek(minute);
            if (m == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(MINUTE).append(minute).append('\n');
            }
            out.append("S ").append(entry.getKey()).append('\n');
            figures(out, m);
        }
        return out == null ? null : out.toString();
    }

    private static void figures(StringBuilder out, Series.Minute m) {
        out.append(m.submitted).append(' ').append(m.completed).append(' ').append(m.failed).append(' ')
                .append(m.expired).append(' ').append(m.busyMillis).append(' ').append(m.capacityMillis).append(' ');
        bins(out, m.queueWait);
        out.append(' ');
        bins(out, m.runTime);
        out.append('\n');
    }

    private static void bins(StringBuilder out, LogHistogram h) {
        if (h == null || h.total() == 0) {
            out.append('-');
            return;
        }
        boolean first = true;
        for (int i = 0; i < LogHistogram.BINS; i++) {
            if (h.count(i) > 0) {
                out.append(first ? "" : ",").append(i).append(':').append(h.count(i));
                first = false;
            }
        }
    }

    /**
     * Replaces what is held with the minutes read back at recovery ({@link #changedMinutes}' fields;
     * or, from an earlier Baton, one field holding its whole-text snapshot; empty: starts empty). An
     * unreadable block is skipped with a warning.
     */
    public synchronized void restore(Map<String, String> fields) {
        series.clear();
        byType.clear();
        byAgent.clear();
        series.put(ALL, new Series());
        for (String text : fields.values()) {
            try {
                if (text.startsWith(LEGACY)) {
                    readLegacy(text);
                } else if (text.startsWith(MINUTE)) {
                    readBlock(text);
                } else {
                    LOG.warnf("analytics minute of an unknown format ('%s'); skipped", text.lines().findFirst().orElse(""));
                }
            } catch (RuntimeException e) {
                LOG.warnf("analytics minute unreadable (%s); keeping what was read of it", e.toString());
            }
        }
        dirtyFrom = Long.MAX_VALUE;
        dirtyTo = Long.MIN_VALUE;
    }

    private void readBlock(String text) {
        String[] lines = text.split("\n");
        long minute = Long.parseLong(lines[0].substring(MINUTE.length()));
        for (int i = 1; i + 1 < lines.length; i += 2) {
            Series target = lines[i].startsWith("S ") ? series(lines[i].substring(2)) : null;
            Series.Minute m = target == null ? null : target.at(minute);
            if (m != null) {
                addFigures(m, lines[i + 1].split(" "), 0);
            }
        }
    }

    /** The whole-text snapshot of an earlier Baton: {@code S <key>} lines, each followed by {@code <minute> <figures>} lines. */
    private void readLegacy(String text) {
        String[] lines = text.split("\n");
        Series current = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("S ")) {
                current = series(line.substring(2));
                continue;
            }
            String[] f = line.split(" ");
            Series.Minute m = current == null ? null : current.at(Long.parseLong(f[0]));
            if (m != null) {
                addFigures(m, f, 1);
            }
        }
    }

    private static void addFigures(Series.Minute m, String[] f, int at) {
        m.submitted += Long.parseLong(f[at]);
        m.completed += Long.parseLong(f[at + 1]);
        m.failed += Long.parseLong(f[at + 2]);
        m.expired += Long.parseLong(f[at + 3]);
        m.busyMillis += Long.parseLong(f[at + 4]);
        m.capacityMillis += Long.parseLong(f[at + 5]);
        readBins(f[at + 6], m, true);
        readBins(f[at + 7], m, false);
    }

    private static void readBins(String text, Series.Minute m, boolean wait) {
        if (text.equals("-")) {
            return;
        }
        LogHistogram h = wait ? m.queueWait() : m.runTime();
        for (String pair : text.split(",")) {
            int colon = pair.indexOf(':');
            h.add(Integer.parseInt(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1)));
        }
    }
}
