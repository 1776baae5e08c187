package dev.baton.config;

import dev.baton.engine.Coordinator;
import dev.baton.events.BrokerChannel;
import dev.baton.events.EventHub;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Starts the event fan-out after the store has recovered (so the replay ring starts at the
 * engine's seq) and stops it before the store on shutdown, ending every SSE stream.
 */
@Singleton
public class EventsLifecycle {

    @Inject
    EventHub hub;

    @Inject
    Coordinator coordinator;

    @Inject
    BatonConfig config;

    @Inject
    Redis redis;

    @Inject
    Instance<BrokerChannel> broker;

    void start(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 900) StartupEvent event) {
        if (config.events().redisPublish()) {
            hub.publishToRedis(redis, config.ackTimeout(), config.events().redisLinger(), config.events().redisQueueSize());
        }
        if (BrokerChannel.configured()) {
            hub.publishToBroker(broker.get());
        }
        hub.start(coordinator.lastSeq());
    }

    void stop(@Observes @Priority(0) ShutdownEvent event) {
        hub.stop();
    }
}
