package dev.baton.api;

import dev.baton.engine.InvalidRequestException;

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
}
