package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The submit's absolute URI written as Vert.x Web writes {@code absoluteURI()}; HotRoutesTest compares the two over HTTP. */
class LocationBaseTest {

    @Test
    void theSchemesDefaultPortIsDroppedAndAnyOtherKeptAsANumber() {
        assertEquals("http://example.com/v1/tasks", LocationBase.uri(false, "example.com", "/v1/tasks"));
        assertEquals("http://example.com/v1/tasks", LocationBase.uri(false, "example.com:80", "/v1/tasks"));
        assertEquals("http://example.com:443/v1/tasks", LocationBase.uri(false, "example.com:443", "/v1/tasks"));
        assertEquals("https://example.com/v1/tasks", LocationBase.uri(true, "example.com:443", "/v1/tasks"));
        assertEquals("https://example.com:80/v1/tasks", LocationBase.uri(true, "example.com:80", "/v1/tasks"));
        assertEquals("http://10.0.0.7:8080/v1/tasks", LocationBase.uri(false, "10.0.0.7:08080", "/v1/tasks"));
        assertEquals("http://Mixed-Case.Example:65535/v1/tasks", LocationBase.uri(false, "Mixed-Case.Example:65535", "/v1/tasks"));
    }

    @Test
    void onlyAPlainNameWithAnOptionalShortPortIsPlain() {
        for (String host : new String[] {"localhost", "localhost:8080", "a.b-c.d:1", "127.0.0.1:99999", "x:00080"}) {
            assertTrue(LocationBase.plainHost(host), host);
        }
        for (String host : new String[] {null, "", ":8080", "host:", "host:123456", "host:8o", "[::1]:8080", "[::1]", "a_b", "h\u00f6st",
            "host:80:81", "user@host", "host/path", "host name", "a".repeat(256)}) {
            assertFalse(LocationBase.plainHost(host), String.valueOf(host));
        }
    }
}
