package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import dev.baton.testing.TestCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * HTTPS through the Quarkus TLS registry: a self-signed certificate made at test time, Baton serving
 * only https ({@code quarkus.http.insecure-requests=disabled}), a client that trusts exactly that
 * certificate, and one that trusts the JDK's default authorities refused at the handshake.
 */
@QuarkusTest
@QuarkusTestResource(value = HttpsTest.SelfSigned.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class HttpsTest {

    static final String PASSWORD = "test-keystore-pass";
    static volatile Path keyStore;

    /** Makes the key store before Baton starts and points the default TLS configuration at it. */
    public static class SelfSigned implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            keyStore = TestCertificates.selfSignedKeyStore(TestCertificates.directory("https-"), PASSWORD);
            return Map.of(
                    "quarkus.tls.key-store.p12.path", keyStore.toString(),
                    "quarkus.tls.key-store.p12.password", PASSWORD,
                    "quarkus.http.test-ssl-port", "0",
                    "quarkus.http.insecure-requests", "disabled");
        }

        @Override
        public void stop() {
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Test
    void baseUrlIsHttps() {
        assertEquals("https", https.getProtocol());
    }

    @Test
    void aClientTrustingTheCertificateSubmitsAndReadsOverHttps() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(keyStore, PASSWORD)).build();
        URI base = URI.create("https://localhost:" + https.getPort());

        HttpResponse<String> created = client.send(HttpRequest.newBuilder(base.resolve("/v1/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"tls\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        for (HttpClient.Version version : HttpClient.Version.values()) { // over HTTP/1.1 the hot route writes the URI from Host
            HttpResponse<String> submitted = client.send(HttpRequest.newBuilder(base.resolve("/v1/tasks")).version(version)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"tls\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, submitted.statusCode(), submitted.body());
            String location = submitted.headers().firstValue("Location").orElseThrow();
            assertTrue(location.startsWith("https://localhost:" + https.getPort() + "/v1/tasks/"), version + ": " + location);
            HttpResponse<String> task = client.send(HttpRequest.newBuilder(URI.create(location)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, task.statusCode(), task.body());
        }

        HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"UP\""), health.body());
    }

    @Test
    void aClientThatDoesNotTrustItIsRefusedAtTheHandshake() {
        HttpClient client = HttpClient.newHttpClient();
        assertThrows(SSLHandshakeException.class, () -> client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + https.getPort() + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void plainHttpIsNotServed() {
        HttpClient client = HttpClient.newHttpClient();
        // the https port does not speak plain HTTP, and no plain port is open
        assertThrows(IOException.class, () -> client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + https.getPort() + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()));
    }
}
