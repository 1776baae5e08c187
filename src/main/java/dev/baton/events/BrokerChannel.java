package dev.baton.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * The optional outgoing SmallRye channel {@value #CHANNEL}: every event's JSON, for a broker
 * connector (MQTT, AMQP, Kafka, ...) configured with the standard
 * {@code mp.messaging.outgoing.baton-events-out.*} properties. With no connector configured the
 * channel is idle and nothing is sent.
 *
 * <p>The hub's dispatcher calls {@link #publish}; the emitter drops what the connector has no
 * demand for ({@link OnOverflow.Strategy#DROP}), and a message the broker refuses is counted as
 * dropped — a slow or absent broker never slows the hub.
 */
@ApplicationScoped
public class BrokerChannel implements EventConsumer {

    public static final String CHANNEL = "baton-events-out";
    static final String CONNECTOR_PROPERTY = "mp.messaging.outgoing." + CHANNEL + ".connector";

    @Inject
    @Channel(CHANNEL)
    @OnOverflow(OnOverflow.Strategy.DROP)
    Emitter<String> emitter;

    private EventMetrics metrics;

    /** True when a connector is configured for the channel. */
    public static boolean configured() {
        return ConfigProvider.getConfig().getOptionalValue(CONNECTOR_PROPERTY, String.class).isPresent();
    }

    void countWith(EventMetrics eventMetrics) {
        this.metrics = eventMetrics;
    }

    @Override
    public void publish(List<Published> batch) {
        for (Published event : batch) {
            Message<String> message = Message.of(event.json(), () -> {
                metrics.published(EventMetrics.BROKER, event.event().type());
                return CompletableFuture.completedFuture(null);
            }, failure -> {
                metrics.dropped(EventMetrics.BROKER, 1);
                return CompletableFuture.completedFuture(null);
            });
            try {
                emitter.send(message);
            } catch (RuntimeException e) {
                metrics.dropped(EventMetrics.BROKER, 1);
            }
        }
    }
}
