package dev.baton.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Replaces the system clock in every {@code @QuarkusTest} app with {@link TestClock}. */
@Singleton
public class TestClockProducer {

    @Produces
    @Alternative
    @Priority(1)
    @Singleton
    Clock testClock() {
        return TestClock.INSTANCE;
    }
}
