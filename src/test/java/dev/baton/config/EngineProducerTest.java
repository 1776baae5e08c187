package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.baton.engine.AdaptiveSettings;
import dev.baton.engine.LimitSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configured adaptive cap of a type ({@code baton.types."<type>".adaptive.*}) or a key pattern
 * ({@code baton.concurrency."<pattern>".adaptive.*}) as the engine
 * gets it. (No implementation of the config interfaces here: their validation annotations would
 * make Quarkus refuse to build the test application.)
 */
class EngineProducerTest {

    @Test
    void anAdaptiveCapIsPassedOnWithItsTarget() {
        assertEquals(new AdaptiveSettings(2, 50, 30_000L), EngineProducer.adaptive("baton.types.\"llm\".", 2, 50, 30_000L));
    }

    @Test
    void aFloorAboveTheCeilingRefusesTheStartNamingTheProperty() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> EngineProducer.adaptive("baton.types.\"llm\".", 5, 4, null));
        assertEquals("baton.types.\"llm\".adaptive.max must be between adaptive.min (5) and 100000, was 4",
                refused.getMessage());
    }

    @Test
    void aKeyPatternsBadAdaptiveCapRefusesTheStartNamingItsProperty() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> EngineProducer.adaptive("baton.concurrency.\"tenant:*\".", 0, 4, null));
        assertEquals("baton.concurrency.\"tenant:*\".adaptive.min must be between 1 and 100000, was 0",
                refused.getMessage());
    }

    @Test
    void aKeyPatternMayHaveAnAdaptiveCapWithOrWithoutMaxRunning() {
        Map<String, LimitSettings> limits = EngineProducer.limits(config(Map.of(
                "baton.concurrency.\"tenant:*\".adaptive.max", "20",
                "baton.concurrency.\"tenant:*\".adaptive.target-run-time", "30s",
                "baton.concurrency.\"site:*\".max-running", "4",
                "baton.concurrency.\"site:*\".adaptive.min", "2",
                "baton.concurrency.\"site:*\".adaptive.max", "8",
                "baton.limits.\"site:*\".rate", "10")));
        assertEquals(new LimitSettings("tenant:*", null, null, null, null, new AdaptiveSettings(1, 20, 30_000L)),
                limits.get("tenant:*"));
        assertEquals(new LimitSettings("site:*", 10L, 1_000L, null, 4, new AdaptiveSettings(2, 8, null)),
                limits.get("site:*"));
    }

    @Test
    void aKeyPatternsAdaptiveFloorAboveItsCeilingRefusesTheStart() {
        BatonConfig config = config(Map.of("baton.concurrency.\"tenant:*\".adaptive.min", "9",
                "baton.concurrency.\"tenant:*\".adaptive.max", "8"));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> EngineProducer.limits(config));
        assertEquals("baton.concurrency.\"tenant:*\".adaptive.max must be between adaptive.min (9) and 100000, was 8",
                refused.getMessage());
    }

    /** The configuration tree from {@code properties} over the defaults, as SmallRye maps it (no validation). */
    private static BatonConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(BatonConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(BatonConfig.class);
    }
}
