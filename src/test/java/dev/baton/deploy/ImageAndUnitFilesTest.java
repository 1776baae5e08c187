package dev.baton.deploy;

import static dev.baton.deploy.DeployFiles.dockerEnv;
import static dev.baton.deploy.DeployFiles.dockerfile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles (read instruction by instruction) and the systemd unit agree with Baton, and
 * every environment variable in deploy/ sets a real configuration property.
 */
class ImageAndUnitFilesTest {

    @Test
    void theJvmImageRunsTheFastJarAsNonRootOnItsPortWithTheDataVolumeAndAHealthCheck() {
        String port = String.valueOf(DeployFiles.httpPort());
        List<String> from = dockerfile("Dockerfile.jvm", "FROM");
        assertEquals(1, from.size());
        assertTrue(from.get(0).contains("openjdk-17-runtime"), from.get(0));
        for (String tree : List.of("lib/", "*.jar", "app/", "quarkus/")) {
            assertTrue(dockerfile("Dockerfile.jvm", "COPY").stream().anyMatch(copy -> copy.contains("target/quarkus-app/" + tree)),
                    "the fast-jar's " + tree);
        }
        assertNonRoot("Dockerfile.jvm");
        assertEquals(List.of(port), dockerfile("Dockerfile.jvm", "EXPOSE"));
        Map<String, String> env = dockerEnv("Dockerfile.jvm");
        assertEquals("0.0.0.0", env.get("QUARKUS_HTTP_HOST"));
        assertEquals(port, env.get("QUARKUS_HTTP_PORT"));
        assertEquals(List.of(env.get("BATON_EMBEDDED_REDIS_DATA_DIR")), dockerfile("Dockerfile.jvm", "VOLUME"), "the data volume is the data dir");
        assertEquals("/data", env.get("BATON_EMBEDDED_REDIS_DATA_DIR"));
        assertEquals("/deployments/quarkus-run.jar", env.get("JAVA_APP_JAR"));
        for (String option : List.of("-XX:+ExitOnOutOfMemoryError", "-XX:+UseTransparentHugePages")) {
            assertTrue(env.get("JAVA_OPTS_APPEND").contains(option), "the JVM options as bin/baton's: " + option);
        }
        String check = dockerfile("Dockerfile.jvm", "HEALTHCHECK").get(0);
        assertTrue(check.contains("http://127.0.0.1:" + port + "/q/health/ready"), check);
    }

    @Test
    void theNativeImageIsBuiltWithMandrelForJdk25AndRunsOnTheMicroImage() {
        List<String> from = dockerfile("Dockerfile.native", "FROM");
        assertEquals(2, from.size(), "multi-stage");
        assertTrue(from.get(0).matches("quay\\.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-25 AS build"), from.get(0));
        assertTrue(from.get(1).startsWith("quay.io/quarkus/ubi9-quarkus-micro-image:"), from.get(1));
        assertTrue(dockerfile("Dockerfile.native", "RUN").stream().anyMatch(run -> run.contains("package -Dnative")));
        assertTrue(dockerfile("Dockerfile.native", "COPY").stream().anyMatch(copy -> copy.contains("--from=build") && copy.contains("-runner")));
        assertNonRoot("Dockerfile.native");
        assertEquals(List.of(String.valueOf(DeployFiles.httpPort())), dockerfile("Dockerfile.native", "EXPOSE"));
        assertEquals("0.0.0.0", dockerEnv("Dockerfile.native").get("QUARKUS_HTTP_HOST"));
    }

    @Test
    void everyFileTheDockerfilesCopyIsInTheBuildContext() throws IOException {
        List<String> kept = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(line -> line.startsWith("!")).map(line -> line.substring(1).replaceAll("/$", "")).toList();
        assertEquals("*", Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst().orElseThrow(), "all but what is named");
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            for (String copy : dockerfile(dockerfile, "COPY")) {
                List<String> words = List.of(copy.split("\\s+"));
                if (words.stream().anyMatch(word -> word.startsWith("--from="))) {
                    continue;
                }
                List<String> sources = words.stream().filter(word -> !word.startsWith("--")).toList();
                for (String source : sources.subList(0, sources.size() - 1)) {
                    String path = source.replaceAll("/$", "");
                    assertTrue(kept.stream().anyMatch(dir -> path.equals(dir) || path.startsWith(dir + "/")),
                            dockerfile + " copies " + source + ", left out by .dockerignore");
                }
            }
        }
    }

    @Test
    void theSystemdUnitRunsTheLauncherAndStopsOnlyBatonWithTimeForItsCleanStop() {
        Map<String, List<String>> unit = DeployFiles.systemd();
        assertEquals(List.of("/opt/baton/bin/baton run"), unit.get("ExecStart"));
        assertEquals(List.of("mixed"), unit.get("KillMode"), "SIGTERM to Baton only: it stops its embedded Redis itself");
        assertEquals(List.of("SIGTERM"), unit.get("KillSignal"));
        Duration stop = Duration.ofSeconds(Long.parseLong(unit.get("TimeoutStopSec").get(0)));
        assertTrue(stop.compareTo(DeployFiles.stopAllowance()) >= 0, "TimeoutStopSec " + stop);
        assertFalse(unit.get("User").get(0).equals("root"));
        assertEquals(List.of("baton"), unit.get("StateDirectory"));
        assertTrue(unit.get("Environment").contains("BATON_EMBEDDED_REDIS_DATA_DIR=/var/lib/baton"), "the data dir is the state directory");
    }

    @Test
    void everyEnvironmentVariableSetsARealConfigurationProperty() {
        Map<String, String> unknown = new TreeMap<>();
        environmentVariables().forEach((variable, where) -> {
            if (!DeployFiles.IMAGE_VARIABLES.contains(variable) && DeployFiles.propertyOf(variable).isEmpty()) {
                unknown.put(variable, where);
            }
        });
        assertEquals(Map.of(), unknown, "environment variables that set no property of Baton's (docs/configuration.md)");
        assertEquals("baton.embedded-redis.data-dir", DeployFiles.propertyOf("BATON_EMBEDDED_REDIS_DATA_DIR").orElseThrow());
        assertEquals("baton.auth.agent-tokens.<agent-token>.token", DeployFiles.propertyOf("BATON_AUTH_AGENT_TOKENS_CI_TOKEN").orElseThrow());
        assertTrue(DeployFiles.propertyOf("BATON_LEASE_TIME").isEmpty());
    }

    /** Every environment variable Baton is given in deploy/, with where. */
    static Map<String, String> environmentVariables() {
        Map<String, String> found = new TreeMap<>();
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            dockerEnv(dockerfile).keySet().forEach(name -> found.put(name, dockerfile));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> compose = (Map<String, Object>) DeployFiles.map(
                DeployFiles.map(DeployFiles.yaml(DeployFiles.COMPOSE.resolve("compose.yaml")), "services"), "baton").get("environment");
        compose.keySet().forEach(name -> found.put(name, "compose.yaml"));
        DeployFiles.kubernetes(ConfigMap.class, "baton-config").getData().keySet().forEach(name -> found.put(name, "kubernetes/config.yaml"));
        Container baton = KubernetesManifestsTest.container(
                DeployFiles.kubernetes(Deployment.class, "baton").getSpec().getTemplate().getSpec(), "baton");
        baton.getEnv().stream().map(EnvVar::getName).forEach(name -> found.put(name, "kubernetes/baton.yaml"));
        List<String> unitEnv = new ArrayList<>(DeployFiles.systemd().get("Environment"));
        unitEnv.forEach(setting -> found.put(setting.substring(0, setting.indexOf('=')), "systemd/baton.service"));
        return found;
    }

    private static void assertNonRoot(String dockerfile) {
        List<String> users = dockerfile(dockerfile, "USER");
        String last = users.get(users.size() - 1);
        assertFalse(last.equals("root") || last.equals("0"), dockerfile + " ends as " + last);
    }
}
