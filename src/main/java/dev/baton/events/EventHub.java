package dev.baton.events;

import dev.baton.engine.EventSink;
import dev.baton.engine.TaskEvent;
import io.vertx.mutiny.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.netty.util.concurrent.EventExecutor;
import org.jboss.logging.Logger;

/**
 * Fans the engine's events out (docs/events.md): SSE subscribers, the replay ring, and the consumers
 * (Redis pub/sub, the broker channel).
 *
 * <p><b>Threads.</b> {@link #accept} runs under the engine's lock and only offers to a bounded
 * queue; when it is full the event is dropped for the fan-out and counted ({@code consumer=hub}),
 * the engine never waits. The dispatcher has no thread of its own: it runs on one event loop (the
 * hub's), asked by the first event offered while it is idle — from that loop itself at no wake-up
 * cost, once the loop has handled what it read. It drains the queue in batches, and after each
 * one rests (longer the larger it was): an event offered meanwhile waits for the rest to end, so
 * under load the fan-out goes in few large batches. Resting sets no timer; only an event offered
 * during the rest schedules the next batch for its end. It
 * serialises each event once (JSON, and SSE text), appends it to the ring and offers it to every
 * matching subscriber (under {@link #lock}, which subscribing also takes, so a replay and the live
 * feed neither overlap nor leave a gap), then hands the batch to the consumers, which only enqueue
 * too. Subscribers that take every event share one chunk per batch; each subscriber gets one
 * socket write per batch (in place when its connection is on the hub's loop). The same loop writes
 * the keep-alive comments.
 *
 * <p><b>Slow subscribers.</b> Each {@link EventStream} has a bounded buffer; one that is full is
 * cut off and counted. Nothing a subscriber does can slow the dispatcher.
 */
public final class EventHub implements EventSink {

    private static final Logger LOG = Logger.getLogger(EventHub.class);
    private static final int MAX_BATCH = 1024;
    /** The pause after a batch grows by this much for every {@link #EVENTS_PER_PAUSE_STEP} events in it. */
    private static final long PAUSE_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int EVENTS_PER_PAUSE_STEP = 8;

    /**
     * @param heartbeatMillis  how often idle streams get a keep-alive comment
     * @param dispatchLinger   the longest pause after a batch before the dispatcher drains again,
     *                         without waiting on the queue. The pause is 2 ms per 8 events of the
     *                         batch: a trickle goes out within a few milliseconds, while under load
     *                         the engine's offers wake no thread and each SSE subscriber gets one
     *                         socket write per pause however many events it held (a write per event
     *                         per subscriber cost more than the rest of Baton, and so did the
     *                         subscribers' reads). When idle the dispatcher waits on the queue and the
     *                         first event wakes it at once.
     */
    public record Settings(int queueSize, int ringSize, int subscriberBuffer, long heartbeatMillis, Duration dispatchLinger) {
    }

    private final Settings settings;
    private final EventMetrics metrics;
    private final List<EventConsumer> consumers = new CopyOnWriteArrayList<>();
    private final ArrayBlockingQueue<TaskEvent> queue;
    private final Object lock = new Object();
    private final List<EventStream> streams = new CopyOnWriteArrayList<>();
    private EventRing ring;
    private long dispatchedSeq;
    private volatile boolean running;
    private boolean closing;
    /** Journal mode's Redis notifications ({@link #publishToRedisWithTheJournal}); null otherwise. */
    private volatile RedisNotifier journalNotifier;
    /** The hub's event loop, from {@link #start}; null before. */
    private volatile EventExecutor loop;
    /** A batch is asked for (at once, or for the end of a rest); cleared as it starts. */
    private final AtomicBoolean asked = new AtomicBoolean();
    /** Until when the dispatcher rests after its last batch. */
    private volatile long restUntilNanos;
    private final Runnable drainTask = this::drain;
    private ScheduledFuture<?> heartbeats;

    public EventHub(Settings settings, EventMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(settings.queueSize());
        this.ring = new EventRing(settings.ringSize(), 0);
    }

    void addConsumer(EventConsumer consumer) {
        consumers.add(consumer);
    }

    /** Also send every event to the broker channel, holding at most {@code bufferSize} it has not taken (before {@link #start}). */
    public void publishToBroker(BrokerChannel broker, int bufferSize) {
        broker.start(metrics, bufferSize);
        addConsumer(broker);
    }

    /** Also publish to Redis pub/sub (before {@link #start}). */
    public void publishToRedis(Redis redis, Duration timeout, Duration linger, int queueSize) {
        addConsumer(new RedisNotifier(redis, timeout, linger, queueSize, metrics));
    }

    /**
     * Also publish to Redis pub/sub, in journal mode (before {@link #start}): the journal's entries
     * carry their events' messages ({@link #redisMessages}) and tell how their write went
     * ({@link #redisCarried}); the fan-out sends nothing to Redis.
     */
    public void publishToRedisWithTheJournal() {
        journalNotifier = RedisNotifier.forTheJournal(metrics);
    }

    /** Journal mode: adds channel, message, ... for {@code events} to {@code into} (store/JournalNotices). */
    public void redisMessages(List<TaskEvent> events, List<String> into) {
        RedisNotifier.messages(events, into);
    }

    /** Journal mode: every channel {@link #redisMessages} publishes to (names and patterns). */
    public List<String> redisChannels() {
        return RedisNotifier.CHANNELS;
    }

    /** Journal mode: the journal entry that carried {@code events}' messages was appended (failure null), or they never go out. */
    public void redisCarried(List<TaskEvent> events, Throwable failure) {
        RedisNotifier notifier = journalNotifier;
        if (notifier != null) {
            notifier.carried(events, failure);
        }
    }

    /** Under the engine's lock: enqueue, and ask the hub's loop for a batch when none is asked for. */
    @Override
    public void accept(TaskEvent event) {
        if (!queue.offer(event)) {
            metrics.dropped(EventMetrics.HUB, 1);
            return;
        }
        if (running && !asked.get() && asked.compareAndSet(false, true)) {
            ask();
        }
    }

    /** A batch at once, or at the end of the rest after the last one. */
    private void ask() {
        EventExecutor on = loop;
        long rest = restUntilNanos - System.nanoTime();
        try {
            if (rest <= 0) {
                on.execute(drainTask); // from the loop itself: no wake-up
            } else {
                on.schedule(drainTask, rest, TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException stopping) {
            asked.set(false);
        }
    }

    /**
     * Start dispatching on {@code loop} (an event loop of the server's); {@code startSeq} is the
     * engine's seq now (after recovery). Safe to call twice.
     */
    public synchronized void start(long startSeq, EventExecutor loop) {
        if (this.loop != null) {
            return;
        }
        synchronized (lock) {
            ring = new EventRing(settings.ringSize(), startSeq);
            dispatchedSeq = startSeq;
        }
        this.loop = loop;
        consumers.forEach(consumer -> consumer.start(loop));
        running = true;
        long every = settings.heartbeatMillis();
        heartbeats = loop.scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        if (!queue.isEmpty() && asked.compareAndSet(false, true)) {
            ask();
        }
    }

    /** Stop dispatching, end every stream, stop the consumers. Safe to call twice or unstarted. */
    public synchronized void stop() {
        running = false;
        if (heartbeats != null) {
            heartbeats.cancel(false);
            heartbeats = null;
        }
        endStreams();
        consumers.forEach(EventConsumer::stop);
    }

    /**
     * The server is stopping: end every SSE stream after what it has queued, and each one that
     * subscribes from now on right after its replay. Dispatch and the consumers go on until
     * {@link #stop}. Safe to call twice.
     */
    public void endStreams() {
        synchronized (lock) {
            closing = true;
        }
        endOpenStreams();
    }

    /**
     * This Baton stopped serving for a while (it lost the writer lease and stands by): end every
     * stream open now after what it has queued. Its clients reconnect with {@code Last-Event-ID}
     * and are answered 503 until this Baton serves again; new streams are not refused here.
     */
    public void endOpenStreams() {
        synchronized (lock) {
            for (EventStream stream : streams) {
                stream.finish();
            }
        }
        flushAll();
    }

    /**
     * A stream of every event the filter matches. With {@code lastEventId}, first what came after
     * it from the ring, or a {@code resync} item when the ring no longer has it.
     */
    public EventStream subscribe(EventStream.Filter filter, Long lastEventId) {
        EventStream stream = newStream(filter);
        synchronized (lock) {
            if (lastEventId != null) {
                replay(stream, lastEventId);
            }
            register(stream);
        }
        return stream;
    }

    /**
     * One task's stream, ending after its terminal event. {@code current} is the task as read
     * before this call (its seq the engine's at or after that read): when it has ended already,
     * the stream gets its last event — from the ring if held, else {@code current} — and closes.
     * {@code seenSeq} is the engine's seq read before {@code current}: the task's events after it
     * that the ring holds are sent first, as {@code current} may not show them.
     */
    public EventStream subscribeTask(String taskId, Long lastEventId, Published current, long seenSeq) {
        EventStream stream = newStream(new EventStream.Filter(null, null, null, taskId));
        synchronized (lock) {
            if (lastEventId != null) {
                replay(stream, lastEventId);
            }
            if (stream.isDone()) {
                return stream;
            }
            if (current.isTerminal()) {
                Published held = ring.lastOf(taskId);
                if (held != null && held.isTerminal()) {
                    if (lastEventId == null || held.seq() > lastEventId) {
                        stream.offer(held.sse());
                    }
                    stream.finish();
                    return stream;
                }
                if (dispatchedSeq >= current.seq()) {
                    stream.offer(current.sse());
                    stream.finish();
                    return stream;
                }
                // the terminal event is still queued: it arrives live, or the check at its seq sends current
                stream.fallbackEnd = current;
                stream.checkEndAtSeq = current.seq();
            } else if (lastEventId == null && catchUp(stream, taskId, seenSeq)) {
                return stream;
            }
            register(stream);
        }
        return stream;
    }

    /**
     * Sends {@code stream} the events of {@code taskId} dispatched after {@code seq}, the engine's
     * seq before the task's state was read: that read happens before this lock is taken, and events
     * dispatched in between would reach neither the state nor the stream (a task that ended there
     * left a stream waiting for an end already sent). True when one of them ended the task (then
     * the stream is finished). Guarded by {@link #lock}.
     */
    private boolean catchUp(EventStream stream, String taskId, long seq) {
        List<Published> since = ring.after(seq);
        if (since == null) {
            return false; // none dispatched since (or the ring no longer reaches back there)
        }
        for (Published event : since) {
            if (taskId.equals(event.event().taskId())) {
                stream.offer(event.sse());
                if (event.isTerminal()) {
                    stream.finish();
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The JSON of every event of a task the replay ring still holds, in seq order: the task's
     * timeline, as far back as the ring reaches ({@code baton.events.ring-size} events of all tasks).
     */
    public List<String> history(String taskId) {
        synchronized (lock) {
            List<Published> held = ring.allOf(taskId);
            List<String> json = new ArrayList<>(held.size());
            held.forEach(event -> json.add(event.json()));
            return json;
        }
    }

    private EventStream newStream(EventStream.Filter filter) {
        EventStream[] self = new EventStream[1];
        self[0] = new EventStream(filter, settings.subscriberBuffer(), () -> unregister(self[0]));
        return self[0];
    }

    private void replay(EventStream stream, long lastEventId) {
        List<Published> missed = ring.after(lastEventId);
        if (missed == null) {
            stream.offer(SseText.resync(lastEventId, ring.lastSeq()));
            return;
        }
        for (Published event : missed) {
            deliver(stream, event);
        }
    }

    private void register(EventStream stream) {
        if (closing) {
            stream.finish();
        }
        if (stream.isDone()) {
            return;
        }
        streams.add(stream);
        metrics.connected();
    }

    /** From any thread (the HTTP layer cancels on disconnect); needs no lock. */
    private void unregister(EventStream stream) {
        if (streams.remove(stream)) {
            metrics.disconnected();
        }
    }

    /** Offer an event to one stream (true if it took it); a stream's own task ends it. */
    private boolean deliver(EventStream stream, Published event) {
        if (!stream.filter().matches(event) || !offer(stream, event.sse(), 1)) {
            return false;
        }
        if (stream.filter().taskId() != null && event.isTerminal()) {
            stream.finish();
        }
        return true;
    }

    /** Queue for one stream, counting the moment it is cut off. */
    private boolean offer(EventStream stream, byte[] chunk, int items) {
        boolean wasDone = stream.isDone();
        boolean queued = stream.offer(chunk, items);
        if (!queued && !wasDone && stream.wasCutOff()) {
            metrics.cutOff();
        }
        return queued;
    }

    /** On the hub's loop: one batch, then a rest; asks again at once when the batch left events behind. */
    private void drain() {
        asked.set(false); // events offered from now on ask again
        if (!running) {
            return;
        }
        List<TaskEvent> batch = new ArrayList<>(Math.min(MAX_BATCH, Math.max(1, queue.size())));
        queue.drainTo(batch, MAX_BATCH);
        if (batch.isEmpty()) {
            return;
        }
        try {
            dispatch(batch);
        } catch (RuntimeException e) {
            LOG.error("event dispatch failed; going on with the next events", e);
        }
        restUntilNanos = System.nanoTime() + pauseAfter(batch.size(), settings.dispatchLinger().toNanos());
        if (!queue.isEmpty() && asked.compareAndSet(false, true)) {
            ask();
        }
    }

    /** The pause after a batch of {@code events}: a step per few events, at most {@code longestNanos}. */
    static long pauseAfter(int events, long longestNanos) {
        long steps = (events + EVENTS_PER_PAUSE_STEP - 1) / EVENTS_PER_PAUSE_STEP;
        return Math.min(longestNanos, steps * PAUSE_STEP_NANOS);
    }

    private void dispatch(List<TaskEvent> batch) {
        List<Published> published = new ArrayList<>(batch.size());
        for (TaskEvent event : batch) {
            published.add(publishable(event));
        }
        synchronized (lock) {
            for (Published event : published) {
                ring.add(event);
            }
            deliverAll(published);
            dispatchedSeq = published.get(published.size() - 1).seq();
            for (EventStream stream : streams) {
                if (stream.checkEndAtSeq >= 0 && stream.checkEndAtSeq <= dispatchedSeq && !stream.isDone()) {
                    stream.offer(stream.fallbackEnd.sse());
                    stream.finish();
                }
            }
        }
        flushAll();
        for (EventConsumer consumer : consumers) {
            try {
                consumer.publish(published);
            } catch (RuntimeException e) {
                LOG.warnf("event consumer %s failed: %s", consumer.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * A batch to every stream: those that take every event get one chunk shared by all of them;
     * the others each event they match. Counted once per event, not once per subscriber.
     */
    private void deliverAll(List<Published> published) {
        byte[] shared = null;
        int takeAll = 0;
        int[] delivered = new int[published.size()];
        for (EventStream stream : streams) {
            if (stream.filter().matchesEverything()) {
                if (shared == null) {
                    shared = published.size() == 1 ? published.get(0).sse() : SseText.join(published);
                }
                if (offer(stream, shared, published.size())) {
                    takeAll++;
                }
                continue;
            }
            for (int i = 0; i < published.size(); i++) {
                if (deliver(stream, published.get(i))) {
                    delivered[i]++;
                }
            }
        }
        for (int i = 0; i < published.size(); i++) {
            metrics.published(EventMetrics.SSE, published.get(i).event().type(), takeAll + delivered[i]);
        }
    }

    /**
     * Flush every stream with something to write, on the thread that writes to its socket: one
     * hand-over per event loop and batch, whatever the number of subscribers.
     */
    private void flushAll() {
        Map<Executor, List<EventStream>> byThread = new IdentityHashMap<>(4);
        for (EventStream stream : streams) {
            if (stream.hasWork()) {
                byThread.computeIfAbsent(stream.executor(), e -> new ArrayList<>()).add(stream);
            }
        }
        byThread.forEach((executor, group) -> {
            if (executor instanceof EventExecutor own && own.inEventLoop()) {
                group.forEach(EventStream::flush); // this loop writes to those sockets: no hand-off
                return;
            }
            try {
                executor.execute(() -> group.forEach(EventStream::flush));
            } catch (RejectedExecutionException stopping) {
                group.forEach(EventStream::flush);
            }
        });
    }

    private void heartbeat() {
        synchronized (lock) {
            for (EventStream stream : streams) {
                offer(stream, SseText.KEEP_ALIVE, 0);
            }
        }
        flushAll();
    }

    /**
     * The event for the fan-out, serialised only when something reads it ({@link Published}). The
     * task and agent records are left out: the fan-out needs only the event's fields (the score
     * too: its wire shape has it), and the ring and queues should not keep whole tasks alive.
     */
    public Published publishable(TaskEvent event) {
        TaskEvent light = event.task() == null && event.agent() == null ? event
                : new TaskEvent(event.seq(), event.type(), event.taskId(), event.taskType(), event.priority(),
                        event.status(), event.agentId(), event.progress(), event.message(), event.at(), null, null,
                        event.score());
        return new Published(light);
    }

    /** Streams connected now. */
    public int streams() {
        return streams.size();
    }
}
