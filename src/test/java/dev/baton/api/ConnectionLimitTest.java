package dev.baton.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code quarkus.http.limits.max-connections}: a connection past the limit is closed unanswered; one freed is usable again. */
@QuarkusTest
@TestProfile(ConnectionLimitTest.Few.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class ConnectionLimitTest {

    static final int MAX_CONNECTIONS = 3;

    public static class Few implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-connections", Integer.toString(MAX_CONNECTIONS));
        }
    }

    private static final byte[] LIVE = ("GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @Test
    void pastTheLimitAConnectionIsClosedUntilOneIsFreed() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // the limit counts open connections; others left by earlier calls close as their clients finish
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                Socket socket = new Socket("127.0.0.1", RestAssured.port);
                if (answers(socket)) {
                    held.add(socket);
                } else {
                    socket.close();
                }
                return held.size() == MAX_CONNECTIONS;
            });
            try (Socket extra = new Socket("127.0.0.1", RestAssured.port)) {
                assertFalse(answers(extra), "a connection past the limit must not be served");
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                try (Socket again = new Socket("127.0.0.1", RestAssured.port)) {
                    return answers(again);
                }
            });
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /** Sends a keep-alive request and reads its status line: true when answered 200, false when closed. */
    private static boolean answers(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        try {
            OutputStream out = socket.getOutputStream();
            out.write(LIVE);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            if (!line.toString().startsWith("HTTP/1.1 200")) {
                return false;
            }
            drain(in);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Reads the rest of the answer (headers and a Content-Length body), leaving the connection open. */
    private static void drain(InputStream in) throws IOException {
        StringBuilder headers = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            headers.append((char) c);
            if (headers.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        Matcher length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(headers);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        }
    }
}
