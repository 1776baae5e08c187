package dev.baton.deploy;

import static dev.baton.deploy.DeployFiles.KUBERNETES;
import static dev.baton.deploy.DeployFiles.kubernetes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes parses into the fabric8 Kubernetes model with no field the model does not
 * know, and agrees with Baton: its port, its health endpoints, its graceful shutdown, one writer,
 * the secrets it needs, and a Redis it accepts (append-only, noeviction).
 */
class KubernetesManifestsTest {

    @Test
    void everyManifestParsesWithNoUnknownField() {
        List<HasMetadata> objects = kubernetes();
        Set<String> kinds = new TreeSet<>();
        objects.forEach(object -> kinds.add(object.getKind() + "/" + object.getMetadata().getName()));
        assertEquals(new TreeSet<>(List.of("ConfigMap/baton-config", "Deployment/baton", "PodDisruptionBudget/baton",
                "Secret/baton-secrets", "Service/baton", "Service/baton-redis", "StatefulSet/baton-redis")), kinds);
        List<String> unknown = new ArrayList<>();
        objects.forEach(object -> unknownFields(object, object.getKind(), unknown, new IdentityHashMap<>()));
        assertEquals(List.of(), unknown, "fields the Kubernetes model does not know (typos?)");
    }

    @Test
    void kustomizationListsEveryManifest() {
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) DeployFiles.yaml(KUBERNETES.resolve("kustomization.yaml")).get("resources");
        Set<String> files = new TreeSet<>();
        DeployFiles.kubernetesFiles().forEach(file -> files.add(file.getFileName().toString()));
        assertEquals(files, new TreeSet<>(resources));
    }

    @Test
    void oneBatonRecreatedOnUpdateAndGivenTimeForItsCleanStop() {
        Deployment baton = kubernetes(Deployment.class, "baton");
        assertEquals(1, baton.getSpec().getReplicas(), "one writer: a second pod would only stand by");
        assertEquals("Recreate", baton.getSpec().getStrategy().getType(),
                "a rolling update would wait on a new pod that cannot be ready while the old one holds the lease");
        PodSpec pod = baton.getSpec().getTemplate().getSpec();
        assertTrue(pod.getTerminationGracePeriodSeconds() >= DeployFiles.stopAllowance().toSeconds(),
                "terminationGracePeriodSeconds " + pod.getTerminationGracePeriodSeconds() + " < " + DeployFiles.stopAllowance());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        Container container = container(pod, "baton");
        assertNotNull(container.getResources().getRequests().get("memory"));
        assertNotNull(container.getResources().getLimits().get("memory"));
    }

    @Test
    void batonListensOnItsPortBeyondLoopbackAndTheServiceAndProbesPointThere() {
        Map<String, String> config = kubernetes(ConfigMap.class, "baton-config").getData();
        int port = DeployFiles.httpPort();
        assertEquals(String.valueOf(port), config.get("QUARKUS_HTTP_PORT"));
        assertEquals("0.0.0.0", config.get("QUARKUS_HTTP_HOST"), "Baton binds 127.0.0.1 unless told otherwise");
        Deployment baton = kubernetes(Deployment.class, "baton");
        Container container = container(baton.getSpec().getTemplate().getSpec(), "baton");
        assertEquals(port, namedPort(container, "http"));
        assertEquals(port, probePort(container, container.getReadinessProbe()));
        assertEquals(port, probePort(container, container.getLivenessProbe()));
        assertEquals(port, probePort(container, container.getStartupProbe()));
        assertEquals("/q/health/ready", container.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", container.getStartupProbe().getHttpGet().getPath());
        Map<String, String> scrape = baton.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals(DeployFiles.metricsPath(), scrape.get("prometheus.io/path"));
        assertEquals(String.valueOf(port), scrape.get("prometheus.io/port"));

        Service service = kubernetes(Service.class, "baton");
        Map<String, String> podLabels = baton.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals(podLabels, service.getSpec().getSelector());
        assertEquals(port, resolve(container, service.getSpec().getPorts().get(0).getTargetPort()));
        PodDisruptionBudget budget = kubernetes(PodDisruptionBudget.class, "baton");
        assertEquals(podLabels, budget.getSpec().getSelector().getMatchLabels());
        assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal(), "minAvailable 1 would block every drain");
    }

    @Test
    void tokensAndTheRedisPasswordComeFromTheSecret() {
        Secret secret = kubernetes(Secret.class, "baton-secrets");
        Container baton = container(kubernetes(Deployment.class, "baton").getSpec().getTemplate().getSpec(), "baton");
        Container redis = container(kubernetes(StatefulSet.class, "baton-redis").getSpec().getTemplate().getSpec(), "redis");
        Map<String, String> fromSecret = new java.util.TreeMap<>();
        for (Container container : List.of(baton, redis)) {
            for (EnvVar env : container.getEnv()) {
                assertNotNull(env.getValueFrom(), env.getName() + " is written in the manifest, not taken from the Secret");
                var key = env.getValueFrom().getSecretKeyRef();
                assertEquals("baton-secrets", key.getName());
                assertTrue(secret.getStringData().containsKey(key.getKey()), key.getKey() + " is not in the Secret");
                fromSecret.put(env.getName(), key.getKey());
            }
        }
        assertEquals(Map.of("BATON_AUTH_ADMIN_TOKEN", "admin-token", "BATON_AUTH_AGENT_TOKEN", "agent-token",
                "BATON_AUTH_PRODUCER_TOKEN", "producer-token", "QUARKUS_REDIS_PASSWORD", "redis-password",
                "REDIS_PASSWORD", "redis-password", "REDISCLI_AUTH", "redis-password"), fromSecret);
        assertEquals("baton-config", baton.getEnvFrom().get(0).getConfigMapRef().getName());
    }

    @Test
    void redisKeepsAnAppendOnlyFileOnAVolumeNeverEvictsAndIsWhereBatonLooks() {
        StatefulSet redis = kubernetes(StatefulSet.class, "baton-redis");
        Container container = container(redis.getSpec().getTemplate().getSpec(), "redis");
        String args = String.join(" ", container.getArgs());
        assertTrue(args.contains("--appendonly yes"), args);
        assertTrue(args.contains("--maxmemory-policy noeviction"), args);
        assertTrue(args.contains("--requirepass $(REDIS_PASSWORD)"), args);
        assertEquals("/data", container.getVolumeMounts().get(0).getMountPath());
        assertEquals(container.getVolumeMounts().get(0).getName(), redis.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName());
        assertEquals(1, redis.getSpec().getReplicas());

        Service service = kubernetes(Service.class, "baton-redis");
        assertEquals(redis.getSpec().getServiceName(), service.getMetadata().getName());
        assertEquals(redis.getSpec().getTemplate().getMetadata().getLabels(), service.getSpec().getSelector());
        URI hosts = URI.create(kubernetes(ConfigMap.class, "baton-config").getData().get("QUARKUS_REDIS_HOSTS"));
        assertEquals("redis", hosts.getScheme());
        assertEquals(service.getMetadata().getName(), hosts.getHost());
        assertEquals(hosts.getPort(), service.getSpec().getPorts().get(0).getPort());
        assertEquals(hosts.getPort(), resolve(container, service.getSpec().getPorts().get(0).getTargetPort()));
    }

    static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    private static int namedPort(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError("no port named " + name));
    }

    private static int resolve(Container container, IntOrString port) {
        return port.getIntVal() != null ? port.getIntVal() : namedPort(container, port.getStrVal());
    }

    private static int probePort(Container container, Probe probe) {
        return resolve(container, probe.getHttpGet().getPort());
    }

    /** Fields the model kept aside as "additional properties" anywhere under {@code value}: names it does not know. */
    private static void unknownFields(Object value, String path, List<String> found, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, found, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(child, path + "." + getter.getName().replaceFirst("^(get|is)", ""), found, seen);
            }
        }
    }
}
