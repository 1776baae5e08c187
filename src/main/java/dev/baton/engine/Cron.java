package dev.baton.engine;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression, in pure {@code java.time}: five fields (minute, hour, day of month, month,
 * day of week) or six with leading seconds; each {@code *}, a value, a range {@code a-b}, a step
 * {@code * /n}, {@code a-b/n} or {@code a/n}, or a comma-separated list of these; months and days by
 * name ({@code JAN}, {@code MON}); day of week 0-7 with 0 and 7 both Sunday; the macros
 * {@code @yearly}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @hourly}. As in Vixie
 * cron, when both day fields are restricted a day matches either.
 *
 * <p><b>Daylight saving.</b> {@link #next} walks local date-times in the schedule's zone. A local
 * time that does not exist (the clocks jumped over it) runs once, at the instant the jump shifts it
 * to ({@code 02:30} on a spring-forward night runs at {@code 03:30}); a local time that happens twice
 * (the clocks went back) runs once, at its first occurrence. Instants strictly increase, so a
 * shifted time that lands on a real tick runs once.
 */
public final class Cron {

    /** How far {@link #next} looks before it says "never" (e.g. {@code 0 0 30 2 *}). */
    static final int HORIZON_YEARS = 8;

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String expression;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek; // 0 = Sunday
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    private Cron(String expression, String[] f) {
        this.expression = expression;
        int at = f.length == 6 ? 1 : 0;
        this.seconds = f.length == 6 ? field(f[0], "seconds", 0, 59, null) : single(0);
        this.minutes = field(f[at], "minute", 0, 59, null);
        this.hours = field(f[at + 1], "hour", 0, 23, null);
        this.daysOfMonth = field(f[at + 2], "day of month", 1, 31, null);
        this.months = field(f[at + 3], "month", 1, 12, MONTHS);
        BitSet week = field(f[at + 4], "day of week", 0, 7, DAYS);
        if (week.get(7)) {
            week.set(0);
            week.clear(7);
        }
        this.daysOfWeek = week;
        this.anyDayOfMonth = f[at + 2].startsWith("*");
        this.anyDayOfWeek = f[at + 4].startsWith("*");
    }

    /** The expression, or an {@link IllegalArgumentException} saying what is wrong with it. */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String text = expression.trim();
        String macro = MACROS.get(text.toLowerCase(Locale.ROOT));
        String[] fields = (macro != null ? macro : text).split("\\s+");
        if (fields.length != 5 && fields.length != 6) {
            throw new IllegalArgumentException("has " + fields.length + " fields; a cron expression has 5 (minute hour "
                    + "day-of-month month day-of-week) or 6 (seconds first)");
        }
        return new Cron(text, fields);
    }

    /**
     * The first instant strictly after {@code after} that the expression names in {@code zone}, or
     * null when none comes within {@link #HORIZON_YEARS} years.
     */
    public Instant next(Instant after, ZoneId zone) {
        LocalDateTime from = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        int lastYear = from.getYear() + HORIZON_YEARS;
        while (true) {
            LocalDateTime local = nextLocal(from, lastYear);
            if (local == null) {
                return null;
            }
            Instant at = instant(local, zone, after);
            if (at != null) {
                return at;
            }
            from = local.plusSeconds(1);
        }
    }

    /**
     * The instant of a matching local time: its first occurrence, or its second when the first is
     * not after {@code after} (the walk started inside a repeated hour), or the shifted instant when
     * the local time does not exist; null when every occurrence is not after {@code after}.
     */
    private static Instant instant(LocalDateTime local, ZoneId zone, Instant after) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = zone.getRules().getTransition(local);
            Instant shifted = local.plus(gap.getDuration()).toInstant(gap.getOffsetAfter());
            return shifted.isAfter(after) ? shifted : null;
        }
        for (ZoneOffset offset : offsets) { // earlier offset first: the first occurrence
            Instant at = local.toInstant(offset);
            if (at.isAfter(after)) {
                return at;
            }
        }
        return null;
    }

    private LocalDateTime nextLocal(LocalDateTime from, int lastYear) {
        LocalDateTime t = from;
        while (t.getYear() <= lastYear) {
            if (!months.get(t.getMonthValue())) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
            } else if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (!seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return t;
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean byMonth = daysOfMonth.get(date.getDayOfMonth());
        boolean byWeek = daysOfWeek.get(date.getDayOfWeek().getValue() % 7);
        if (anyDayOfMonth || anyDayOfWeek) {
            return byMonth && byWeek;
        }
        return byMonth || byWeek;
    }

    private static BitSet single(int value) {
        BitSet bits = new BitSet();
        bits.set(value);
        return bits;
    }

    private static BitSet field(String text, String name, int min, int max, List<String> names) {
        BitSet bits = new BitSet();
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("the " + name + " field '" + text + "' has an empty list entry");
            }
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, 1, max - min + 1, null);
            }
            int low;
            int high;
            if (range.equals("*")) {
                low = min;
                high = name.equals("day of week") ? 6 : max;
            } else {
                int dash = range.indexOf('-');
                low = number(dash < 0 ? range : range.substring(0, dash), name, min, max, names);
                high = dash < 0 ? (slash >= 0 ? max : low) : number(range.substring(dash + 1), name, min, max, names);
                if (high < low) {
                    throw new IllegalArgumentException("the " + name + " range '" + range + "' goes backwards");
                }
            }
            for (int v = low; v <= high; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String text, String name, int min, int max, List<String> names) {
        if (names != null) {
            int index = names.indexOf(text.toUpperCase(Locale.ROOT));
            if (index >= 0) {
                return index + min;
            }
        }
        if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("the " + name + " field has '" + text + "', not a number"
                    + (names != null ? " or a name" : "") + " from " + min + " to " + max);
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException("the " + name + " field has " + value + ", outside " + min + "-" + max);
        }
        return value;
    }

    @Override
    public String toString() {
        return expression;
    }
}
