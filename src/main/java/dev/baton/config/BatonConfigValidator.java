package dev.baton.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

import dev.baton.engine.AdaptiveSettings;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidator;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;

/**
 * The bounds of {@link BatonConfig}'s numbers and lists, checked as the configuration is read: every
 * setting out of bounds is one problem naming the property and its value
 * ({@code baton.max-batch=0 must be greater than 0}), all of them reported at once, and the start is
 * refused ({@link StartupRefusal} prints them one per line).
 *
 * <p>Hand-written rather than Bean Validation annotations on the mapping: Hibernate Validator took a
 * sixth of an empty start's CPU time (building its factory and loading its classes) for these few
 * dozen comparisons. Map keys are quoted in the names as everywhere in Baton's messages
 * ({@code baton.types."llm".max-running}), a form SmallRye Config reads back. {@link Registration}
 * (a service, {@code META-INF/services}) hands it to the configuration Quarkus builds.
 */
public final class BatonConfigValidator implements ConfigValidator {

    /** Makes the configuration Quarkus builds validate with {@link BatonConfigValidator}. */
    public static final class Registration implements SmallRyeConfigBuilderCustomizer {
        @Override
        public void configBuilder(SmallRyeConfigBuilder builder) {
            builder.withValidator(new BatonConfigValidator());
        }
    }

    private static final long RATE_CEILING = 1_000_000_000L;
    private static final int PORT_CEILING = 65_535;
    /** The analytics ring is allocated at start, rounded up to a power of two. */
    private static final int ANALYTICS_QUEUE_CEILING = 16_777_216;
    private static final int CLAIM_CEILING = 10_000;

    @Override
    public void validateMapping(Class<?> mappingClass, String prefix, Object mappingObject) {
        if (mappingObject instanceof BatonConfig config) {
            List<String> problems = problems(prefix, config);
            if (!problems.isEmpty()) {
                throw new ConfigValidationException(problems.stream().map(ConfigValidationException.Problem::new)
                        .toArray(ConfigValidationException.Problem[]::new));
            }
        }
    }

    /** Every bound {@code config} breaks, in the order of the configuration's reference; none when it is valid. */
    static List<String> problems(String prefix, BatonConfig config) {
        Checks c = new Checks(prefix + ".");
        c.positive("max-queued", config.maxQueued());
        c.atLeast("stop-image-min-tasks", config.stopImageMinTasks(), 0);
        c.positive("max-expiries", config.maxExpiries());
        c.positive("finished-cache-size", config.finishedCacheSize());
        c.positive("max-dependencies", config.maxDependencies());
        c.positive("max-batch", config.maxBatch());
        c.between("claim-max-tasks", config.claimMaxTasks(), 1, CLAIM_CEILING);

        c.atLeast("retry.max-retries", config.retry().maxRetries(), 0);
        c.notEmpty("retry.backoff", config.retry().backoff());

        each(config.types(), "types.", (type, own) -> {
            c.positive(type + "max-running", own.maxRunning());
            own.maxRetries().ifPresent(retries -> c.atLeast(type + "max-retries", retries, 0));
            own.adaptive().ifPresent(adaptive -> adaptive(c, type + "adaptive.", adaptive));
        });
        each(config.limits(), "limits.", (limit, own) -> {
            c.between(limit + "rate", own.rate(), 1, RATE_CEILING);
            own.burst().ifPresent(burst -> c.between(limit + "burst", burst, 1, RATE_CEILING));
        });
        each(config.concurrency(), "concurrency.", (pattern, own) -> {
            c.positive(pattern + "max-running", own.maxRunning());
            own.adaptive().ifPresent(adaptive -> adaptive(c, pattern + "adaptive.", adaptive));
        });

        c.positive("json.max-depth", config.json().maxDepth());
        c.positive("json.max-string-length", config.json().maxStringLength());
        c.positive("json.max-name-length", config.json().maxNameLength());

        BatonConfig.Events events = config.events();
        c.positive("events.queue-size", events.queueSize());
        c.positive("events.ring-size", events.ringSize());
        c.positive("events.subscriber-buffer", events.subscriberBuffer());
        c.positive("events.redis-queue-size", events.redisQueueSize());
        c.positive("events.broker-buffer", events.brokerBuffer());

        c.between("analytics.queue-size", config.analytics().queueSize(), 1, ANALYTICS_QUEUE_CEILING);
        c.positive("analytics.max-series", config.analytics().maxSeries());

        BatonConfig.Webhooks webhooks = config.webhooks();
        c.notEmpty("webhooks.backoff", webhooks.backoff());
        c.positive("webhooks.max-attempts", webhooks.maxAttempts());
        c.positive("webhooks.max-concurrent", webhooks.maxConcurrent());

        config.embeddedRedis().port().ifPresent(port -> c.between("embedded-redis.port", port, 1, PORT_CEILING));
        return c.problems;
    }

    /** Each entry of a map group, its properties under {@code group."key".} (quoted: a pattern may hold dots). */
    private static <T> void each(Map<String, T> entries, String group, BiConsumer<String, T> check) {
        entries.forEach((key, own) -> check.accept(group + '"' + key + "\".", own));
    }

    private static void adaptive(Checks c, String under, BatonConfig.Adaptive adaptive) {
        c.between(under + "min", adaptive.min(), 1, AdaptiveSettings.MAX_CEILING);
        c.between(under + "max", adaptive.max(), 1, AdaptiveSettings.MAX_CEILING);
    }

    /** The problems found so far, in Bean Validation's wording (what earlier versions printed). */
    private static final class Checks {
        private final String prefix;
        private final List<String> problems = new ArrayList<>();

        Checks(String prefix) {
            this.prefix = prefix;
        }

        void positive(String name, long value) {
            if (value <= 0) {
                problems.add(prefix + name + "=" + value + " must be greater than 0");
            }
        }

        void positive(String name, Optional<? extends Number> value) {
            value.ifPresent(present -> positive(name, present.longValue()));
        }

        void atLeast(String name, long value, long min) {
            if (value < min) {
                problems.add(prefix + name + "=" + value + " must be greater than or equal to " + min);
            }
        }

        void between(String name, long value, long min, long max) {
            if (value > max) {
                problems.add(prefix + name + "=" + value + " must be less than or equal to " + max);
            } else {
                atLeast(name, value, min);
            }
        }

        void notEmpty(String name, List<?> values) {
            if (values.isEmpty()) {
                problems.add(prefix + name + " must not be empty");
            }
        }
    }
}
