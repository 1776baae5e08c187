package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.awaitility.Awaitility.await;

import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskStatus;
import dev.baton.events.EventHub;
import dev.baton.events.EventMetrics;
import dev.baton.testing.RedisTestResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Events published before the broker connection is up are sent, in order, once it is: Baton's
 * MQTT channel points at a TCP relay to Mosquitto (127.0.0.1:1883) that the test opens only after
 * feeding the hub, and a plain MQTT client subscribed at Mosquitto itself reads what arrives.
 * Skipped where no broker answers on 127.0.0.1:1883.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(EventsMqttDeliveryTest.Relayed.class)
@EnabledIf(value = "dev.baton.api.EventsMqttTest#brokerAnswers",
        disabledReason = "no MQTT broker answers on 127.0.0.1:1883 (start Mosquitto to run this test)")
class EventsMqttDeliveryTest {

    static final String TOPIC = "baton-test/" + UUID.randomUUID() + "/delivery";
    static final int RELAY_PORT = freePort();
    static final int BUFFER = 2000;
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    public static class Relayed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.baton-events-out.connector", "smallrye-mqtt",
                    "mp.messaging.outgoing.baton-events-out.host", EventsMqttTest.HOST,
                    "mp.messaging.outgoing.baton-events-out.port", Integer.toString(RELAY_PORT),
                    "mp.messaging.outgoing.baton-events-out.topic", TOPIC,
                    "mp.messaging.outgoing.baton-events-out.qos", "1",
                    "baton.events.broker-buffer", Integer.toString(BUFFER));
        }
    }

    static Relay relay;
    static Vertx vertx;
    static MqttClient reader;
    static final List<Long> received = new CopyOnWriteArrayList<>();
    static long nextSeq = 1_000_000_000L;

    @Inject
    EventHub hub;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void subscribe() throws Exception {
        relay = new Relay(RELAY_PORT, EventsMqttTest.HOST, EventsMqttTest.PORT);
        vertx = Vertx.vertx();
        reader = MqttClient.create(vertx);
        reader.publishHandler(message -> {
            Matcher seq = SEQ.matcher(message.payload().toString(StandardCharsets.UTF_8));
            if (seq.find()) {
                received.add(Long.parseLong(seq.group(1)));
            }
        });
        reader.connect(EventsMqttTest.PORT, EventsMqttTest.HOST).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        reader.subscribe(TOPIC, 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() throws Exception {
        reader.disconnect();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        relay.close();
    }

    @Test
    void eventsPublishedBeforeTheBrokerConnectionIsUpAreSentOnceItIs() {
        List<Long> sent = feed(200);
        relay.open();

        assertAllArriveInOrderNoneDropped(sent);
    }

    private void assertAllArriveInOrderNoneDropped(List<Long> sent) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(sent.size(), received.size(),
                "events received, of those sent; dropped " + dropped()));
        assertEquals(sent, List.copyOf(received));
        assertEquals(0, dropped());
    }

    /** {@code count} events into the hub; their seqs. */
    private List<Long> feed(int count) {
        List<Long> seqs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = nextSeq++;
            hub.accept(new TaskEvent(seq, EventType.SUBMITTED, "delivery-" + seq, "t", Priority.LOW,
                    TaskStatus.PENDING, null, 0, null, System.currentTimeMillis(), null, null));
            seqs.add(seq);
        }
        return seqs;
    }

    private double dropped() {
        Counter counter = registry.find("baton.events.dropped").tag("consumer", EventMetrics.BROKER).counter();
        return counter == null ? 0 : counter.count();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP relay to the broker, closed until {@link #open}. */
    static final class Relay implements AutoCloseable {
        private final int port;
        private final String host;
        private final int brokerPort;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private ServerSocket server;

        Relay(int port, String host, int brokerPort) {
            this.port = port;
            this.host = host;
            this.brokerPort = brokerPort;
        }

        synchronized void open() {
            if (server != null) {
                return;
            }
            try {
                server = new ServerSocket(port, 50, InetAddress.getByName(host));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket broker = new Socket(host, brokerPort);
                        sockets.add(client);
                        sockets.add(broker);
                        pump(client, broker);
                        pump(broker, client);
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "mqtt-relay");
            accept.setDaemon(true);
            accept.start();
        }

        private void pump(Socket from, Socket to) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    while (true) {
                        int n = in.read(buffer);
                        if (n < 0) {
                            return;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side went away: the relay for this connection ends
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "mqtt-relay-pump");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public synchronized void close() {
            if (server != null) {
                closeQuietly(server);
            }
            sockets.forEach(Relay::closeQuietly);
        }

        private static void closeQuietly(AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
