package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.SecuredRedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** A Redis with {@code requirepass}: Baton authenticates with {@code quarkus.redis.password} and does all its work. */
@QuarkusTest
@TestProfile(SecuredRedisWorkload.Profile.class)
@QuarkusTestResource(value = SecuredRedisResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mode", value = "password"))
class RedisPasswordTest {

    @Test
    void batonWorksOnARedisThatWantsAPassword() {
        SecuredRedisWorkload.run();

        String withoutPassword = SecuredRedisResource.server().cli(null, null, null, "GET", "{baton}:checkpoint");
        assertTrue(withoutPassword.contains("NOAUTH"), "the server does want a password: " + withoutPassword);
    }
}
