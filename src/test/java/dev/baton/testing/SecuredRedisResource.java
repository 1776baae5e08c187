package dev.baton.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at a throwaway Redis that wants credentials, chosen by the init arg
 * {@code mode}:
 * <ul>
 * <li>{@code password}: {@code requirepass}; Baton sets {@code quarkus.redis.password}.</li>
 * <li>{@code acl}: an ACL file with the default user off, an {@code admin} for the test, and
 * {@link #BATON_ACL}, the least rights Baton needs (docs/operations.md shows the same line); Baton
 * connects as {@code baton} ({@code redis://baton:<password>@host:port}).</li>
 * <li>{@code tls}: {@code requirepass} and TLS only ({@code rediss://}), with a CA and server
 * certificate made at test time; Baton trusts the CA through the TLS registry.</li>
 * </ul>
 */
public class SecuredRedisResource implements QuarkusTestResourceLifecycleManager {

    public static final String PASSWORD = "redis-pass-7f3c";
    public static final String ADMIN_PASSWORD = "redis-admin-2b9e";
    /** The rights of Baton's user, after {@code ACL SETUSER baton on ><password>}. */
    public static final String BATON_ACL = "resetkeys ~{baton}:* resetchannels &task_notifications &task:*:events -@all "
            + "+hello +ping "
            + "+get +mget +set +del +rename +hset +hdel +hgetall +hscan +zrangebyscore +zremrangebyscore "
            + "+xadd +xrange +xtrim +eval +evalsha +publish +info +pubsub|numpat +pubsub|numsub +pubsub|channels";

    private static volatile SecuredRedisServer server;
    private static volatile TestCertificates.RedisTls certificates;
    private String mode;

    @Override
    public void init(Map<String, String> initArgs) {
        mode = initArgs.getOrDefault("mode", "password");
    }

    @Override
    public Map<String, String> start() {
        Path dir = TestCertificates.directory("redis-" + mode + "-");
        return switch (mode) {
            case "password" -> {
                server = SecuredRedisServer.start(dir, false, List.of("--requirepass", PASSWORD));
                yield Map.of("quarkus.redis.hosts", server.uri(), "quarkus.redis.password", PASSWORD);
            }
            case "acl" -> {
                write(dir.resolve("users.acl"), "user default off\n"
                        + "user admin on >" + ADMIN_PASSWORD + " ~* &* +@all\n"
                        + "user baton on >" + PASSWORD + " " + BATON_ACL + "\n");
                server = SecuredRedisServer.start(dir, false, List.of("--aclfile", dir.resolve("users.acl").toString()));
                // the Redis client takes a user name only with its password, both in the URI
                yield Map.of("quarkus.redis.hosts", server.uri().replace("://", "://baton:" + PASSWORD + "@"));
            }
            case "tls" -> {
                certificates = TestCertificates.redisTls(dir);
                server = SecuredRedisServer.start(dir, true, List.of("--requirepass", PASSWORD,
                        "--tls-cert-file", certificates.cert().toString(), "--tls-key-file", certificates.key().toString(),
                        "--tls-ca-cert-file", certificates.ca().toString(), "--tls-auth-clients", "no"));
                yield Map.of("quarkus.redis.hosts", server.uri(), "quarkus.redis.password", PASSWORD,
                        "quarkus.redis.tls-configuration-name", "redis",
                        "quarkus.tls.redis.trust-store.pem.certs", certificates.ca().toString(),
                        "quarkus.tls.redis.hostname-verification-algorithm", "HTTPS");
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The server of the running resource. */
    public static SecuredRedisServer server() {
        SecuredRedisServer current = server;
        if (current == null) {
            throw new IllegalStateException("SecuredRedisResource is not started for this test");
        }
        return current;
    }

    /** The CA certificate of the {@code tls} mode. */
    public static Path caCertificate() {
        return certificates.ca();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
