package dev.baton.config;

import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Baton's default for {@code quarkus.vertx.event-loops-pool-size}: half the processors, at least
 * one (Vert.x's own default is twice the processors). Every hot call ends in an answer from the
 * journal's event loop, and on a machine that Baton shares with its Redis (and often its agents)
 * fewer loops mean fewer thread hand-offs and wake-ups per task: on 2 cores one loop spends about
 * a third less CPU per task at 500 tasks/s than four, at the same peak throughput
 * (docs/configuration.md). Any other source (application.properties, the environment, {@code -D})
 * overrides it: this source has the lowest ordinal.
 */
public final class EventLoopsDefault implements ConfigSource {

    static final String PROPERTY = "quarkus.vertx.event-loops-pool-size";

    /** The loops for {@code processors} processors. */
    static int loopsFor(int processors) {
        return Math.max(1, processors / 2);
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(PROPERTY);
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTY.equals(propertyName) ? Integer.toString(loopsFor(Runtime.getRuntime().availableProcessors())) : null;
    }

    @Override
    public String getName() {
        return "baton-event-loops-default";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
