package dev.baton.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written JSON of events and notifications is byte for byte what Jackson writes from the annotations. */
class WireEventTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void aTaskEventWithEveryFieldSet() throws JsonProcessingException {
        same(new WireEvent("task.progress", 42, "01J", "scrape", "HIGH", "IN_PROGRESS", "agent-7", 55,
                "half way", "2026-11-24T17:00:00.123Z"));
    }

    @Test
    void anAssignmentWithItsScore() throws JsonProcessingException {
        same(new WireEvent("task.assigned", 43, "01J", "scrape", "HIGH", "ASSIGNED", "agent-7", 0, null,
                "2026-11-24T17:00:00.123Z", new dev.baton.engine.ScoreBreakdown(86.66666666666667, 50.0, 25.0,
                        -6.666666666666667, 18.1, 0.1)));
    }

    @Test
    void instantsAreWrittenAsInstantWritesThem() {
        long t = 1_764_514_800_000L;
        for (long millis : new long[] {t, t + 1, t + 10, t + 120, t + 999, t + 1_000, t + 1_001, t - 1, 0, -1, -1_001,
                253_402_300_799_999L, 253_402_300_800_000L, t}) {
            assertEquals(java.time.Instant.ofEpochMilli(millis).toString(), WireEvent.instant(millis), "millis " + millis);
        }
    }

    @Test
    void anAgentEventWithNulls() throws JsonProcessingException {
        same(new WireEvent("agent.registered", 1, null, null, null, null, "a", null, null, "2026-11-24T17:00:00Z"));
    }

    @Test
    void quotesBackslashesControlCharactersAndUnicodeAreEscapedAlike() throws JsonProcessingException {
        same(new WireEvent("task.failed", 7, "t\"1", "ty\\pe", "LOW", "FAILED", "ag\u0001ent",
                0, "line\nbreak\r\ttab\b\f\u001f é ✓ \u2028 😀 </script>", "2026-11-24T17:00:00Z"));
    }

    @Test
    void randomStrings() throws JsonProcessingException {
        Random random = new Random(7);
        for (int n = 0; n < 2_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(20); i > 0; i--) {
                text.append((char) (random.nextInt(8) == 0 ? random.nextInt(0x80) : random.nextInt(0xD7FF)));
            }
            same(new WireEvent("task.progress", n, text.toString(), "t", "MEDIUM", "IN_PROGRESS", "a", n, text.toString(), "x"));
        }
    }

    private static void same(WireEvent event) throws JsonProcessingException {
        assertEquals(JACKSON.writeValueAsString(event), event.json());
        WireEvent.Notification notification = event.notification();
        assertEquals(JACKSON.writeValueAsString(notification), notification.json());
    }
}
