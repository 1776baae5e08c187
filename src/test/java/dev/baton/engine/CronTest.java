package dev.baton.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Cron}: the fields, names, steps, both day fields, and daylight saving in a real zone. */
class CronTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    private static List<String> next(String cron, String after, ZoneId zone, int n) {
        Cron c = Cron.parse(cron);
        List<String> out = new ArrayList<>();
        Instant t = at(after);
        for (int i = 0; i < n; i++) {
            t = c.next(t, zone);
            out.add(t.toString());
        }
        return out;
    }

    @ParameterizedTest(name = "{0} after {1} is {2}")
    @CsvSource(delimiter = '|', value = {
            "* * * * *          | 2026-01-01T00:00:00Z | 2026-01-01T00:01:00Z",
            "* * * * *          | 2026-01-01T00:00:30Z | 2026-01-01T00:01:00Z",
            "*/15 * * * *       | 2026-01-01T00:14:59Z | 2026-01-01T00:15:00Z",
            "5 * * * *          | 2026-01-01T00:05:00Z | 2026-01-01T01:05:00Z",
            "0 9 * * MON-FRI    | 2026-01-02T09:00:00Z | 2026-01-05T09:00:00Z",
            "0 9 * * mon-fri    | 2026-01-03T10:00:00Z | 2026-01-05T09:00:00Z",
            "0 0 1 JAN *        | 2026-06-01T00:00:00Z | 2027-01-01T00:00:00Z",
            "0 0 * * 7          | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z",
            "0 0 * * 0          | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z",
            "0 12 29 2 *        | 2026-01-01T00:00:00Z | 2028-02-29T12:00:00Z",
            "0 0 31 * *         | 2026-04-01T00:00:00Z | 2026-05-31T00:00:00Z",
            "10-20/5 3 * * *    | 2026-01-01T03:15:00Z | 2026-01-01T03:20:00Z",
            "10/20 * * * *      | 2026-01-01T00:31:00Z | 2026-01-01T00:50:00Z",
            "0 0,12 * * *       | 2026-01-01T00:00:00Z | 2026-01-01T12:00:00Z",
            "*/10 * * * * *     | 2026-01-01T00:00:05Z | 2026-01-01T00:00:10Z",
            "30 0 0 * * *       | 2026-01-01T00:00:00Z | 2026-01-01T00:00:30Z",
            "@hourly            | 2026-01-01T00:00:00Z | 2026-01-01T01:00:00Z",
            "@daily             | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z",
            "@weekly            | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z",
            "@monthly           | 2026-01-15T00:00:00Z | 2026-02-01T00:00:00Z",
            "@yearly            | 2026-01-15T00:00:00Z | 2027-01-01T00:00:00Z",
            "0 0 13 * FRI       | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z",
            "0 0 13 * *         | 2026-01-01T00:00:00Z | 2026-01-13T00:00:00Z",
            "0 0 * 2 *          | 2026-03-01T00:00:00Z | 2027-02-01T00:00:00Z",
            "59 23 31 12 *      | 2026-12-31T23:59:00Z | 2027-12-31T23:59:00Z",
    })
    void nextInUtc(String cron, String after, String expected) {
        assertEquals(at(expected), Cron.parse(cron).next(at(after), UTC));
    }

    @Test
    void bothDayFieldsRestrictedMatchEitherAsInVixieCron() {
        // the 13th, or any Friday: 2026-01-02 is a Friday, then the 9th, then the 13th
        assertEquals(List.of("2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z"),
                next("0 0 13 * 5", "2026-01-01T00:00:00Z", UTC, 3));
    }

    @Test
    void aListOfRangesAndStepsAndNames() {
        assertEquals(List.of("2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:10:00Z",
                        "2026-01-01T00:20:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:01:00Z"),
                next("1-2,10-30/10,45 * * JAN,FEB *", "2026-01-01T00:00:00Z", UTC, 7));
    }

    @Test
    void aZoneMovesTheTicksWithItsOffset() {
        assertEquals(at("2026-01-05T08:00:00Z"), Cron.parse("0 9 * * MON").next(at("2026-01-01T00:00:00Z"), PARIS));
        assertEquals(at("2026-07-06T07:00:00Z"), Cron.parse("0 9 * * MON").next(at("2026-07-01T00:00:00Z"), PARIS));
    }

    @Test
    void aLocalTimeTheClocksJumpOverRunsOnceAtTheShiftedInstant() {
        // Paris, 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist and runs at 03:30 CEST (01:30Z)
        assertEquals(List.of("2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"),
                next("30 2 * * *", "2026-03-27T12:00:00Z", PARIS, 3));
    }

    @Test
    void everyQuarterHourThroughTheJumpRunsEachInstantOnce() {
        // 01:45 CET, then the gap's 02:00-02:45 shift onto 03:00-03:45 CEST, which are real ticks too: once each
        List<String> ticks = next("*/15 * * * *", "2026-03-29T00:30:00Z", PARIS, 4);
        assertEquals(List.of("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z",
                "2026-03-29T01:30:00Z"), ticks);
    }

    @Test
    void aLocalTimeThatHappensTwiceRunsOnceAtItsFirstOccurrence() {
        // New York, 2026-11-01: 02:00 EDT goes back to 01:00 EST, so 01:30 happens twice
        assertEquals(List.of("2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"),
                next("30 1 * * *", "2026-10-30T12:00:00Z", NEW_YORK, 3));
    }

    @Test
    void hourlyThroughTheRepeatedHourRunsEachLocalTimeOnce() {
        // 00:30 EDT (04:30Z), 01:30 EDT (05:30Z), the repeated 01:30 EST (06:30Z) is skipped, 02:30 EST (07:30Z)
        assertEquals(List.of("2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T07:30:00Z"),
                next("30 * * * *", "2026-11-01T04:00:00Z", NEW_YORK, 3));
    }

    @Test
    void startingInsideTheRepeatedHourRunsItsSecondOccurrence() {
        // after 01:10 EST (06:10Z, the second pass), 01:30's first occurrence is past: its second runs
        assertEquals(at("2026-11-01T06:30:00Z"), Cron.parse("30 1 * * *").next(at("2026-11-01T06:10:00Z"), NEW_YORK));
    }

    @Test
    void ticksAlwaysIncrease() {
        for (ZoneId zone : List.of(PARIS, NEW_YORK, ZoneId.of("Australia/Lord_Howe"), UTC)) {
            Cron cron = Cron.parse("*/7 * * * *");
            Instant t = at("2026-01-01T00:00:00Z");
            for (int i = 0; i < 100_000; i++) {
                Instant next = cron.next(t, zone);
                assertTrue(next.isAfter(t), zone + " after " + t);
                t = next;
            }
        }
    }

    @Test
    void aDateThatNeverComesIsNull() {
        assertNull(Cron.parse("0 0 30 2 *").next(at("2026-01-01T00:00:00Z"), UTC));
        assertNull(Cron.parse("0 0 31 4 *").next(at("2026-01-01T00:00:00Z"), UTC));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "* * * *", "* * * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *",
            "* * * 13 *", "* * * 0 *", "* * * * 8", "a * * * *", "*/0 * * * *", "5-1 * * * *", "1,,2 * * * *",
            "* * * FOO *", "* * * * FUNDAY", "-1 * * * *", "1- * * * *", "@often", "*/61 * * * *", "99999 * * * *"})
    void badExpressionsAreRefusedSayingWhy(String cron) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.parse(cron));
        assertTrue(!e.getMessage().isBlank());
    }

    @Test
    void theMessageNamesTheField() {
        assertEquals("the hour field has 24, outside 0-23",
                assertThrows(IllegalArgumentException.class, () -> Cron.parse("0 24 * * *")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cron.parse("* * *")).getMessage()
                .startsWith("has 3 fields"));
    }
}
