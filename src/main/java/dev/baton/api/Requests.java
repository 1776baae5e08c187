package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.Ids;
import dev.baton.engine.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small parsing helpers shared by the resources: a bad value is a 400 that names it. */
final class Requests {

    private Requests() {
    }

    static <T> T required(T body) {
        if (body == null) {
            throw new InvalidRequestException("body", "is required (a JSON object)");
        }
        return body;
    }

    static int intParam(String name, String value, int absent, int min, int max) {
        long parsed = longParam(name, value, absent, min, max);
        return (int) parsed;
    }

    static long longParam(String name, String value, long absent, long min, long max) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name, "must be a whole number, was '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new InvalidRequestException(name, "must be between " + min + " and " + max + ", was " + parsed);
        }
        return parsed;
    }

    /** An ISO-8601 instant from the query ({@code 2026-01-01T12:00:00Z}, as the API writes times) in epoch millis; null when absent. */
    static Long instantParam(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new InvalidRequestException(name, "must be an ISO-8601 instant such as 2026-01-01T12:00:00Z, was '" + value + "'");
        }
    }

    /** An id from the URL path ({@code /v1/tasks/{id}}, {@code /v1/agents/{id}}); an empty segment or a bad id is a 400. */
    static String pathId(String field, String value) {
        return Ids.requireValid(field, value == null ? "" : value);
    }

    /** The earliest and latest instants a client may give ({@code run_at}): inside them every time is a valid epoch millisecond. */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    static Long epochMillis(String field, Instant value) {
        if (value == null) {
            return null;
        }
        if (value.isBefore(EARLIEST) || value.isAfter(LATEST)) {
            throw new InvalidRequestException(field, "must be between " + EARLIEST + " and " + LATEST + ", was " + value);
        }
        return value.toEpochMilli();
    }

    /** A JSON object or result as given, refused when some string or key in it is not valid Unicode. */
    static JsonNode validUnicode(String field, JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            Ids.requireText(field, node.textValue(), Integer.MAX_VALUE);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                Ids.requireText(field, entry.getKey(), Integer.MAX_VALUE);
                validUnicode(field, entry.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                validUnicode(field, element);
            }
        }
        return node;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    /** A duration as a number and a unit ({@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}), in millis; null stays null. */
    static Long durationMillis(String field, String value) {
        if (value == null) {
            return null;
        }
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new InvalidRequestException(field, "is not a duration, was '" + value + "'; use e.g. 250ms, 10s, 5m, 2h, 1d");
        }
        long unit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    /** Millis as {@link #durationMillis} reads them, in the largest whole unit. */
    static String duration(long millis) {
        long[] units = {86_400_000, 3_600_000, 60_000, 1_000};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (millis != 0 && millis % units[i] == 0) {
                return millis / units[i] + names[i];
            }
        }
        return millis + "ms";
    }

    /** A path segment with everything but unreserved characters (and {@code :}) percent-encoded as UTF-8. */
    static String encodeSegment(String segment) {
        if (unreserved(segment)) {
            return segment; // a server-made id always: nothing to encode
        }
        StringBuilder out = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    private static boolean unreserved(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a query (null: none) is {@code name=value} pairs joined by {@code &}, each name and
     * value of letters, digits, {@code _ . -} and the name not empty: then {@link #queryParam} reads
     * it as Vert.x's {@code getParam} would, without decoding it into a map of every parameter.
     */
    static boolean plainQuery(String query) {
        if (query == null) {
            return true;
        }
        boolean inName = true;
        int partStart = 0;
        for (int i = 0; i <= query.length(); i++) {
            char c = i == query.length() ? '&' : query.charAt(i);
            if (c == '&') {
                if (inName || i == partStart) {
                    return false; // no '=' in it, or an empty part
                }
                inName = true;
                partStart = i + 1;
            } else if (c == '=') {
                if (!inName || i == partStart) {
                    return false; // a second '=', or an empty name
                }
                inName = false;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The first value of {@code name} in a {@link #plainQuery} (null: none), or null. */
    static String queryParam(String query, String name) {
        if (query == null) {
            return null;
        }
        int at = 0;
        while (at < query.length()) {
            int end = query.indexOf('&', at);
            if (end < 0) {
                end = query.length();
            }
            int equals = query.indexOf('=', at);
            if (equals - at == name.length() && query.startsWith(name, at)) {
                return query.substring(equals + 1, end);
            }
            at = end + 1;
        }
        return null;
    }
}
