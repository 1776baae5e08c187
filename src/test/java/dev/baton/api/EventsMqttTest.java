package dev.baton.api;

import static org.awaitility.Awaitility.await;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Brokers with configuration only: the outgoing channel {@code baton-events-out} wired to the MQTT
 * connector delivers events to a real broker (Mosquitto on 127.0.0.1:1883), read back by a plain
 * MQTT client. Skipped where no broker answers there.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(EventsMqttTest.Mqtt.class)
@EnabledIf(value = "brokerAnswers", disabledReason = "no MQTT broker answers on 127.0.0.1:1883 (start Mosquitto to run this test)")
class EventsMqttTest {

    static final String HOST = "127.0.0.1";
    /** Mosquitto's default port; {@code -Dbaton.test.mqtt-port} points elsewhere. */
    static final int PORT = Integer.getInteger("baton.test.mqtt-port", 1883);
    static final String TOPIC = "baton-test/" + UUID.randomUUID() + "/events";

    public static class Mqtt implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.baton-events-out.connector", "smallrye-mqtt",
                    "mp.messaging.outgoing.baton-events-out.host", HOST,
                    "mp.messaging.outgoing.baton-events-out.port", Integer.toString(PORT),
                    "mp.messaging.outgoing.baton-events-out.topic", TOPIC);
        }
    }

    static boolean brokerAnswers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void everyEventReachesTheBroker() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient client = MqttClient.create(vertx);
        try {
            client.publishHandler(message -> received.add(message.payload().toString(StandardCharsets.UTF_8)));
            client.connect(PORT, HOST).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            client.subscribe(TOPIC, 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            Api.Setup setup = Api.Setup.of("HIGH");
            await().atMost(Duration.ofSeconds(20)).until(() -> EventsRedisTest.parse(received).stream()
                    .anyMatch(e -> setup.taskId().equals(e.get("task_id")) && "task.submitted".equals(e.get("event"))));
        } finally {
            client.disconnect();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
