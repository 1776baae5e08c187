package dev.baton.events;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Redis pub/sub (DESIGN §7): each task event goes to {@code task_notifications} as a notification
 * and to {@code task:<id>:events} in full. Agent events have no channel.
 *
 * <p><b>Threads.</b> The hub's dispatcher {@link #publish}es into a bounded queue; one thread,
 * {@code baton-notify}, sends what piled up as one pipeline of PUBLISH commands and waits for it
 * (at most {@code timeout}). Nothing here is on the claim path or touches durability.
 *
 * <p><b>Failures.</b> Pub/sub is fire-and-forget: a batch Redis did not take, and events that find
 * the queue full, are dropped and counted ({@code baton.events.dropped{consumer=redis}}), never retried.
 */
final class RedisNotifier implements EventConsumer {

    static final String NOTIFICATIONS = "task_notifications";
    private static final Logger LOG = Logger.getLogger(RedisNotifier.class);
    private static final int MAX_EVENTS_PER_PIPELINE = 512;

    private final Redis redis;
    private final Duration timeout;
    private final EventMetrics metrics;
    private final Function<Object, String> json;
    private final ArrayBlockingQueue<Published> queue;
    private volatile boolean running;
    private volatile boolean failing;
    private Thread thread;

    RedisNotifier(Redis redis, Duration timeout, int queueSize, EventMetrics metrics, Function<Object, String> json) {
        this.redis = redis;
        this.timeout = timeout;
        this.metrics = metrics;
        this.json = json;
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
                queue.drainTo(batch, MAX_EVENTS_PER_PIPELINE - 1);
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<Published> batch) {
        List<Request> publishes = new ArrayList<>(batch.size() * 2);
        for (Published event : batch) {
            publishes.add(Request.cmd(Command.PUBLISH).arg(NOTIFICATIONS).arg(json.apply(event.wire().notification())));
            publishes.add(Request.cmd(Command.PUBLISH).arg(taskChannel(event.event().taskId())).arg(event.json()));
        }
        try {
            redis.batch(publishes).await().atMost(timeout);
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
