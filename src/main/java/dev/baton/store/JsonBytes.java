package dev.baton.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON written straight into UTF-8 bytes, for what goes to Redis as bytes (a journal entry): a
 * builder, a string of it and the string's bytes were three arrays for each entry; here the bytes
 * are written once into room that a writer may keep and reuse, and copied once, to their exact
 * length ({@link #toBytes}).
 *
 * <p>Strings are written as {@link StoreCodec}'s records always wrote them: {@code "} and
 * {@code \} escaped, control characters as short or {@code \}{@code u00XX} escapes, everything
 * else as it is, in UTF-8; a lone surrogate (no valid text holds one) as {@code ?}, which is what
 * Java's UTF-8 encoder made of it when the text went out as a string.
 */
final class JsonBytes {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;

    JsonBytes(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    int length() {
        return length;
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** Starts again, keeping the room. */
    void clear() {
        length = 0;
    }

    /** A copy of the bytes written, in an array of their exact length (this one may be written again). */
    byte[] toBytes() {
        return Arrays.copyOf(bytes, length);
    }

    /** The room this one holds (for a writer that keeps one to write again, and drops it when it grew large). */
    int capacity() {
        return bytes.length;
    }

    /** The bytes written, as text. */
    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** An ASCII character (JSON's punctuation). */
    JsonBytes ascii(char c) {
        room(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** ASCII text, as it is (names, enum constants, numbers' text). */
    JsonBytes ascii(String text) {
        ascii(text, 0, text.length());
        return this;
    }

    /** A number in decimal, without the string {@link Long#toString} would make. */
    JsonBytes number(long value) {
        if (value == Long.MIN_VALUE) {
            room(MIN_LONG.length);
            System.arraycopy(MIN_LONG, 0, bytes, length, MIN_LONG.length);
            length += MIN_LONG.length;
            return this;
        }
        boolean negative = value < 0;
        if (negative) {
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        room(digits + 1); // just what it needs: a record sized to fit must not grow for a number's worst case
        if (negative) {
            bytes[length++] = '-';
        }
        int at = length + digits;
        do {
            bytes[--at] = (byte) ('0' + (value % 10));
            value /= 10;
        } while (value > 0);
        length += digits;
        return this;
    }

    /** Text that is JSON already (a mapper's output): as it is, in UTF-8. */
    JsonBytes raw(String json) {
        int start = 0;
        int n = json.length();
        for (int i = 0; i < n; i++) {
            if (json.charAt(i) >= 0x80) {
                ascii(json, start, i);
                i = nonAscii(json, i, n);
                start = i + 1;
            }
        }
        ascii(json, start, n);
        return this;
    }

    /** A JSON string: quoted, escaped as the class says. One pass: runs of plain ASCII are copied whole. */
    JsonBytes string(String value) {
        ascii('"');
        int start = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                continue;
            }
            ascii(value, start, i);
            if (c >= 0x80) {
                i = nonAscii(value, i, n);
            } else {
                escape(c);
            }
            start = i + 1;
        }
        ascii(value, start, n);
        return ascii('"');
    }

    private void escape(char c) {
        room(6);
        bytes[length++] = '\\';
        switch (c) {
            case '"', '\\' -> bytes[length++] = (byte) c;
            case '\b' -> bytes[length++] = 'b';
            case '\t' -> bytes[length++] = 't';
            case '\n' -> bytes[length++] = 'n';
            case '\f' -> bytes[length++] = 'f';
            case '\r' -> bytes[length++] = 'r';
            default -> {
                bytes[length++] = 'u';
                bytes[length++] = '0';
                bytes[length++] = '0';
                bytes[length++] = HEX[c >> 4];
                bytes[length++] = HEX[c & 15];
            }
        }
    }

    /** {@code text[from, to)}, ASCII only, copied whole (a Latin-1 string's bytes are its characters). */
    @SuppressWarnings("deprecation") // the one copy of characters into bytes that makes no array of its own
    private void ascii(String text, int from, int to) {
        if (from < to) {
            room(to - from);
            text.getBytes(from, to, bytes, length);
            length += to - from;
        }
    }

    /**
     * The character at {@code i} (not ASCII) in UTF-8, with the next one when they are a surrogate
     * pair; returns the index of the last character written.
     */
    private int nonAscii(String text, int i, int n) {
        char c = text.charAt(i);
        room(4);
        if (c < 0x800) {
            bytes[length++] = (byte) (0xC0 | (c >> 6));
            bytes[length++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
            int code = Character.toCodePoint(c, text.charAt(++i));
            bytes[length++] = (byte) (0xF0 | (code >> 18));
            bytes[length++] = (byte) (0x80 | ((code >> 12) & 0x3F));
            bytes[length++] = (byte) (0x80 | ((code >> 6) & 0x3F));
            bytes[length++] = (byte) (0x80 | (code & 0x3F));
        } else if (Character.isSurrogate(c)) {
            bytes[length++] = '?';
        } else {
            bytes[length++] = (byte) (0xE0 | (c >> 12));
            bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            bytes[length++] = (byte) (0x80 | (c & 0x3F));
        }
        return i;
    }

    /** Room for {@code more} bytes: the array doubles (at least) when it must grow. */
    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
