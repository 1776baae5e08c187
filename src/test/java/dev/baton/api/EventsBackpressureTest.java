package dev.baton.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that never reads is cut off once its (small, here) buffer is full, while a hundred
 * others keep receiving everything; idle streams get keep-alive comments.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(EventsBackpressureTest.SmallBuffers.class)
class EventsBackpressureTest {

    public static class SmallBuffers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.events.subscriber-buffer", "256", "baton.events.heartbeat", "200ms");
        }
    }

    private static final int READERS = 100;
    private static final int TASKS_PER_ROUND = 200;
    private static final int MAX_ROUNDS = 400;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSubscriberThatNeverReadsIsCutOffWhileTheOthersKeepReceiving() throws IOException {
        String type = Api.unique("t");
        double cutOffBefore = meter("baton_events_subscribers_cut_off_total");
        List<SseClient> readers = new ArrayList<>();
        try (Socket stuck = neverReading("/v1/events?task_type=" + type)) {
            for (int i = 0; i < READERS; i++) {
                readers.add(SseClient.open(EventsSseTest.uri("/v1/events?task_type=" + type), null));
            }
            await().atMost(WAIT).until(() -> meter("baton_events_subscribers") >= READERS + 1);

            int sent = 0;
            for (int round = 0; round < MAX_ROUNDS && meter("baton_events_subscribers_cut_off_total") <= cutOffBefore; round++) {
                sent += submitRound(type);
                awaitAllReceived(readers, sent);
            }
            assertTrue(meter("baton_events_subscribers_cut_off_total") > cutOffBefore, "the stuck subscriber was cut off");

            sent += submitRound(type);
            awaitAllReceived(readers, sent);
            for (SseClient reader : readers) {
                assertFalse(reader.ended(), "a reader that keeps up stays connected");
            }
        } finally {
            readers.forEach(SseClient::close);
        }
    }

    @Test
    void idleStreamsGetKeepAliveComments() {
        try (SseClient idle = SseClient.open(EventsSseTest.uri("/v1/events?task_type=" + Api.unique("idle")), null)) {
            await().atMost(WAIT).until(() -> idle.comments().contains("keep-alive"));
        }
    }

    private static int submitRound(String type) {
        List<Map<String, Object>> tasks = IntStream.range(0, TASKS_PER_ROUND)
                .mapToObj(i -> Map.<String, Object>of("type", type)).toList();
        Api.json().body(Map.of("tasks", tasks)).post("/v1/tasks/batch").then().statusCode(201);
        return TASKS_PER_ROUND;
    }

    private static void awaitAllReceived(List<SseClient> readers, int events) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> readers.stream().allMatch(r -> r.events().size() >= events));
    }

    /** A raw connection with a tiny receive window that asks for the stream and never reads a byte. */
    private static Socket neverReading(String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(1024);
        socket.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /**
     * A meter's value from /q/metrics, summed over its series (or one series: {@code
     * name{tag="v",...}} with the tags as Prometheus lists them); 0 when absent.
     */
    static double meter(String name) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        String series = name.contains("{") ? Pattern.quote(name) : Pattern.quote(name) + "(\\{[^}]*\\})?";
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(m.groupCount()));
        }
        return sum;
    }
}
