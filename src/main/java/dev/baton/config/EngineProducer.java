package dev.baton.config;

import dev.baton.analytics.Analytics;
import dev.baton.engine.AdaptiveSettings;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.EventSink;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.RetryPolicy;
import dev.baton.engine.ScoringWeights;
import dev.baton.engine.TypePolicy;
import dev.baton.events.EventHub;
import dev.baton.events.EventMetrics;
import dev.baton.events.TaskStates;
import io.micrometer.core.instrument.MeterRegistry;
import dev.baton.store.Store;
import dev.baton.store.StoreSink;
import dev.baton.webhooks.Webhooks;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The composition root: turns {@link BatonConfig} into the engine and hands it the event sink. */
@Singleton
public class EngineProducer {

    private static final double RETRY_JITTER = 0.1;

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Where the engine's ordered events go, in order: metrics, the store (checkpoint and journal),
     * then the fan-out (Redis pub/sub, SSE, brokers), and the ticker's pacer (an event ends its
     * rest). Each only enqueues or notes.
     */
    @Produces
    @Singleton
    EventSink eventSink(EngineMetrics metrics, StoreSink store, EventHub hub, Analytics analytics, TickPacer pacer) {
        return event -> {
            metrics.accept(event);
            store.accept(event);
            hub.accept(event);
            analytics.accept(event);
            pacer.accept(event);
        };
    }

    @Produces
    @Singleton
    @Typed(Analytics.class)
    Analytics analytics(BatonConfig config, Clock clock, MeterRegistry registry) {
        return new Analytics(new Analytics.Settings(config.analytics().queueSize(), config.analytics().maxSeries()),
                clock, registry);
    }

    @Produces
    @Singleton
    @Typed(EventHub.class)
    EventHub eventHub(BatonConfig config, MeterRegistry registry) {
        BatonConfig.Events events = config.events();
        return new EventHub(new EventHub.Settings(events.queueSize(), events.ringSize(), events.subscriberBuffer(),
                events.heartbeat().toMillis(), events.dispatchLinger()), new EventMetrics(registry));
    }

    @Produces
    @Singleton
    TaskStates taskStates(Coordinator coordinator, Store store) {
        return new TaskStates(coordinator, store::finished);
    }

    @Produces
    @Singleton
    @Typed(StoreSink.class)
    StoreSink storeSink() {
        return new StoreSink();
    }

    @Produces
    @Singleton
    Store store(BatonConfig config, Coordinator coordinator, StoreSink sink, Redis redis, Clock clock, Analytics analytics,
            Webhooks webhooks, io.vertx.core.Vertx vertx) {
        Store store = new Store(new Store.Settings(config.durability() == BatonConfig.Durability.journal,
                config.checkpointInterval().toMillis(), config.ackTimeout().toMillis(), config.retention().toMillis(),
                config.writerLeaseTtl().toMillis(), config.redis().keyPrefix()), coordinator, sink, redis, clock, vertx);
        store.imageFromTasks(config.stopImageMinTasks());
        store.keepWithCheckpoint(analytics::changedMinutes, analytics::allMinutes, analytics::restore);
        webhooks.attach(store);
        return store;
    }

    @Produces
    @Singleton
    Coordinator coordinator(BatonConfig config, EventSink sink) {
        return new Coordinator(engineConfig(config), sink, new SplittableRandom());
    }

    /** The configured rate limits and running caps, one setting per key pattern. */
    static Map<String, LimitSettings> limits(BatonConfig config) {
        Map<String, LimitSettings> limits = new HashMap<>();
        config.limits().forEach((pattern, own) -> limits.put(pattern, new LimitSettings(pattern, own.rate(),
                Math.max(1, own.window().toMillis()), own.burst().orElse(null), null)));
        config.concurrency().forEach((pattern, own) -> {
            String property = "baton.concurrency.\"" + pattern + "\".";
            AdaptiveSettings adaptive = own.adaptive().map(a -> adaptive(property, a)).orElse(null);
            if (own.maxRunning().isEmpty() && adaptive == null) {
                throw new IllegalArgumentException(property + "max-running or " + property
                        + "adaptive.max is required: a running cap must cap something");
            }
            limits.merge(pattern, new LimitSettings(pattern, null, null, null, own.maxRunning().orElse(null), adaptive),
                    (rate, cap) -> new LimitSettings(pattern, rate.rate(), rate.windowMillis(), rate.burst(),
                            cap.maxRunning(), cap.adaptive()));
        });
        return limits;
    }

    static EngineConfig engineConfig(BatonConfig config) {
        Map<String, TypePolicy> types = new HashMap<>();
        config.types().forEach((type, own) -> {
            RetryPolicy retry = own.maxRetries().isEmpty() && own.backoff().isEmpty() ? null
                    : new RetryPolicy(own.maxRetries().orElse(config.retry().maxRetries()),
                            millis(own.backoff().orElse(config.retry().backoff())));
            types.put(type, new TypePolicy(own.maxRunning().orElse(null), retry,
                    own.adaptive().map(a -> adaptive("baton.types.\"" + type + "\".", a)).orElse(null)));
        });
        BatonConfig.Scoring s = config.scoring();
        return new EngineConfig(
                config.leaseTtl().toMillis(),
                config.agentTtl().toMillis(),
                config.priorityAging().toMillis(),
                config.maxQueued(),
                new RetryPolicy(config.retry().maxRetries(), millis(config.retry().backoff())),
                config.maxExpiries(),
                config.demoteOnRetry(),
                RETRY_JITTER,
                types,
                new ScoringWeights(s.exactCapability(), s.generalCapability(), s.critical(), s.high(), s.medium(),
                        s.low(), s.load(), s.history(), s.speed(), s.speedCap()),
                config.retention().toMillis(),
                config.finishedCacheSize(),
                config.maxDependencies(),
                config.maxBatch(),
                limits(config));
    }

    /** A type's or a key pattern's configured adaptive cap, under {@code property} (ends in a dot); bad bounds refuse the start, naming the property. */
    static AdaptiveSettings adaptive(String property, BatonConfig.Adaptive own) {
        return adaptive(property, own.min(), own.max(), own.targetRunTime().map(Duration::toMillis).orElse(null));
    }

    static AdaptiveSettings adaptive(String property, int min, int max, Long targetRunTimeMillis) {
        AdaptiveSettings settings = new AdaptiveSettings(min, max, targetRunTimeMillis);
        try {
            settings.validate();
        } catch (InvalidRequestException e) {
            throw new IllegalArgumentException(property + e.field().replace('_', '-') + " " + e.detail());
        }
        return settings;
    }

    private static List<Long> millis(List<Duration> durations) {
        return durations.stream().map(Duration::toMillis).toList();
    }
}
