package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.baton.engine.AdaptiveSettings;
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
}
