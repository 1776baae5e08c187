package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventLoopsDefaultTest {

    @Test
    void halfTheProcessorsAtLeastOne() {
        assertEquals(1, EventLoopsDefault.loopsFor(1));
        assertEquals(1, EventLoopsDefault.loopsFor(2));
        assertEquals(1, EventLoopsDefault.loopsFor(3));
        assertEquals(4, EventLoopsDefault.loopsFor(8));
    }

    @Test
    void itAnswersForTheEventLoopsOnly() {
        EventLoopsDefault source = new EventLoopsDefault();
        assertEquals(Integer.toString(EventLoopsDefault.loopsFor(Runtime.getRuntime().availableProcessors())),
                source.getValue(EventLoopsDefault.PROPERTY));
        assertNull(source.getValue("quarkus.vertx.worker-pool-size"));
    }

    @Test
    void anyOtherSourceOverridesIt() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new EventLoopsDefault(),
                new PropertiesConfigSource(Map.of(EventLoopsDefault.PROPERTY, "7"), "application.properties", 250)).build();
        assertEquals(7, config.getValue(EventLoopsDefault.PROPERTY, Integer.class));
        SmallRyeConfig alone = new SmallRyeConfigBuilder().withSources(new EventLoopsDefault()).build();
        assertEquals(EventLoopsDefault.loopsFor(Runtime.getRuntime().availableProcessors()),
                alone.getValue(EventLoopsDefault.PROPERTY, Integer.class));
    }
}
