package dev.baton.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.events.EventHub;
import dev.baton.testing.RedisTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * 1,000 events a second for three seconds through Baton's MQTT channel (QoS 1) to Mosquitto on
 * 127.0.0.1:1883, by way of a TCP relay the test can pause: every event sent is either received
 * by mosquitto_sub subscribed at Mosquitto, in order, or counted in
 * {@code baton_events_dropped_total{consumer="broker"}}; none is dropped while the broker keeps up.
 * Skipped where no broker answers on 127.0.0.1:1883.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(EventsMqttLoadTest.Relayed.class)
@EnabledIf(value = "dev.baton.api.EventsMqttTest#brokerAnswers",
        disabledReason = "no MQTT broker answers on 127.0.0.1:1883 (start Mosquitto to run this test)")
class EventsMqttLoadTest {

    static final String TOPIC = "baton-test/" + UUID.randomUUID() + "/load";
    static final int RELAY_PORT = EventsMqttDeliveryTest.freePort();
    /** Half the events sent: a loaded machine may fall behind by a second without dropping. */
    static final int BUFFER = 1_500;
    static final int PER_SECOND = 1_000;
    static final int SECONDS = 3;

    public static class Relayed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return EventsMqttDeliveryTest.relayedTo(RELAY_PORT, TOPIC, BUFFER);
        }
    }

    static EventsMqttDeliveryTest.Relay relay;
    static Process reader;
    static final List<Long> received = new CopyOnWriteArrayList<>();

    @Inject
    EventHub hub;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void subscribe() throws Exception {
        relay = new EventsMqttDeliveryTest.Relay(RELAY_PORT, EventsMqttTest.HOST, EventsMqttTest.PORT);
        relay.open();
        reader = EventsMqttDeliveryTest.reader(TOPIC, received);
    }

    @AfterAll
    static void close() throws Exception {
        reader.destroy();
        relay.close();
    }

    @BeforeEach
    void brokerReachable() {
        relay.resume();
        received.clear();
    }

    @Test
    void everyEventArrivesInOrderWhileTheBrokerKeepsUp() throws InterruptedException {
        double droppedBefore = EventsMqttDeliveryTest.dropped(registry);

        List<Long> sent = feedAtRate();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(sent.size(), received.size(),
                "events received, of those sent; dropped " + (EventsMqttDeliveryTest.dropped(registry) - droppedBefore)));
        assertEquals(sent, List.copyOf(received));
        assertEquals(0, EventsMqttDeliveryTest.dropped(registry) - droppedBefore);
    }

    @Test
    void whatABrokerThatStopsListeningMissesIsCountedAsDropped() throws InterruptedException {
        double droppedBefore = EventsMqttDeliveryTest.dropped(registry);
        relay.pause();

        List<Long> sent = feedAtRate();
        relay.resume();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(sent.size(),
                received.size() + (long) (EventsMqttDeliveryTest.dropped(registry) - droppedBefore),
                "events received + counted as dropped, of those sent"));
        assertTrue(EventsMqttDeliveryTest.dropped(registry) - droppedBefore >= sent.size() - BUFFER - 100,
                "a paused broker takes at most the buffer and the client's in-flight window");
        List<Long> inOrder = new ArrayList<>(received);
        inOrder.sort(null);
        assertEquals(inOrder, List.copyOf(received), "what arrives arrives in order");
        assertTrue(sent.containsAll(received));
    }

    /** {@value #PER_SECOND} events a second for {@value #SECONDS} seconds, ten every ten milliseconds; their seqs. */
    private List<Long> feedAtRate() throws InterruptedException {
        List<Long> sent = new ArrayList<>(PER_SECOND * SECONDS);
        long start = System.nanoTime();
        for (int tick = 0; tick < PER_SECOND * SECONDS / 10; tick++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(10L * tick);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the load, not awaiting a condition
            }
            sent.addAll(EventsMqttDeliveryTest.feed(hub, 10));
        }
        return sent;
    }
}
