package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.baton.engine.InvalidRequestException;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestsTest {

    @Test
    void aLocationSegmentIsPercentEncoded() {
        assertEquals("a-b_c.d~e:f", Requests.encodeSegment("a-b_c.d~e:f"));
        assertEquals("%7Bx%7D%2F%20%3F%23%25", Requests.encodeSegment("{x}/ ?#%"));
        assertEquals("caf%C3%A9", Requests.encodeSegment("caf\u00e9"));
        URI.create("http://localhost/v1/tasks/" + Requests.encodeSegment("{x}/ ?#%")); // a valid URI
    }

    @Test
    void anInstantOutsideEpochMillisecondsIsRefusedNamingTheField() {
        assertEquals(0L, Requests.epochMillis("run_at", Instant.EPOCH));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> Requests.epochMillis("run_at", Instant.parse("+1000000000-01-01T00:00:00Z")));
        assertEquals("run_at", e.field());
    }
}
