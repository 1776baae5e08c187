package dev.baton.deploy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.RedisTestResource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Baton started with the Kubernetes manifests' settings (the ConfigMap's BATON_* values and the
 * Secret's tokens, through the environment-variable mapping; the test's own Redis and port) serves
 * every path deploy/ probes or scrapes, without a token, and every metric the dashboard queries.
 */
@QuarkusTest
@TestProfile(DeployServingTest.AsDeployed.class)
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = true)
class DeployServingTest {

    /** Created by a dashboard query's own event (a drop), not at start; the name is Micrometer's for EventMetrics. */
    private static final Set<String> REGISTERED_ON_FIRST_USE = Set.of("baton_events_dropped_total");

    public static class AsDeployed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> settings = new HashMap<>();
            DeployFiles.kubernetes(ConfigMap.class, "baton-config").getData().forEach((variable, value) -> {
                if (variable.startsWith("BATON_")) {
                    settings.put(DeployFiles.propertyOf(variable).orElseThrow(), value);
                }
            });
            Map<String, String> secret = DeployFiles.kubernetes(Secret.class, "baton-secrets").getStringData();
            for (EnvVar env : container().getEnv()) {
                if (env.getName().startsWith("BATON_")) {
                    settings.put(DeployFiles.propertyOf(env.getName()).orElseThrow(),
                            secret.get(env.getValueFrom().getSecretKeyRef().getKey()));
                }
            }
            return settings;
        }
    }

    private static Container container() {
        return KubernetesManifestsTest.container(DeployFiles.kubernetes(Deployment.class, "baton").getSpec().getTemplate().getSpec(), "baton");
    }

    @Test
    void everyProbeAndHealthCheckPathIsServedWithoutAToken() {
        Container container = container();
        List<String> paths = Stream.concat(
                Stream.of(container.getReadinessProbe(), container.getLivenessProbe(), container.getStartupProbe())
                        .map(Probe::getHttpGet).map(get -> get.getPath()),
                Stream.of(DeployFiles.dockerfile("Dockerfile.jvm", "HEALTHCHECK").get(0),
                        DeployFiles.map(DeployFiles.map(DeployFiles.yaml(DeployFiles.COMPOSE.resolve("compose.yaml")), "services"), "baton")
                                .get("healthcheck").toString())
                        .map(DeployServingTest::urlPath)).distinct().toList();
        assertEquals(Set.of("/q/health/ready", "/q/health/live"), Set.copyOf(paths));
        for (String path : paths) {
            await().atMost(Duration.ofSeconds(30)).until(() -> given().get(path).statusCode() == 200);
            given().get(path).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("UP"));
        }
        // and the API itself is closed: the Secret's tokens are in force
        given().get("/v1/stats").then().statusCode(401);
    }

    @Test
    void theScrapedPathServesEveryMetricTheDashboardQueries() throws IOException {
        String admin = "Bearer " + DeployFiles.kubernetes(Secret.class, "baton-secrets").getStringData().get("admin-token");
        String type = "deploy-" + System.nanoTime();
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("capabilities", List.of(type)))
                .put("/v1/agents/{id}", type).then().statusCode(200);
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("type", type))
                .post("/v1/tasks").then().statusCode(201);
        Map<String, Object> claimed = given().header("Authorization", admin).post("/v1/agents/{id}/claim", type)
                .then().statusCode(200).extract().path("tasks[0]");
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("lease_id", claimed.get("lease_id")))
                .post("/v1/tasks/{id}/complete", claimed.get("id")).then().statusCode(200);
        given().header("Authorization", admin).contentType(ContentType.JSON).body(Map.of("type", type)).post("/v1/tasks")
                .then().statusCode(201); // one left queued: baton_queue_depth

        String metricsPath = DeployFiles.metricsPath();
        Set<String> wanted = new TreeSet<>(ComposeFilesTest.dashboardMetrics());
        wanted.removeAll(REGISTERED_ON_FIRST_USE);
        assertTrue(wanted.contains("baton_tasks_submitted_total") && wanted.contains("baton_queue_depth"), wanted.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> missing(given().get(metricsPath).asString(), wanted).isEmpty());
        assertEquals(Set.of(), missing(given().get(metricsPath).asString(), wanted));
    }

    private static Set<String> missing(String metrics, Set<String> names) {
        Set<String> served = new TreeSet<>();
        Matcher line = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(metrics);
        while (line.find()) {
            served.add(line.group(1));
        }
        Set<String> left = new TreeSet<>(names);
        left.removeAll(served);
        return left;
    }

    private static String urlPath(String text) {
        Matcher url = Pattern.compile("https?://[^\\s\"',\\]]+").matcher(text);
        if (!url.find()) {
            throw new AssertionError("no URL in " + text);
        }
        return URI.create(url.group()).getPath();
    }
}
