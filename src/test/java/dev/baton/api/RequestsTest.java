package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.InvalidRequestException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {

    @Test
    void aLocationSegmentIsPercentEncoded() {
        assertEquals("a-b_c.d~e:f", Requests.encodeSegment("a-b_c.d~e:f"));
        assertEquals("%7Bx%7D%2F%20%3F%23%25", Requests.encodeSegment("{x}/ ?#%"));
        assertEquals("caf%C3%A9", Requests.encodeSegment("caf\u00e9"));
        URI.create("http://localhost/v1/tasks/" + Requests.encodeSegment("{x}/ ?#%")); // a valid URI
        String unreserved = "01M8TXWBQ9FF3VGG1JKSP5QC6B";
        assertSame(unreserved, Requests.encodeSegment(unreserved), "nothing to encode: the id itself, not a copy");
        assertEquals("a%20b", Requests.encodeSegment("a b"), "one character to encode is enough to encode");
    }

    /** Every parameter as Netty decodes the query for Vert.x's {@code getParam}: the first value of each name. */
    private static Map<String, String> firstValues(String query) {
        Map<String, String> first = new LinkedHashMap<>();
        new QueryStringDecoder(query, false).parameters().forEach((name, values) -> first.put(name, values.get(0)));
        return first;
    }

    @Test
    void aPlainQueryIsReadAsVertxReadsItsParameters() {
        String[] plain = {"max=1", "max=1&wait_ms=5000", "wait_ms=0&max=25", "max=1&max=2", "max=&wait_ms=3", "a.b-c_d=e.f-g_h&max=9",
            "maxx=1&max=2", "ma=1&max=3", "wait_ms=-1", "max=soon"};
        for (String query : plain) {
            assertTrue(Requests.plainQuery(query), query);
            Map<String, String> expected = firstValues(query);
            for (String name : List.of("max", "wait_ms", "a.b-c_d", "ma", "maxx", "absent")) {
                assertEquals(expected.get(name), Requests.queryParam(query, name), query + " " + name);
            }
        }
        assertTrue(Requests.plainQuery(null));
        assertNull(Requests.queryParam(null, "max"));
        for (String query : new String[] {"", "max", "max=1&", "&max=1", "max=1&&wait_ms=2", "=1", "max==1", "max=1=2", "max=1;wait_ms=2",
            "max=%31", "max=1+1", "max=1#x", "max=é", "max=1&wait_ms"}) {
            assertFalse(Requests.plainQuery(query), query + " is left to Vert.x");
        }
    }

    @Test
    void tasksOfOneTypeParsedFromTheirOwnRequestsShareOneTypeAndKeyString() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper()
                .findAndRegisterModules().setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
        String body = "{\"type\":\"canonical-test\",\"rate_key\":\"tenant-7\",\"concurrency_key\":\"repo-3\"}";
        dev.baton.engine.TaskSpec first = mapper.readValue(body, SubmitTaskRequest.class).toSpec();
        dev.baton.engine.TaskSpec second = mapper.readValue(body, SubmitTaskRequest.class).toSpec();
        assertEquals("canonical-test", second.type());
        org.junit.jupiter.api.Assertions.assertSame(first.type(), second.type());
        org.junit.jupiter.api.Assertions.assertSame(first.rateKey(), second.rateKey());
        org.junit.jupiter.api.Assertions.assertSame(first.concurrencyKey(), second.concurrencyKey());
    }

    @Test
    void anInstantOutsideEpochMillisecondsIsRefusedNamingTheField() {
        assertEquals(0L, Requests.epochMillis("run_at", Instant.EPOCH));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> Requests.epochMillis("run_at", Instant.parse("+1000000000-01-01T00:00:00Z")));
        assertEquals("run_at", e.field());
    }

    @Test
    void instantsAreWrittenAsInstantWritesThem() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(15);
        java.util.List<Instant> cases = new java.util.ArrayList<>(java.util.List.of(Instant.EPOCH, Instant.ofEpochMilli(1),
                Instant.ofEpochMilli(951_782_400_000L), Instant.ofEpochMilli(253_402_300_799_999L),
                Instant.ofEpochMilli(253_402_300_800_000L), Instant.ofEpochMilli(-1), Instant.ofEpochSecond(5, 1)));
        for (int i = 0; i < 100_000; i++) {
            cases.add(Instant.ofEpochMilli(random.nextLong(-100_000_000_000L, 300_000_000_000_000L)));
            cases.add(Instant.ofEpochSecond(random.nextLong(0, 4_000_000_000L)));
        }
        // runs in one minute and across the next ones, as answers write them (the minute's text is kept)
        long millis = 1_764_650_000_000L;
        for (int i = 0; i < 100_000; i++) {
            millis += random.nextInt(3) == 0 ? random.nextLong(-90_000, 90_000) : random.nextLong(0, 700);
            cases.add(Instant.ofEpochMilli(millis));
            cases.add(Instant.ofEpochMilli(millis + 30_000));
        }
        cases.addAll(java.util.List.of(Instant.parse("2026-12-31T23:59:59.999Z"), Instant.parse("2027-01-01T00:00:00Z"),
                Instant.parse("2028-02-29T23:59:00.001Z"), Instant.parse("2028-03-01T00:00:59Z")));
        for (Instant instant : cases) {
            assertEquals(instant.toString(), WireJson.iso(new StringBuilder(), instant).toString());
            Instant inMillis = Instant.ofEpochMilli(instant.toEpochMilli()); // a task's times are milliseconds
            assertEquals(inMillis.toString(), WireJson.isoMillis(new StringBuilder(), instant.toEpochMilli()).toString());
        }
    }

    @Test
    void aPathCanonicalAtAGlanceIsCanonicalSegmentBySegment() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(15);
        String alphabet = "a/.Z9-_~:%;\\ 2F";
        int plain = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder path = new StringBuilder(random.nextInt(4) == 0 ? "" : "/");
            for (int n = random.nextInt(12); n > 0; n--) {
                path.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String p = path.toString();
            if (CanonicalPaths.plain(p)) {
                plain++;
                assertEquals(null, CanonicalPaths.closer(p), p);
            }
            assertEquals(CanonicalPaths.closer(p), CanonicalPaths.problem(p), p);
        }
        assertEquals(true, plain > 1_000, "plain paths seen: " + plain);
        assertEquals(null, CanonicalPaths.problem("/v1/agents/peer-agent-7/claim"));
        assertEquals(null, CanonicalPaths.problem("/v1/tasks/"));
    }
}
