package dev.baton.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * The optional outgoing SmallRye channel {@value #CHANNEL}: every event's JSON, for a broker
 * connector (MQTT, AMQP, Kafka, ...) configured with the standard
 * {@code mp.messaging.outgoing.baton-events-out.*} properties. With no connector configured the
 * channel is idle and nothing is sent.
 *
 * <p><b>Order and back-pressure.</b> The hub's dispatcher {@link #publish}es into a bounded queue
 * ({@code baton.events.broker-buffer}); one thread, {@code baton-broker}, hands the events to the
 * connector one at a time and waits for the connector's answer before the next, so the broker
 * gets them in {@code seq} order and never more than it asked for. An event the connector refuses
 * (not connected yet, broker away, its in-flight window full) is offered again, after a pause that
 * doubles up to a tenth of a second, and the events behind it wait in the queue: events published
 * before the connection is up are sent once it is.
 *
 * <p><b>Drops.</b> What finds the queue full, an event the connector neither takes nor refuses
 * within {@link #ANSWER_TIMEOUT_MILLIS}, and what is still queued at shutdown are dropped and
 * counted ({@code baton.events.dropped{consumer=broker}}): a slow or absent broker never slows the
 * hub, and every event is either handed to the connector or counted.
 */
@ApplicationScoped
public class BrokerChannel implements EventConsumer {

    public static final String CHANNEL = "baton-events-out";
    static final String CONNECTOR_PROPERTY = "mp.messaging.outgoing." + CHANNEL + ".connector";
    static final long ANSWER_TIMEOUT_MILLIS = 10_000;
    private static final long FIRST_RETRY_MILLIS = 2;
    private static final long LONGEST_RETRY_MILLIS = 100;
    private static final Logger LOG = Logger.getLogger(BrokerChannel.class);

    /** One message at a time is outstanding, so the emitter never holds more than that. */
    @Inject
    @Channel(CHANNEL)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16)
    Emitter<String> emitter;

    private EventMetrics metrics;
    private volatile ArrayBlockingQueue<Published> queue;
    private volatile boolean running;
    private Thread thread;
    private boolean refusing;

    /** True when a connector is configured for the channel. */
    public static boolean configured() {
        return ConfigProvider.getConfig().getOptionalValue(CONNECTOR_PROPERTY, String.class).isPresent();
    }

    /** Start sending, holding at most {@code bufferSize} events the connector has not taken yet. Safe to call twice. */
    synchronized void start(EventMetrics eventMetrics, int bufferSize) {
        if (thread != null) {
            return;
        }
        metrics = eventMetrics;
        queue = new ArrayBlockingQueue<>(bufferSize);
        running = true;
        thread = new Thread(this::run, "baton-broker");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void publish(List<Published> batch) {
        ArrayBlockingQueue<Published> waiting = queue;
        for (Published event : batch) {
            if (waiting == null || !waiting.offer(event)) {
                metrics.dropped(EventMetrics.BROKER, 1);
            }
        }
    }

    /** Stop sending; what is still queued is counted as dropped. */
    @Override
    public synchronized void stop() {
        running = false;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
        metrics.dropped(EventMetrics.BROKER, queue.size());
        queue.clear();
    }

    private void run() {
        while (running) {
            Published event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                deliver(event);
            } catch (InterruptedException e) {
                metrics.dropped(EventMetrics.BROKER, 1);
                return;
            }
        }
    }

    /** Hand one event to the connector, offering it again while the connector refuses it. */
    private void deliver(Published event) throws InterruptedException {
        long pause = FIRST_RETRY_MILLIS;
        while (true) {
            Throwable refusal = sendOnce(event);
            if (refusal == null) {
                metrics.published(EventMetrics.BROKER, event.event().type());
                if (refusing) {
                    refusing = false;
                    LOG.info("The broker channel takes events again");
                }
                return;
            }
            if (refusal instanceof TimeoutException) {
                metrics.dropped(EventMetrics.BROKER, 1);
                LOG.warnf("The broker channel did not answer for event %d within %d ms; counted as dropped",
                        event.seq(), ANSWER_TIMEOUT_MILLIS);
                return;
            }
            if (!refusing) {
                refusing = true;
                LOG.warnf("The broker channel refuses events (%s); keeping up to %d of them and offering them again",
                        refusal.getMessage(), queue.remainingCapacity() + queue.size());
            }
            Thread.sleep(pause);
            pause = Math.min(LONGEST_RETRY_MILLIS, pause * 2);
        }
    }

    /** Null once the connector has taken the event; what it refused it with otherwise. */
    private Throwable sendOnce(Published event) throws InterruptedException {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        Message<String> message = Message.of(event.json(), () -> {
            answer.complete(null);
            return CompletableFuture.completedFuture(null);
        }, failure -> {
            answer.completeExceptionally(failure);
            return CompletableFuture.completedFuture(null);
        });
        try {
            emitter.send(message);
        } catch (RuntimeException notConnected) { // no subscriber yet, or the connector's stream ended
            return notConnected;
        }
        try {
            answer.get(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return e;
        }
    }
}
