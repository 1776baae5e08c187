package dev.baton.deploy;

import dev.baton.DocsConfigurationTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The files under deploy/ read with real parsers (the fabric8 Kubernetes model, SnakeYAML, the
 * Dockerfile's and the unit's line syntax), and what they are checked against: Baton's packaged
 * settings and configuration properties.
 */
final class DeployFiles {

    static final Path DEPLOY = Path.of("deploy");
    static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    static final Path COMPOSE = DEPLOY.resolve("compose");

    /** quarkus.* settings the deploy files may set by environment variable, each one Baton documents or needs. */
    static final Set<String> QUARKUS_PROPERTIES = Set.of(
            "quarkus.http.host", "quarkus.http.port", "quarkus.redis.hosts", "quarkus.redis.password");

    /** Environment variables of the base images' launchers (not configuration properties). */
    static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS_APPEND", "JAVA_APP_JAR", "LANGUAGE");

    private DeployFiles() {
    }

    /** Every Kubernetes object in deploy/kubernetes, in file order (kustomization.yaml is kustomize's, not the API's). */
    static List<HasMetadata> kubernetes() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        for (Path file : kubernetesFiles()) {
            try (InputStream in = Files.newInputStream(file)) {
                Object parsed = serialization.unmarshal(in);
                if (parsed instanceof List<?> list) {
                    list.forEach(item -> objects.add((HasMetadata) item));
                } else {
                    objects.add((HasMetadata) parsed);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return objects;
    }

    static List<Path> kubernetesFiles() {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T extends HasMetadata> T kubernetes(Class<T> kind, String name) {
        return kubernetes().stream().filter(kind::isInstance).map(kind::cast)
                .filter(object -> object.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name + " in " + KUBERNETES));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return (Map<String, Object>) new Yaml().load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (!(value instanceof Map)) {
            throw new AssertionError("'" + key + "' is not a mapping in " + parent.keySet());
        }
        return (Map<String, Object>) value;
    }

    /** One Dockerfile instruction, continuation lines joined: {@code HEALTHCHECK} and the rest of its line. */
    record Instruction(String keyword, String arguments) {
    }

    static List<Instruction> dockerfile(String name) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines(DEPLOY.resolve("docker").resolve(name))) {
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String[] parts = current.toString().split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(java.util.Locale.ROOT), parts.length > 1 ? parts[1] : ""));
            current.setLength(0);
        }
        return instructions;
    }

    static List<String> dockerfile(String name, String keyword) {
        return dockerfile(name).stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The {@code ENV NAME=value} settings of a Dockerfile (one per instruction, as written here). */
    static Map<String, String> dockerEnv(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String setting : dockerfile(name, "ENV")) {
            int equals = setting.indexOf('=');
            env.put(setting.substring(0, equals), setting.substring(equals + 1).replaceAll("^\"|\"$", "").replaceAll("^'|'$", ""));
        }
        return env;
    }

    /** The systemd unit's settings: key → every value given to it, in order. */
    static Map<String, List<String>> systemd() {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        for (String line : lines(DEPLOY.resolve("systemd/baton.service"))) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";") || trimmed.startsWith("[")) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals < 0) {
                throw new AssertionError("not a systemd setting: " + line);
            }
            settings.computeIfAbsent(trimmed.substring(0, equals), k -> new ArrayList<>()).add(trimmed.substring(equals + 1));
        }
        return settings;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the packaged Baton is configured with (src/main/resources/application.properties). */
    static Properties packaged() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static int httpPort() {
        return Integer.parseInt(packaged().getProperty("quarkus.http.port"));
    }

    static String metricsPath() {
        return packaged().getProperty("quarkus.micrometer.export.prometheus.path");
    }

    /** How long Baton's graceful shutdown may take: quarkus.shutdown.timeout, plus the final checkpoint and Redis's stop. */
    static Duration stopAllowance() {
        Duration timeout = Duration.parse("PT" + packaged().getProperty("quarkus.shutdown.timeout").toUpperCase(java.util.Locale.ROOT));
        return timeout.plusSeconds(10);
    }

    /**
     * The configuration property an environment variable sets (the MicroProfile mapping: upper
     * case, every other character an underscore), among Baton's properties and
     * {@link #QUARKUS_PROPERTIES}; empty when it sets none.
     */
    static Optional<String> propertyOf(String variable) {
        List<String> known = new ArrayList<>(DocsConfigurationTest.properties().keySet());
        known.addAll(QUARKUS_PROPERTIES);
        return known.stream().filter(property -> environmentName(property).matcher(variable).matches()).findFirst();
    }

    private static Pattern environmentName(String property) {
        StringBuilder regex = new StringBuilder();
        for (String part : property.split("(?=<)|(?<=>)")) {
            regex.append(part.startsWith("<") ? "[A-Z0-9_]+" : Pattern.quote(part.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
        }
        return Pattern.compile(regex.toString());
    }
}
