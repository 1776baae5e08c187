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
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Events published before the broker connection is up are sent, in order, once it is: Baton's
 * MQTT channel points at a TCP relay to Mosquitto (127.0.0.1:1883) that the test opens only after
 * feeding the hub, and mosquitto_sub subscribed at Mosquitto itself reads what arrives.
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
            return relayedTo(RELAY_PORT, TOPIC, BUFFER);
        }
    }

    /** Baton's MQTT channel (QoS 1) to {@code topic} through a relay on {@code relayPort}, holding up to {@code buffer} events. */
    static Map<String, String> relayedTo(int relayPort, String topic, int buffer) {
        return Map.of("mp.messaging.outgoing.baton-events-out.connector", "smallrye-mqtt",
                "mp.messaging.outgoing.baton-events-out.host", EventsMqttTest.HOST,
                "mp.messaging.outgoing.baton-events-out.port", Integer.toString(relayPort),
                "mp.messaging.outgoing.baton-events-out.topic", topic,
                "mp.messaging.outgoing.baton-events-out.qos", "1",
                "baton.events.broker-buffer", Integer.toString(buffer));
    }

    static Relay relay;
    static Process reader;
    static final List<Long> received = new CopyOnWriteArrayList<>();
    static long nextSeq = 1_000_000_000L; // shared by the MQTT tests: one seq never names two events

    @Inject
    EventHub hub;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void subscribe() throws Exception {
        relay = new Relay(RELAY_PORT, EventsMqttTest.HOST, EventsMqttTest.PORT);
        reader = reader(TOPIC, received);
    }

    /**
     * {@code mosquitto_sub} subscribed at Mosquitto itself (QoS 1), adding each event's seq to
     * {@code received}; once this returns, the subscription is in place. (The Vert.x MQTT client is
     * no reader here: under a steady stream its decoder fails with a bogus "message length
     * exceeds" and closes the connection.)
     */
    static Process reader(String topic, List<Long> received) throws Exception {
        Process reader;
        try {
            reader = new ProcessBuilder("stdbuf", "-oL", "mosquitto_sub", "-d", "-h", EventsMqttTest.HOST,
                    "-p", Integer.toString(EventsMqttTest.PORT), "-q", "1", "-t", topic)
                    .redirectErrorStream(true).start();
        } catch (IOException missing) {
            Assumptions.abort("mosquitto_sub (package mosquitto-clients) is needed to read what reaches the broker: " + missing);
            throw missing;
        }
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        Thread lines = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    Matcher seq = SEQ.matcher(line);
                    if (seq.find()) {
                        received.add(Long.parseLong(seq.group(1)));
                    } else if (line.contains("SUBACK")) {
                        subscribed.complete(null);
                    }
                }
            } catch (IOException ended) {
                // the reader was stopped
            }
        }, "mosquitto-sub-reader");
        lines.setDaemon(true);
        lines.start();
        try {
            subscribed.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            reader.destroy();
            throw e;
        }
        return reader;
    }

    @AfterAll
    static void close() throws Exception {
        reader.destroy();
        relay.close();
    }

    @Test
    void eventsPublishedBeforeTheBrokerConnectionIsUpAreSentOnceItIs() {
        List<Long> sent = feed(hub, 200);
        relay.open();

        assertAllArriveInOrderNoneDropped(sent);
    }

    private void assertAllArriveInOrderNoneDropped(List<Long> sent) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(sent.size(), received.size(),
                "events received, of those sent; dropped " + dropped(registry)));
        assertEquals(sent, List.copyOf(received));
        assertEquals(0, dropped(registry));
    }

    /** {@code count} events into the hub; their seqs. */
    static List<Long> feed(EventHub hub, int count) {
        List<Long> seqs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = nextSeq++;
            hub.accept(new TaskEvent(seq, EventType.SUBMITTED, "delivery-" + seq, "t", Priority.LOW,
                    TaskStatus.PENDING, null, 0, null, System.currentTimeMillis(), null, null));
            seqs.add(seq);
        }
        return seqs;
    }

    static double dropped(MeterRegistry registry) {
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
        private final Object pause = new Object();
        private boolean paused;
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
                        pump(client, broker, true);
                        pump(broker, client, false);
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "mqtt-relay");
            accept.setDaemon(true);
            accept.start();
        }

        /** Hold what Baton sends until {@link #resume}: the broker hears nothing and acknowledges nothing. */
        void pause() {
            synchronized (pause) {
                paused = true;
            }
        }

        void resume() {
            synchronized (pause) {
                paused = false;
                pause.notifyAll();
            }
        }

        private void awaitResumed() throws InterruptedException {
            synchronized (pause) {
                while (paused) {
                    pause.wait();
                }
            }
        }

        private void pump(Socket from, Socket to, boolean toBroker) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    while (true) {
                        if (toBroker) {
                            awaitResumed();
                        }
                        int n = in.read(buffer);
                        if (n < 0) {
                            return;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
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
            resume();
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
