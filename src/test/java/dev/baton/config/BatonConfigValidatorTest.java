package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The configuration's bounds, read through SmallRye Config as Quarkus reads them, with the validator registered the same way. */
class BatonConfigValidatorTest {

    @Test
    void theDefaultsAndSettingsWithinBoundsAreValid() {
        SmallRyeConfig config = read(Map.of(
                "baton.types.llm.max-running", "4",
                "baton.types.llm.max-retries", "0",
                "baton.types.llm.adaptive.max", "50",
                "baton.limits.\"tenant:*\".rate", "1000000000",
                "baton.limits.\"tenant:*\".burst", "1",
                "baton.concurrency.\"host:*\".max-running", "1",
                "baton.embedded-redis.port", "65535"));

        BatonConfig baton = config.getConfigMapping(BatonConfig.class);
        assertEquals(List.of(), BatonConfigValidator.problems("baton", baton));
        assertEquals(4, baton.types().get("llm").maxRunning().orElseThrow());
    }

    @Test
    void everySettingOutOfBoundsIsOneProblemNamingItAndItsValue() {
        ConfigValidationException invalid = assertThrows(ConfigValidationException.class, () -> read(Map.ofEntries(
                Map.entry("baton.max-queued", "0"),
                Map.entry("baton.stop-image-min-tasks", "-1"),
                Map.entry("baton.finished-cache-size", "-1"),
                Map.entry("baton.claim-max-tasks", "10001"),
                Map.entry("baton.retry.max-retries", "-1"),
                Map.entry("baton.types.llm.max-running", "0"),
                Map.entry("baton.types.\"a.b\".max-retries", "-2"),
                Map.entry("baton.types.\"a.b\".adaptive.min", "0"),
                Map.entry("baton.types.\"a.b\".adaptive.max", "100001"),
                Map.entry("baton.limits.x.rate", "0"),
                Map.entry("baton.limits.y.rate", "5"),
                Map.entry("baton.limits.y.burst", "1000000001"),
                Map.entry("baton.concurrency.\"host:*\".max-running", "-3"),
                Map.entry("baton.events.ring-size", "0"),
                Map.entry("baton.analytics.queue-size", "16777217"),
                Map.entry("baton.webhooks.max-concurrent", "0"),
                Map.entry("baton.embedded-redis.port", "0"))));

        List<String> problems = new ArrayList<>();
        for (int i = 0; i < invalid.getProblemCount(); i++) {
            problems.add(invalid.getProblem(i).getMessage());
        }
        assertEquals(List.of(
                "baton.analytics.queue-size=16777217 must be less than or equal to 16777216",
                "baton.claim-max-tasks=10001 must be less than or equal to 10000",
                "baton.concurrency.\"host:*\".max-running=-3 must be greater than 0",
                "baton.embedded-redis.port=0 must be greater than or equal to 1",
                "baton.events.ring-size=0 must be greater than 0",
                "baton.finished-cache-size=-1 must be greater than 0",
                "baton.limits.\"x\".rate=0 must be greater than or equal to 1",
                "baton.limits.\"y\".burst=1000000001 must be less than or equal to 1000000000",
                "baton.max-queued=0 must be greater than 0",
                "baton.retry.max-retries=-1 must be greater than or equal to 0",
                "baton.stop-image-min-tasks=-1 must be greater than or equal to 0",
                "baton.types.\"a.b\".adaptive.max=100001 must be less than or equal to 100000",
                "baton.types.\"a.b\".adaptive.min=0 must be greater than or equal to 1",
                "baton.types.\"a.b\".max-retries=-2 must be greater than or equal to 0",
                "baton.types.\"llm\".max-running=0 must be greater than 0",
                "baton.webhooks.max-concurrent=0 must be greater than 0"), problems.stream().sorted().toList());
        // each is printed as it is: the value is in it already
        problems.forEach(problem -> assertEquals(problem, StartupRefusal.explain(problem)));
    }

    @Test
    void aQuotedNameInAProblemReadsBackAsTheSetting() {
        SmallRyeConfig config = read(Map.of("baton.types.\"a.b\".max-running", "2"));

        assertEquals(2, config.getConfigMapping(BatonConfig.class).types().get("a.b").maxRunning().orElseThrow());
        assertEquals("2", config.getRawValue("baton.types.\"a.b\".max-running"));
    }

    /** The configuration as Quarkus builds it: the mapping, Baton's converters and customizers from their service files. */
    private static SmallRyeConfig read(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withConverter(Duration.class, 100, new DurationConverter())
                .addDiscoveredConverters()
                .addDiscoveredCustomizers()
                .withMapping(BatonConfig.class)
                .build();
    }
}
