package dev.baton.events;

import dev.baton.engine.TaskEvent;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Redis pub/sub (docs/redis.md): each task event goes to {@code task_notifications} as a notification
 * and to {@code task:<id>:events} in full. Agent events have no channel.
 *
 * <p><b>Journal mode.</b> The journal's entries carry their events' messages ({@link #messages},
 * store/JournalNotices), published by the same script call once appended, and tell how it went
 * ({@link #carried}): this notifier then takes no events from the fan-out and sends nothing itself.
 * What follows is checkpoint mode.
 *
 * <p><b>Threads.</b> None of its own. The hub's dispatcher {@link #publish}es on the hub's event
 * loop into a bounded backlog; the first event of an idle notifier schedules, on that loop, one
 * send {@code linger} later ({@code baton.events.redis-linger}), so that others join it: one
 * command for all of them, a script doing every PUBLISH ({@link #PUBLISH_ALL}), far cheaper for
 * the client than a pipeline of single PUBLISHes. Nothing waits for the answer; what piles up while
 * a send is in flight goes in the next one, sent as soon as Redis answered (or after
 * {@code timeout} without an answer). Nothing here is on the claim path or touches durability.
 *
 * <p><b>Failures.</b> Pub/sub is fire-and-forget: a batch Redis did not take, and events that find
 * the backlog full, are dropped and counted ({@code baton.events.dropped{consumer=redis}}), never retried.
 */
final class RedisNotifier implements EventConsumer {

    static final String NOTIFICATIONS = "task_notifications";
    /** Every channel the messages go to: the notifications' and, as a pattern, each task's. */
    static final List<String> CHANNELS = List.of(NOTIFICATIONS, taskChannel("*"));
    /**
     * KEYS: none. ARGV: channel, message, channel, message, ... Result: the number of messages
     * published. Touches no key, so it runs on any node of a Cluster (PUBLISH reaches them all).
     */
    static final String PUBLISH_ALL = "for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end return #ARGV / 2";
    private static final Logger LOG = Logger.getLogger(RedisNotifier.class);
    private static final int MAX_EVENTS_PER_PIPELINE = 512;

    private final Redis redis;
    private final Duration timeout;
    private final long lingerNanos;
    private final EventMetrics metrics;
    private final int queueSize;
    /** Guarded by itself, with {@link #sending}. */
    private final ArrayDeque<Published> backlog = new ArrayDeque<>();
    /** A send is scheduled or in flight. */
    private boolean sending;
    private volatile boolean running;
    private volatile boolean failing;
    private volatile EventExecutor loop;
    private final Runnable sendTask = this::send;

    RedisNotifier(Redis redis, Duration timeout, Duration linger, int queueSize, EventMetrics metrics) {
        this.redis = redis;
        this.timeout = timeout;
        this.lingerNanos = linger.toNanos();
        this.metrics = metrics;
        this.queueSize = queueSize;
    }

    /** Journal mode: counts what the journal's entries carried ({@link #carried}); sends nothing itself. */
    static RedisNotifier forTheJournal(EventMetrics metrics) {
        return new RedisNotifier(null, Duration.ZERO, Duration.ZERO, 0, metrics);
    }

    static String taskChannel(String taskId) {
        return "task:" + taskId + ":events";
    }

    @Override
    public void publish(List<Published> batch) {
        int dropped = 0;
        boolean schedule;
        synchronized (backlog) {
            for (Published event : batch) {
                if (!event.isTaskEvent()) {
                    continue;
                }
                if (backlog.size() >= queueSize) {
                    dropped++;
                } else {
                    backlog.addLast(event);
                }
            }
            schedule = running && !sending && !backlog.isEmpty();
            if (schedule) {
                sending = true;
            }
        }
        if (dropped > 0) {
            metrics.dropped(EventMetrics.REDIS, dropped);
        }
        if (schedule) {
            loop.schedule(sendTask, lingerNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void start(EventExecutor loop) {
        this.loop = loop;
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        synchronized (backlog) {
            backlog.clear();
        }
    }

    /** On the hub's loop: one command for what is in the backlog (up to a pipeline's worth). */
    private void send() {
        List<Published> batch;
        synchronized (backlog) {
            if (!running || backlog.isEmpty()) {
                sending = false;
                return;
            }
            batch = new ArrayList<>(Math.min(MAX_EVENTS_PER_PIPELINE, backlog.size()));
            while (!backlog.isEmpty() && batch.size() < MAX_EVENTS_PER_PIPELINE) {
                batch.add(backlog.pollFirst());
            }
        }
        Request publishes = Request.cmd(Command.EVAL).arg(PUBLISH_ALL).arg(0);
        List<String> messages = new ArrayList<>(4 * batch.size());
        for (Published event : batch) {
            add(event.event().taskId(), event.wire(), event.json(), messages);
        }
        for (String word : messages) {
            publishes.arg(word);
        }
        AtomicBoolean answered = new AtomicBoolean();
        EventExecutor on = loop;
        ScheduledFuture<?> late = on.schedule(() -> sent(answered, batch, new IllegalStateException(
                "Redis did not answer within " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        redis.getDelegate().send(publishes).onComplete(result -> {
            late.cancel(false);
            sent(answered, batch, result.failed() ? result.cause() : null);
        });
    }

    /** Redis answered a send ({@code failure} null), or it failed or timed out: count, then send what piled up. */
    private void sent(AtomicBoolean answered, List<Published> batch, Throwable failure) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        if (failure == null) {
            for (Published event : batch) {
                metrics.published(EventMetrics.REDIS, event.event().type());
            }
        }
        tell(batch.size(), failure);
        boolean more;
        synchronized (backlog) {
            more = running && !backlog.isEmpty();
            if (!more) {
                sending = false;
            }
        }
        if (more) {
            loop.execute(sendTask);
        }
    }

    /** The two messages of a task event: its notification, and the event in full on its task's channel. */
    private static void add(String taskId, WireEvent wire, String json, List<String> into) {
        into.add(NOTIFICATIONS);
        into.add(wire.notification().json());
        into.add(taskChannel(taskId));
        into.add(json);
    }

    /** Journal mode: adds channel, message, ... for the task events among {@code events} (agent events have none). */
    static void messages(List<TaskEvent> events, List<String> into) {
        for (TaskEvent event : events) {
            if (event.taskId() != null) {
                WireEvent wire = WireEvent.of(event);
                add(event.taskId(), wire, wire.json(), into);
            }
        }
    }

    /** Journal mode: the entry that carried the messages of {@code events} was appended (failure null), or they never go out. */
    void carried(List<TaskEvent> events, Throwable failure) {
        int count = 0;
        for (TaskEvent event : events) {
            if (event.taskId() != null) {
                count++;
                if (failure == null) {
                    metrics.published(EventMetrics.REDIS, event.type());
                }
            }
        }
        if (count > 0) {
            tell(count, failure);
        }
    }

    /** Counts {@code count} notifications dropped when {@code failure}, and logs when Redis stops or starts taking them. */
    private void tell(int count, Throwable failure) {
        if (failure == null) {
            if (failing) {
                failing = false;
                LOG.info("Redis takes notifications again");
            }
            return;
        }
        metrics.dropped(EventMetrics.REDIS, count);
        if (!failing) {
            failing = true;
            LOG.warnf("Redis notifications dropped (durability is not affected): %s", failure.toString());
        }
    }
}
