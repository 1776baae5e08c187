package dev.baton.deploy;

import static dev.baton.deploy.DeployFiles.COMPOSE;
import static dev.baton.deploy.DeployFiles.map;
import static dev.baton.deploy.DeployFiles.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose parses (SnakeYAML; the dashboard as JSON) and agrees with Baton: Redis the way
 * Baton needs it, Baton waiting for it, health checks on real endpoints, Prometheus scraping the
 * metrics path, Grafana provisioned with that Prometheus and the dashboard.
 */
class ComposeFilesTest {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)");

    private static Map<String, Object> service(String name) {
        return map(map(yaml(COMPOSE.resolve("compose.yaml")), "services"), name);
    }

    @Test
    void redisKeepsAnAppendOnlyFileOnANamedVolumeNeverEvictsAndAsksForAPassword() {
        Map<String, Object> redis = service("redis");
        assertTrue(((String) redis.get("image")).startsWith("redis:7"), "Redis 7");
        @SuppressWarnings("unchecked")
        String command = String.join(" ", (List<String>) redis.get("command"));
        assertTrue(command.contains("--appendonly yes"), command);
        assertTrue(command.contains("--maxmemory-policy noeviction"), command);
        assertTrue(command.contains("--requirepass \"$$REDIS_PASSWORD\""), command);
        assertEquals(List.of("redis-data:/data"), redis.get("volumes"));
        assertTrue(map(yaml(COMPOSE.resolve("compose.yaml")), "volumes").containsKey("redis-data"), "a named volume");
        assertTrue(map(redis, "healthcheck").get("test").toString().contains("redis-cli ping"));
    }

    @Test
    void batonWaitsForAHealthyRedisUsesItsPasswordAndServesOnItsPort() {
        Map<String, Object> baton = service("baton");
        assertEquals("service_healthy", map(map(baton, "depends_on"), "redis").get("condition"));
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) baton.get("environment");
        int port = DeployFiles.httpPort();
        assertEquals("0.0.0.0", env.get("QUARKUS_HTTP_HOST"));
        assertEquals(String.valueOf(port), env.get("QUARKUS_HTTP_PORT"));
        assertEquals(URI.create("redis://redis:6379"), URI.create((String) env.get("QUARKUS_REDIS_HOSTS")));
        assertTrue(((String) env.get("QUARKUS_REDIS_PASSWORD")).startsWith("${REDIS_PASSWORD"));
        assertTrue(((String) env.get("BATON_AUTH_ADMIN_TOKEN")).startsWith("${"), "tokens from .env, not written here");
        assertEquals(List.of("127.0.0.1:" + port + ":" + port), baton.get("ports"));
        String check = map(baton, "healthcheck").get("test").toString();
        assertTrue(check.contains("http://127.0.0.1:" + port + "/q/health/ready"), check);
        Duration grace = Duration.parse("PT" + ((String) baton.get("stop_grace_period")).toUpperCase(java.util.Locale.ROOT));
        assertTrue(grace.compareTo(DeployFiles.stopAllowance()) >= 0, "stop_grace_period " + grace);
        assertEquals("deploy/docker/Dockerfile.jvm", map(baton, "build").get("dockerfile"));
        assertTrue(Files.isRegularFile(COMPOSE.resolve((String) map(baton, "build").get("context"))
                .resolve((String) map(baton, "build").get("dockerfile"))));
    }

    @Test
    void everyVariableTheComposeFileNeedsIsInTheExampleEnvironment() throws IOException {
        Set<String> used = new TreeSet<>();
        Matcher variable = VARIABLE.matcher(Files.readString(COMPOSE.resolve("compose.yaml")));
        while (variable.find()) {
            used.add(variable.group(1));
        }
        Properties example = new Properties();
        try (Reader reader = Files.newBufferedReader(COMPOSE.resolve(".env.example"))) {
            example.load(reader);
        }
        assertEquals(used, new TreeSet<>(example.stringPropertyNames()));
    }

    @Test
    void prometheusScrapesBatonsMetricsPathAndGrafanaIsProvisionedWithItAndTheDashboard() throws IOException {
        assertEquals(List.of("monitoring"), service("prometheus").get("profiles"));
        assertEquals(List.of("monitoring"), service("grafana").get("profiles"));
        @SuppressWarnings("unchecked")
        Map<String, Object> job = ((List<Map<String, Object>>) yaml(COMPOSE.resolve("prometheus.yml")).get("scrape_configs")).get(0);
        assertEquals(DeployFiles.metricsPath(), job.get("metrics_path"));
        @SuppressWarnings("unchecked")
        List<String> targets = (List<String>) ((List<Map<String, Object>>) job.get("static_configs")).get(0).get("targets");
        assertEquals(List.of("baton:" + DeployFiles.httpPort()), targets);
        assertTrue(service("prometheus").get("volumes").toString().contains("./prometheus.yml:/etc/prometheus/prometheus.yml"));

        @SuppressWarnings("unchecked")
        Map<String, Object> datasource = ((List<Map<String, Object>>) yaml(
                COMPOSE.resolve("grafana/provisioning/datasources/prometheus.yaml")).get("datasources")).get(0);
        assertEquals("http://prometheus:9090", datasource.get("url"));
        @SuppressWarnings("unchecked")
        Map<String, Object> provider = ((List<Map<String, Object>>) yaml(
                COMPOSE.resolve("grafana/provisioning/dashboards/baton.yaml")).get("providers")).get(0);
        String dashboards = (String) map(provider, "options").get("path");
        assertTrue(service("grafana").get("volumes").toString().contains("./grafana/dashboards:" + dashboards));
        assertTrue(service("grafana").get("volumes").toString().contains("./grafana/provisioning:/etc/grafana/provisioning"));

        String dashboard = Files.readString(COMPOSE.resolve("grafana/dashboards/baton.json"));
        Set<String> uids = new TreeSet<>();
        Matcher uid = Pattern.compile("\"datasource\":\\s*\\{\\s*\"type\":\\s*\"prometheus\",\\s*\"uid\":\\s*\"([^\"]+)\"").matcher(dashboard);
        while (uid.find()) {
            uids.add(uid.group(1));
        }
        assertEquals(Set.of(datasource.get("uid")), uids, "every panel queries the provisioned datasource");
    }

    /** The metric names the dashboard's queries use (checked against a running Baton in DeployServingTest). */
    static Set<String> dashboardMetrics() throws IOException {
        String dashboard = Files.readString(Path.of("deploy/compose/grafana/dashboards/baton.json"));
        Set<String> names = new TreeSet<>();
        Matcher expr = Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (expr.find()) {
            Matcher name = Pattern.compile("\\b(baton_[a-z_]+|http_[a-z_]+|jvm_[a-z_]+)").matcher(expr.group(1));
            while (name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }
}
