package dev.baton.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.SecuredRedisResource;
import dev.baton.testing.SecuredRedisServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Baton as an ACL user with the least rights it needs ({@link SecuredRedisResource#BATON_ACL}, the line
 * docs/operations.md gives): the whole workload runs, and Redis's {@code ACL LOG} holds no refused
 * command, key or channel but {@code CONFIG GET}, left out on purpose (it would reveal every setting).
 */
@QuarkusTest
@TestProfile(SecuredRedisWorkload.Profile.class)
@QuarkusTestResource(value = SecuredRedisResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mode", value = "acl"))
class RedisAclTest {

    @Test
    void theLeastRightsAreEnoughForEverythingBatonDoes() {
        SecuredRedisWorkload.run();

        SecuredRedisServer redis = SecuredRedisResource.server();
        String log = redis.cli("admin", SecuredRedisResource.ADMIN_PASSWORD, null, "ACL", "LOG", "100");
        List<String> refused = refused(log);
        assertTrue(refused.contains("config|get"), "the maxmemory-policy check was refused, as expected: " + log);
        assertEquals(List.of(), refused.stream().filter(object -> !object.equals("config|get")).toList(), log);
        assertTrue(redis.cli("admin", SecuredRedisResource.ADMIN_PASSWORD, null, "EXISTS", "{baton}:checkpoint").strip()
                .equals("1"), "Baton wrote its checkpoint as the baton user");
    }

    @Test
    void withoutItsPasswordTheBatonUserIsRefused() {
        String answer = SecuredRedisResource.server().cli("baton", "wrong", null, "PING");
        assertTrue(answer.contains("WRONGPASS"), answer);
    }

    /** The {@code object} of each ACL LOG entry: the refused command, key or channel. */
    private static List<String> refused(String aclLog) {
        List<String> refused = new ArrayList<>();
        String[] lines = aclLog.split("\\R");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].strip().equals("object")) {
                refused.add(lines[i + 1].strip());
            }
        }
        return refused;
    }
}
