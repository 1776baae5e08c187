package dev.baton.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The limits a request meets before Baton's code sees it: body size (413), JSON nesting depth and
 * string and name lengths (400), header size (431), and the idle timeout that closes a connection
 * which sends nothing (or stops half-way through a body).
 */
@QuarkusTest
@TestProfile(HttpLimitsTest.Small.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class HttpLimitsTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.http.limits.max-body-size", "16K",
                    "quarkus.http.limits.max-header-size", "4K",
                    "quarkus.http.idle-timeout", "1s",
                    "quarkus.http.read-timeout", "3s",
                    "baton.json.max-depth", "8",
                    "baton.json.max-string-length", "1000",
                    "baton.json.max-name-length", "50");
        }
    }

    private static String task(String payload) {
        return "{\"type\": \"limits\", \"payload\": " + payload + "}";
    }

    /** An object {@code levels} deep: with the request's own braces, one level more. */
    private static String nested(int levels) {
        return "{\"a\": ".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    @Test
    void aBodyPastTheLimitIs413NamingTheLimit() {
        String big = task("{\"blob\": \"" + "x".repeat(900) + "\", \"more\": [" + "1,".repeat(10_000) + "1]}");
        given().contentType(ContentType.JSON).body(big).post("/v1/tasks")
                .then().statusCode(413).contentType(ContentType.JSON)
                .header("Connection", "close")
                .body("error", equalTo("too_large"), "message", containsString("quarkus.http.limits.max-body-size (16K, 16384 bytes)"));
    }

    /**
     * A client that reads the 413 only after sending its whole body (most do) must get to read it:
     * the rest of the body is read and dropped before the connection closes, not met with a reset.
     */
    @Test
    void aBodyPastTheLimitSentWholeAfterThe413IsReadAndDroppedNotReset() throws IOException {
        byte[] body = task("{\"blob\": \"" + "x".repeat(200 * 1024) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Socket client = new Socket("127.0.0.1", RestAssured.port)) {
            client.setSoTimeout(20_000);
            java.io.OutputStream out = client.getOutputStream();
            out.write(("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            byte[] head = new byte[12];
            int read = 0;
            while (read < head.length) { // the 413 comes as soon as the length is seen
                int n = in.read(head, read, head.length - read);
                assertTrue(n > 0, "the connection ended before the answer");
                read += n;
            }
            assertEquals("HTTP/1.1 413", new String(head, java.nio.charset.StandardCharsets.US_ASCII));
            for (int at = 0; at < body.length; at += 4096) { // the whole body, after the answer came: no reset
                out.write(body, at, Math.min(4096, body.length - at));
                out.flush();
            }
            awaitClosed(client);
        }
    }

    @Test
    void aChunkedBodyPastTheLimitIs413NamingTheLimit() throws IOException {
        String chunk = "1,".repeat(4096);
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, chunked(task("{\"a\": [" + chunk.repeat(3) + "1]}")));
        assertEquals(413, answer.status(), answer.body());
        assertThat(answer.body(), containsString("\"error\":\"too_large\""));
        assertThat(answer.body(), containsString("quarkus.http.limits.max-body-size"));
    }

    @Test
    void aChunkedBodyWithinTheLimitIsServed() throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, chunked(task("{\"a\": [" + "1,".repeat(2000) + "1]}")));
        assertEquals(201, answer.status(), answer.body());
        assertThat(answer.body(), containsString("\"type\":\"limits\""));
    }

    @Test
    void aChunkSizeThatIsNoNumberIs400SayingSoNotAResetNorAnError() throws IOException {
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(HttpErrors.class.getName());
        logger.addHandler(handler);
        int submitted = given().get("/v1/stats").then().statusCode(200).extract().path("throughput.submitted");
        try {
            byte[] raw = ("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "zz\r\n" + task("{}") + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, raw);
            assertEquals(400, answer.status(), answer.body());
            assertThat(answer.body(), containsString("\"error\":\"invalid_request\""));
            assertThat(answer.body(), containsString("chunk size"));
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of(), errors.stream().map(LogRecord::getMessage).toList());
        given().get("/v1/stats").then().statusCode(200).body("throughput.submitted", equalTo(submitted));
    }

    /** A POST of {@code body} to /v1/tasks in chunks of 1,000 bytes, with no length declared. */
    private static byte[] chunked(String body) {
        StringBuilder raw = new StringBuilder("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < body.length(); i += 1000) {
            String piece = body.substring(i, Math.min(body.length(), i + 1000));
            raw.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
        }
        raw.append("0\r\n\r\n");
        return raw.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void jsonNestedTooDeepIs400NamingTheLimit() {
        given().contentType(ContentType.JSON).body(task(nested(8))).post("/v1/tasks")
                .then().statusCode(400).body("error", equalTo("invalid_request"),
                        "message", containsString("baton.json.max-depth"));
        given().contentType(ContentType.JSON).body(task(nested(5))).post("/v1/tasks")
                .then().statusCode(201);
    }

    @Test
    void aStringOrANameTooLongIs400NamingTheLimit() {
        given().contentType(ContentType.JSON).body(task("{\"s\": \"" + "x".repeat(1001) + "\"}")).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("baton.json.max-string-length"));
        given().contentType(ContentType.JSON).body(task("{\"" + "k".repeat(51) + "\": 1}")).post("/v1/tasks")
                .then().statusCode(400).body("message", containsString("baton.json.max-name-length"));
        given().contentType(ContentType.JSON).body(task("{\"s\": \"" + "x".repeat(1000) + "\"}")).post("/v1/tasks")
                .then().statusCode(201);
    }

    @Test
    void headersPastTheLimitAre431() throws IOException {
        String raw = "GET /v1/stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: " + "y".repeat(5000) + "\r\n\r\n";
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, raw.getBytes(StandardCharsets.US_ASCII));
        assertEquals(431, answer.status(), answer.body());
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket silent = new Socket("127.0.0.1", RestAssured.port)) {
            awaitClosed(silent);
        }
    }

    @Test
    void aBodyThatStopsHalfWayIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket slow = new Socket("127.0.0.1", RestAssured.port)) {
            slow.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"type\": ").getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            awaitClosed(slow);
        }
    }

    @Test
    void aBodyTrickledPastTheReadTimeoutIs408AndClosed() throws IOException {
        try (Socket slow = new Socket("127.0.0.1", RestAssured.port)) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            slow.setSoTimeout(300); // one byte per 300 ms keeps the connection busy: the idle timeout (1s) never fires
            InputStream in = slow.getInputStream();
            StringBuilder answer = new StringBuilder();
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                try {
                    out.write(' ');
                    out.flush();
                } catch (IOException closed) {
                    // the server has answered and closed; read what it said
                }
                try {
                    for (int read; (read = in.read()) >= 0; ) {
                        answer.append((char) read);
                    }
                    return true;
                } catch (java.net.SocketTimeoutException nothingYet) {
                    return answer.length() > 0 && answer.indexOf("}") > 0;
                } catch (SocketException reset) {
                    return true;
                }
            });
            assertThat(answer.toString(), containsString("HTTP/1.1 408"));
            assertThat(answer.toString(), containsString("quarkus.http.read-timeout"));
            assertThat("answered after the read timeout, not the idle timeout",
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), greaterThanOrEqualTo(2_500L));
        }
    }

    /** Waits until the server closes the connection: end of stream, or a reset. */
    private static void awaitClosed(Socket socket) throws IOException {
        socket.setSoTimeout(200);
        InputStream in = socket.getInputStream();
        await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO).until(() -> {
            try {
                while (true) {
                    int read = in.read();
                    if (read < 0) {
                        return true;
                    }
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                return false;
            } catch (SocketException reset) {
                return true;
            }
        });
    }
}
