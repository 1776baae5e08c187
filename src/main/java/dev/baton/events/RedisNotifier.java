package dev.baton.events;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Redis pub/sub (docs/redis.md): each task event goes to {@code task_notifications} as a notification
 * and to {@code task:<id>:events} in full. Agent events have no channel.
 *
 * <p><b>Threads.</b> The hub's dispatcher {@link #publish}es into a bounded queue; one thread,
 * {@code baton-notify}, sends what piled up as one command — a script doing every PUBLISH of the
 * batch ({@link #PUBLISH_ALL}), far cheaper for the client than a pipeline of single PUBLISHes —
 * and waits for it (at most {@code timeout}). It lingers a few milliseconds after an event for
 * others to join it ({@code baton.events.redis-linger}). Nothing here is on the claim path or touches
 * durability.
 *
 * <p><b>Failures.</b> Pub/sub is fire-and-forget: a batch Redis did not take, and events that find
 * the queue full, are dropped and counted ({@code baton.events.dropped{consumer=redis}}), never retried.
 */
final class RedisNotifier implements EventConsumer {

    static final String NOTIFICATIONS = "task_notifications";
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
    private final ArrayBlockingQueue<Published> queue;
    private volatile boolean running;
    private volatile boolean failing;
    private Thread thread;

    RedisNotifier(Redis redis, Duration timeout, Duration linger, int queueSize, EventMetrics metrics) {
        this.redis = redis;
        this.timeout = timeout;
        this.lingerNanos = linger.toNanos();
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(queueSize);
    }

    static String taskChannel(String taskId) {
        return "task:" + taskId + ":events";
    }

    @Override
    public void publish(List<Published> batch) {
        for (Published event : batch) {
            if (event.isTaskEvent() && !queue.offer(event)) {
                metrics.dropped(EventMetrics.REDIS, 1);
            }
        }
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "baton-notify");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    private void run() {
        List<Published> batch = new ArrayList<>();
        while (running) {
            try {
                Published first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                collect(batch);
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Gather what comes within {@code linger} of the first event: one script call per few
     * milliseconds instead of one per event is most of what publishing costs Baton.
     */
    private void collect(List<Published> batch) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < MAX_EVENTS_PER_PIPELINE) {
            queue.drainTo(batch, MAX_EVENTS_PER_PIPELINE - batch.size());
            long left = deadline - System.nanoTime();
            if (left <= 0 || batch.size() >= MAX_EVENTS_PER_PIPELINE) {
                return;
            }
            Published next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private void send(List<Published> batch) {
        Request publishes = Request.cmd(Command.EVAL).arg(PUBLISH_ALL).arg(0);
        for (Published event : batch) {
            publishes.arg(NOTIFICATIONS).arg(event.wire().notification().json());
            publishes.arg(taskChannel(event.event().taskId())).arg(event.json());
        }
        try {
            redis.send(publishes).await().atMost(timeout);
            for (Published event : batch) {
                metrics.published(EventMetrics.REDIS, event.event().type());
            }
            if (failing) {
                failing = false;
                LOG.info("Redis takes notifications again");
            }
        } catch (RuntimeException e) {
            metrics.dropped(EventMetrics.REDIS, batch.size());
            if (!failing) {
                failing = true;
                LOG.warnf("Redis notifications dropped while Redis does not answer (durability is not affected): %s",
                        e.toString());
            }
        }
    }
}
