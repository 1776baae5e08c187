package dev.baton.config;

import dev.baton.analytics.Analytics;
import dev.baton.engine.Coordinator;
import dev.baton.engine.TaskEvent;
import dev.baton.events.BrokerChannel;
import dev.baton.events.EventHub;
import dev.baton.store.JournalNotices;
import dev.baton.store.Store;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Starts the event fan-out and the analytics after the store has recovered (so the replay ring starts at the
 * engine's seq) and stops it before the store on shutdown. The SSE streams end earlier, as
 * shutdown begins: see {@link #endStreams}.
 */
@Singleton
public class EventsLifecycle implements BackgroundLoop {

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

    @Inject
    Store store;

    @Inject
    Analytics analytics;

    @Inject
    io.vertx.core.Vertx vertx;

    @Override
    public String name() {
        return "event fan-out";
    }

    @Override
    public void start() {
        if (config.events().redisPublish() && config.durability() == BatonConfig.Durability.journal) {
            hub.publishToRedisWithTheJournal(); // each journal entry carries its events' notifications
            store.notifyWith(new JournalNotices() {
                @Override
                public void messages(List<TaskEvent> events, List<String> into) {
                    hub.redisMessages(events, into);
                }

                @Override
                public void sent(List<TaskEvent> events, Throwable failure) {
                    hub.redisCarried(events, failure);
                }

                @Override
                public List<String> channels() {
                    return hub.redisChannels();
                }
            });
        } else if (config.events().redisPublish()) {
            hub.publishToRedis(redis, config.ackTimeout(), config.events().redisLinger(), config.events().redisQueueSize());
        }
        if (BrokerChannel.configured()) {
            hub.publishToBroker(broker.get(), config.events().brokerBuffer());
        }
        // the fan-out runs on an event loop (with one loop, the one that ran the engine call: no hand-off)
        hub.start(coordinator.lastSeq(), ((io.vertx.core.impl.ContextInternal) vertx.getOrCreateContext()).nettyEventLoop());
        analytics.start();
        store.onStepDown(hub::endOpenStreams);
    }

    /**
     * Fired at pre-shutdown ({@code quarkus.shutdown.delay-enabled=true}, no delay set), before the
     * HTTP server waits for the requests in flight: an SSE stream is such a request and never ends
     * on its own, so without this every SIGTERM with a subscriber connected waited the whole
     * {@code quarkus.shutdown.timeout} and logged an error.
     */
    void endStreams(@Observes ShutdownDelayInitiatedEvent event) {
        hub.endStreams();
    }

    @Override
    public void stop() {
        hub.stop();
        analytics.stop(); // before the store's final checkpoint, which writes what it recorded
    }
}
