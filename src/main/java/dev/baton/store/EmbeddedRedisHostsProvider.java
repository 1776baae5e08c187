package dev.baton.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.redis.client.RedisHostsProvider;
import io.smallrye.common.annotation.Identifier;

/**
 * The Redis host when {@code quarkus.redis.hosts} is unset: Baton's embedded Redis.
 *
 * <p>{@code quarkus.redis.hosts-provider-name} names this bean. The Quarkus Redis client asks it for
 * hosts only when {@code quarkus.redis.hosts} is unset (hosts win), and selects providers by
 * {@link Identifier}, not {@code @Named}. That happens while the client is created at start-up, on
 * the main thread, so starting Redis here blocks nobody's event loop. Redis is stopped when the bean
 * container shuts down, after the Redis client was closed and the shutdown observers ran.
 */
@Singleton
@Identifier(EmbeddedRedisHostsProvider.NAME)
public class EmbeddedRedisHostsProvider implements RedisHostsProvider {

    public static final String NAME = "baton-embedded";

    private final Path dataDir;
    private final OptionalInt port;
    private EmbeddedRedis redis;

    @Inject
    public EmbeddedRedisHostsProvider(
            @ConfigProperty(name = "baton.embedded-redis.data-dir", defaultValue = "./data") String dataDir,
            @ConfigProperty(name = "baton.embedded-redis.port") OptionalInt port) {
        this.dataDir = Path.of(dataDir);
        this.port = port;
    }

    @Override
    public synchronized Set<URI> getHosts() {
        if (redis == null) {
            try {
                redis = EmbeddedRedis.start(dataDir, port);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the embedded Redis in " + dataDir.toAbsolutePath()
                        + " (or set quarkus.redis.hosts): " + e.getMessage(), e);
            }
        }
        return Set.of(redis.uri());
    }

    @PreDestroy
    synchronized void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
