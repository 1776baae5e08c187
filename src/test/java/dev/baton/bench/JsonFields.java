package dev.baton.bench;

/**
 * Reads single fields out of Baton's JSON answers without parsing them whole: the generator
 * needs only a task's {@code id}, its {@code lease_id} and the send stamp in its payload, and
 * a full parse per call would be CPU taken from the Baton it measures.
 */
final class JsonFields {

    private JsonFields() {
    }

    /**
     * The string value of the first {@code "name":} in {@code json} at or after {@code from}, or
     * null. Matches whole names only ({@code "id"} does not match {@code "lease_id"}).
     */
    static String string(String json, String name, int from) {
        int at = valueStart(json, name, from);
        if (at < 0 || at >= json.length() || json.charAt(at) != '"') {
            return null;
        }
        int end = json.indexOf('"', at + 1);
        return end < 0 ? null : json.substring(at + 1, end);
    }

    /**
     * The number after {@code name}, whether the payload comes back as an object
     * ({@code "sent_ns":12}) or as a JSON string holding one ({@code \"sent_ns\":12}); or -1.
     */
    static long number(String json, String name, int from) {
        int at = json.indexOf(name, from);
        if (at < 0) {
            return -1;
        }
        int i = at + name.length();
        while (i < json.length() && "\\\": ".indexOf(json.charAt(i)) >= 0) {
            i++;
        }
        long value = 0;
        int start = i;
        for (; i < json.length() && Character.isDigit(json.charAt(i)); i++) {
            value = value * 10 + (json.charAt(i) - '0');
        }
        return i == start ? -1 : value;
    }

    /** Index of the first {@code "name"} key at or after {@code from}, or -1. */
    static int key(String json, String name, int from) {
        return json.indexOf('"' + name + '"', from);
    }

    private static int valueStart(String json, String name, int from) {
        int at = key(json, name, from);
        if (at < 0) {
            return -1;
        }
        int i = at + name.length() + 2;
        while (i < json.length() && (json.charAt(i) == ' ' || json.charAt(i) == ':')) {
            i++;
        }
        return i;
    }
}
