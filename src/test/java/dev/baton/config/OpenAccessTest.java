package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Which starts are refused for listening beyond loopback with no token. */
class OpenAccessTest {

    @Test
    void loopbackNeedsNoToken() {
        for (String host : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            assertEquals(Optional.empty(), OpenAccess.refusal(host, false, false), host);
        }
    }

    @Test
    void everyAddressWithoutATokenIsRefusedInOneLineNamingTheWaysOut() {
        String refusal = OpenAccess.refusal("0.0.0.0", false, false).orElseThrow();

        assertTrue(refusal.startsWith("quarkus.http.host=0.0.0.0 listens beyond loopback with no token set"), refusal);
        assertTrue(refusal.contains("baton.auth.admin-token") && refusal.contains("baton.auth.allow-open=true"), refusal);
        assertFalse(refusal.contains("\n"), refusal);
        assertTrue(OpenAccess.refusal("::", false, false).isPresent());
        assertTrue(OpenAccess.refusal("no-such-host.invalid", false, false).isPresent(), "unresolvable is not loopback");
    }

    @Test
    void aTokenOrAllowOpenLetsItListenAnywhere() {
        assertEquals(Optional.empty(), OpenAccess.refusal("0.0.0.0", true, false));
        assertEquals(Optional.empty(), OpenAccess.refusal("0.0.0.0", false, true));
    }
}
