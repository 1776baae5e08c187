package dev.baton.api;

import dev.baton.engine.BatchResult;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.TaskAttempt;
import dev.baton.engine.TaskView;
import java.time.Instant;
import java.util.List;

/**
 * The hot routes' answers written by hand, as the same bytes Jackson writes for the same records
 * ({@link TaskJson} with its absent values left out, {@code payload} and {@code result} raw,
 * instants in ISO-8601, strings escaped as Jackson escapes them): Jackson reads each record
 * component by reflection, which cost more than the engine's whole call. {@code HotRoutesTest}
 * compares the two.
 *
 * <p>An answer is the calling thread's one builder ({@link #builder}), valid until the thread's
 * next answer: read it at once, or keep a copy ({@link #utf8}).
 */
final class WireJson {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final int TASK_CHARS = 512;
    private static final int KEPT_CHARS = AnswerBytes.KEPT_CHARS;
    private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(4 * 1024));
    /** 10000-01-01T00:00:00Z: later instants are written with a sign and more digits ({@link Instant#toString}). */
    private static final long LAST_FOUR_DIGIT_YEAR_SECONDS = 253_402_300_800L;
    /** The last even and the last odd minute {@link #iso} wrote. */
    private static final Minute[] MINUTES = new Minute[2];

    private WireJson() {
    }

    /** {@code {"tasks": [task + lease_id, ...]}}, as {@link ClaimedTaskJson.Batch}. */
    static CharSequence claimed(List<ClaimedTask> tasks) {
        int chars = 0;
        for (ClaimedTask claimed : tasks) {
            chars += TASK_CHARS + length(claimed.task().payload()) + length(claimed.task().result());
        }
        StringBuilder out = builder(chars + 16).append("{\"tasks\":[");
        for (int i = 0; i < tasks.size(); i++) {
            ClaimedTask claimed = tasks.get(i);
            out.append(i == 0 ? "{" : ",{");
            fields(out, claimed.task());
            out.append(",\"lease_id\":");
            string(out, claimed.leaseId());
            out.append('}');
        }
        return (out.append("]}"));
    }

    /** As {@link TaskJson#of(TaskView)}. */
    static CharSequence task(TaskView task) {
        StringBuilder out = builder(chars(task)).append('{');
        fields(out, task);
        return (out.append('}'));
    }

    /** The task and {@code duplicate}, as {@link TaskResource.Outcome}. */
    static CharSequence outcome(TaskView task, boolean duplicate) {
        StringBuilder out = builder(chars(task) + 24).append('{');
        fields(out, task);
        return (out.append(",\"duplicate\":").append(duplicate).append('}'));
    }

    /** {@code {"tasks": [{ref, id, status, created}, ...]}}, as {@link TaskResource.BatchJson}. */
    static CharSequence batch(List<BatchResult.Member> members) {
        StringBuilder out = builder(80 * members.size() + 16).append("{\"tasks\":[");
        for (int i = 0; i < members.size(); i++) {
            BatchResult.Member member = members.get(i);
            out.append(i == 0 ? "{\"ref\":" : ",{\"ref\":");
            string(out, member.ref());
            field(out, false, "id", member.id());
            field(out, false, "status", member.status().name());
            out.append(",\"created\":").append(member.created()).append('}');
        }
        return (out.append("]}"));
    }

    /** {@code {"tasks": [answer, ...]}}, as {@link CompleteMany.Answers}, absent values left out. */
    static CharSequence completedMany(CompleteMany.Answers answers) {
        List<CompleteMany.Answer> all = answers.tasks();
        StringBuilder out = builder(96 * all.size() + 16).append("{\"tasks\":[");
        for (int i = 0; i < all.size(); i++) {
            CompleteMany.Answer answer = all.get(i);
            out.append(i == 0 ? "{" : ",{");
            boolean first = field(out, true, "task_id", answer.taskId());
            first = number(out, first, "code", answer.code());
            first = field(out, first, "status", answer.status());
            if (answer.duplicate() != null) {
                name(out, first, "duplicate").append(answer.duplicate().booleanValue());
            }
            first = field(out, first, "error", answer.error());
            field(out, first, "message", answer.message());
            out.append('}');
        }
        return (out.append("]}"));
    }

    /** As {@link LeaseResource.HeartbeatJson}. */
    static CharSequence heartbeat(LeaseResource.HeartbeatJson beat) {
        StringBuilder out = builder(96).append('{');
        boolean first = instant(out, true, "lease_expires_at", beat.leaseExpiresAt());
        out.append(first ? "" : ",").append("\"cancel_requested\":").append(beat.cancelRequested());
        field(out, false, "status", beat.status());
        return (out.append('}'));
    }

    /** As {@link ErrorBody}. */
    static CharSequence error(ErrorBody body) {
        StringBuilder out = builder(128).append("{\"error\":");
        string(out, body.error());
        out.append(",\"message\":");
        string(out, body.message());
        return (out.append('}'));
    }

    /**
     * A task's fields (without braces) as {@link TaskJson#of(TaskView)} has them, in its order, absent
     * ones left out: written from the view itself, without the record and an {@link Instant} per time.
     */
    private static void fields(StringBuilder out, TaskView t) {
        boolean first = field(out, true, "id", t.id());
        first = field(out, first, "type", t.type());
        first = field(out, first, "description", t.description());
        first = field(out, first, "priority", t.priority() == null ? null : t.priority().name());
        first = field(out, first, "level", t.level() == null ? null : t.level().name());
        first = field(out, first, "status", t.status() == null ? null : t.status().name());
        first = raw(out, first, "payload", t.payload() == null ? "{}" : t.payload());
        boolean dependencies = !t.dependsOn().isEmpty();
        first = list(out, first, "depends_on", dependencies ? t.dependsOn() : null);
        first = list(out, first, "waiting_on", t.waitingOn().isEmpty() ? null : t.waitingOn());
        first = field(out, first, "on_dependency_failure", !dependencies ? null : t.runOnDependencyFailure() ? "run" : "cancel");
        first = field(out, first, "assigned_agent", t.assignedAgent());
        first = number(out, first, "attempt", t.attempt());
        first = number(out, first, "max_retries", t.maxRetries());
        first = number(out, first, "failures", t.failures());
        first = number(out, first, "expiries", t.expiries());
        first = number(out, first, "progress", t.progress());
        first = field(out, first, "message", t.message());
        first = raw(out, first, "result", t.result());
        first = field(out, first, "error", t.error());
        first = instant(out, first, "run_at", t.runAt());
        first = instant(out, first, "created_at", t.createdAt());
        first = instant(out, first, "started_at", t.startedAt());
        first = instant(out, first, "completed_at", t.completedAt());
        first = t.queuePosition() == null ? first : number(out, first, "queue_position", t.queuePosition());
        first = instant(out, first, "lease_expires_at", t.leaseExpiresAt());
        if (t.cancelRequested()) {
            name(out, first, "cancel_requested").append(true);
            first = false;
        }
        first = field(out, first, "callback_url", t.callbackUrl());
        name(out, first, "attempts").append('[');
        for (int i = 0; i < t.attempts().size(); i++) {
            TaskAttempt a = t.attempts().get(i);
            out.append(i == 0 ? "{" : ",{");
            boolean none = number(out, true, "attempt", a.attempt());
            none = field(out, none, "agent", a.agent());
            none = instant(out, none, "started_at", a.startedAt());
            none = instant(out, none, "ended_at", a.endedAt());
            none = field(out, none, "outcome", a.outcome() == null ? null : a.outcome().wireName());
            field(out, none, "error", a.error());
            out.append('}');
        }
        first = list(out.append(']'), false, "dependents", t.dependents());
        first = field(out, first, "rate_key", t.rateKey());
        first = t.cost() == 1 ? first : number(out, first, "cost", t.cost());
        first = field(out, first, "concurrency_key", t.concurrencyKey());
        field(out, first, "waiting_on_limit", t.waitingOnLimit());
    }

    private static StringBuilder name(StringBuilder out, boolean first, String name) {
        return out.append(first ? "\"" : ",\"").append(name).append("\":");
    }

    private static boolean field(StringBuilder out, boolean first, String name, String value) {
        if (value == null) {
            return first;
        }
        string(name(out, first, name), value);
        return false;
    }

    private static boolean raw(StringBuilder out, boolean first, String name, String json) {
        if (json == null) {
            return first;
        }
        name(out, first, name).append(json);
        return false;
    }

    private static boolean number(StringBuilder out, boolean first, String name, int value) {
        name(out, first, name).append(value);
        return false;
    }

    private static boolean instant(StringBuilder out, boolean first, String name, Instant value) {
        if (value == null) {
            return first;
        }
        iso(name(out, first, name).append('"'), value).append('"');
        return false;
    }

    /** An epoch millisecond time as {@link Instant#ofEpochMilli} writes it; nothing for null. */
    private static boolean instant(StringBuilder out, boolean first, String name, Long millis) {
        if (millis == null) {
            return first;
        }
        isoMillis(name(out, first, name).append('"'), millis).append('"');
        return false;
    }

    /**
     * {@code 9999-12-31T23:59:59.999Z}: what {@link Instant#toString} writes, without its formatter
     * (which cost more than the rest of a task). The text up to the minute is kept for the last two
     * minutes seen (a slot each for even and odd minutes: a claim's lease ends in the minute after
     * its start as often as not), so most instants cost their seconds and milliseconds only.
     */
    static StringBuilder iso(StringBuilder out, Instant value) {
        long seconds = value.getEpochSecond();
        int nanos = value.getNano();
        if (seconds < 0 || seconds >= LAST_FOUR_DIGIT_YEAR_SECONDS || nanos % 1_000_000 != 0) {
            return out.append(value);
        }
        return isoMillis(out, seconds, nanos / 1_000_000);
    }

    /** {@link #iso} of {@link Instant#ofEpochMilli}{@code (millis)}, without making the instant. */
    static StringBuilder isoMillis(StringBuilder out, long millis) {
        long seconds = Math.floorDiv(millis, 1_000L);
        if (seconds < 0 || seconds >= LAST_FOUR_DIGIT_YEAR_SECONDS) {
            return out.append(Instant.ofEpochMilli(millis));
        }
        return isoMillis(out, seconds, (int) Math.floorMod(millis, 1_000L));
    }

    private static StringBuilder isoMillis(StringBuilder out, long seconds, int millis) {
        long minute = seconds / 60;
        int slot = (int) (minute & 1);
        Minute known = MINUTES[slot];
        if (known == null || known.minute != minute) {
            known = new Minute(minute);
            MINUTES[slot] = known; // immutable (final fields): a thread that sees it sees it whole
        }
        int second = (int) (seconds % 60);
        out.append(known.text).append(':').append((char) ('0' + second / 10)).append((char) ('0' + second % 10));
        if (millis != 0) {
            digits(out.append('.'), millis, 3);
        }
        return out.append('Z');
    }

    /** An epoch minute and its text, {@code yyyy-MM-ddTHH:mm}. */
    private static final class Minute {
        final long minute;
        final String text;

        Minute(long minute) {
            this.minute = minute;
            long seconds = minute * 60;
            // days to a civil date (proleptic Gregorian, eras of 400 years from 0000-03-01)
            long z = seconds / 86_400 + 719_468;
            long era = z / 146_097;
            long dayOfEra = z - era * 146_097;
            long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
            long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            long shifted = (5 * dayOfYear + 2) / 153;
            int day = (int) (dayOfYear - (153 * shifted + 2) / 5 + 1);
            int month = (int) (shifted < 10 ? shifted + 3 : shifted - 9);
            int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
            int secondOfDay = (int) (seconds % 86_400);
            StringBuilder out = new StringBuilder(16);
            digits(out, year, 4).append('-');
            digits(out, month, 2).append('-');
            digits(out, day, 2).append('T');
            digits(out, secondOfDay / 3_600, 2).append(':');
            digits(out, secondOfDay / 60 % 60, 2);
            this.text = out.toString();
        }
    }

    private static StringBuilder digits(StringBuilder out, int value, int width) {
        for (int unit = width == 4 ? 1_000 : width == 3 ? 100 : 10; unit > 0; unit /= 10) {
            out.append((char) ('0' + value / unit % 10));
        }
        return out;
    }

    private static boolean list(StringBuilder out, boolean first, String name, List<String> values) {
        if (values == null) {
            return first;
        }
        name(out, first, name).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, values.get(i));
        }
        out.append(']');
        return false;
    }

    /** A JSON string as Jackson writes it: {@code "} and {@code \} escaped, control characters as short or {@code \}{@code u00XX} escapes. */
    static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, start, i);
            escape(out, c);
            start = i + 1;
        }
        out.append(value, start, value.length()).append('"');
    }

    /** {@code c} ({@code "}, {@code \\} or a control character) escaped as Jackson escapes it. */
    static void escape(StringBuilder out, char c) {
        out.append('\\');
        switch (c) {
            case '"', '\\' -> out.append(c);
            case '\b' -> out.append('b');
            case '\t' -> out.append('t');
            case '\n' -> out.append('n');
            case '\f' -> out.append('f');
            case '\r' -> out.append('r');
            default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 15]);
        }
    }

    /** Room for a task's answer, its payload and result included, so that its builder never grows. */
    private static int chars(TaskView task) {
        return TASK_CHARS + length(task.payload()) + length(task.result());
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    /**
     * This thread's builder, emptied, with room for {@code chars}: an answer is read at once
     * ({@code HotRoutes} encodes it into the response's buffer), so one builder per thread serves
     * every answer and none is garbage. One that grew past {@link #KEPT_CHARS} for a large answer
     * is let go for the next smaller one.
     */
    private static StringBuilder builder(int chars) {
        StringBuilder out = BUILDER.get();
        if (out.capacity() > KEPT_CHARS && chars <= KEPT_CHARS) {
            out = new StringBuilder(4 * 1024);
            BUILDER.set(out);
        }
        out.setLength(0);
        out.ensureCapacity(chars);
        return out;
    }

    /** An answer's UTF-8 bytes, for those that keep it (a webhook's body). */
    static byte[] utf8(CharSequence answer) {
        return AnswerBytes.encode(answer);
    }
}
