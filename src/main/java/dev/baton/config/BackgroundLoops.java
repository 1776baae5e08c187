package dev.baton.config;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Every background loop of Baton, started from this one ordered list and stopped in reverse:
 *
 * <ol>
 *   <li>{@link StoreLifecycle}: recovery, then the journal writer and the checkpointer (the store
 *   starts them in that order once the state is back);</li>
 *   <li>{@link WebhooksLifecycle}: the webhook deliverer, sending what recovery found pending in
 *   the outbox and what task ends add to it;</li>
 *   <li>{@link EventsLifecycle}: the event fan-out (SSE hub, Redis pub/sub, broker), started at
 *   the recovered engine's last seq;</li>
 *   <li>{@link EngineTicker}: the engine's timers, last, so nothing comes due before the state is
 *   back and its events have somewhere to go.</li>
 * </ol>
 *
 * On shutdown the ticker stops first (nothing new comes due), then the fan-out, the webhooks
 * (what they did not deliver stays in the outbox), then the store
 * writes its backlog and a final checkpoint. A loop that failed to start is not stopped.
 */
@Singleton
public class BackgroundLoops {

    private static final Logger LOG = Logger.getLogger(BackgroundLoops.class);

    private final List<BackgroundLoop> order;
    private final Deque<BackgroundLoop> started = new ArrayDeque<>();

    @Inject
    BackgroundLoops(StoreLifecycle store, WebhooksLifecycle webhooks, EventsLifecycle events, EngineTicker ticker) {
        this(List.of(store, webhooks, events, ticker));
    }

    BackgroundLoops(List<BackgroundLoop> order) {
        this.order = List.copyOf(order);
    }

    /** The loops in start order. */
    public List<String> names() {
        return order.stream().map(BackgroundLoop::name).toList();
    }

    void start(@Observes StartupEvent event) {
        start();
    }

    void stop(@Observes @Priority(1) ShutdownEvent event) {
        stop();
    }

    synchronized void start() {
        for (BackgroundLoop loop : order) {
            LOG.debugf("starting %s", loop.name());
            loop.start();
            started.push(loop);
        }
    }

    synchronized void stop() {
        while (!started.isEmpty()) {
            BackgroundLoop loop = started.pop();
            LOG.debugf("stopping %s", loop.name());
            try {
                loop.stop();
            } catch (RuntimeException e) {
                LOG.errorf(e, "stopping %s failed; stopping the others", loop.name());
            }
        }
    }
}
