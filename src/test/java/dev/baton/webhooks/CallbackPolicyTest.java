package dev.baton.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.baton.engine.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which callbacks Baton may call: http(s), no credentials, a host on the allow-list (exact, or under a {@code *.} domain). */
class CallbackPolicyTest {

    private final CallbackPolicy policy = new CallbackPolicy(List.of("Hooks.Example.com", " *.internal.test ", "10.0.0.7", ""));

    @Test
    void allowedHostsExactlyOrUnderAWildcardDomain() {
        for (String url : List.of("https://hooks.example.com/x", "http://HOOKS.example.com:8443/x?a=b#f",
                "https://a.internal.test/", "https://deep.a.internal.test/", "http://10.0.0.7:9000/hook")) {
            assertNull(policy.problem(url), url);
        }
        assertNull(policy.problem(null), "no callback");
    }

    @Test
    void everythingElseIsRefusedNamingTheField() {
        for (String url : List.of("https://example.com/x", "https://internal.test/", "https://evilinternal.test/",
                "https://hooks.example.com.evil.org/", "https://a.internal.test.evil.org/", "http://10.0.0.70/",
                "ftp://hooks.example.com/x", "hooks.example.com/x", "/x", "https://user:pw@hooks.example.com/x",
                "https://hooks.example.com/" + "x".repeat(CallbackPolicy.MAX_URL_CHARS), "", "http://[::1/x", "mailto:a@b")) {
            assertNotNull(policy.problem(url), url);
            InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> policy.check("callback_url", url));
            assertEquals("callback_url", refused.field());
        }
    }

    @Test
    void withNoAllowedHostsNothingIsAllowed() {
        CallbackPolicy none = new CallbackPolicy(List.of());
        assertEquals("no callback host is allowed (baton.webhooks.allowed-hosts is empty)", none.problem("https://a.b/"));
    }

    @Test
    void theSignatureIsTheHmacOfTheSecondsADotAndTheBody() {
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac key
        assertEquals("t=1700000000,v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae",
                Webhooks.signature("key", 1_700_000_000L, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
