package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.SecuredRedisResource;
import dev.baton.testing.SecuredRedisServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * {@code rediss://}: a Redis that speaks only TLS (its plain port off) and wants a password, with a
 * CA and server certificate made at test time; Baton trusts that CA through the TLS registry
 * ({@code quarkus.redis.tls-configuration-name}) and does all its work. Skipped, saying why, when the
 * redis-server found is not built with TLS.
 */
@QuarkusTest
@EnabledIf(value = "tlsBuilt", disabledReason = "redis-server is not built with TLS")
@TestProfile(SecuredRedisWorkload.Profile.class)
@QuarkusTestResource(value = SecuredRedisResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mode", value = "tls"))
class RedisTlsTest {

    static boolean tlsBuilt() {
        String why = SecuredRedisServer.whyNoTls();
        if (why != null) {
            System.err.println("RedisTlsTest skipped: " + why);
        }
        return why == null;
    }

    @Test
    void batonWorksOverTls() {
        SecuredRedisWorkload.run();

        SecuredRedisServer redis = SecuredRedisResource.server();
        assertTrue(redis.uri().startsWith("rediss://"), redis.uri());
        String overTls = redis.cli(null, SecuredRedisResource.PASSWORD, SecuredRedisResource.caCertificate(),
                "EXISTS", "{baton}:checkpoint");
        assertTrue(overTls.strip().equals("1"), "Baton's checkpoint is there, read over TLS: " + overTls);
    }
}
