package dev.baton.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An answer's text as UTF-8 bytes through this thread's scratch arrays: the characters copied out
 * in one block, narrowed to bytes in a plain loop (which the JIT turns into vector instructions),
 * and the bytes copied once into an array of their length. The answer used to become a string and
 * then an array, each a copy and each garbage; now only the array the socket writes from is made.
 * Text with a character past ASCII, which the hand-written answers seldom hold, is encoded the
 * general way.
 */
final class AnswerBytes {

    /**
     * The most a thread keeps between answers, in characters (here and in {@link WireJson}'s
     * builder): room for a claim of {@code baton.claim-max-tasks} (100) tasks with payloads of
     * about 1 KB. A larger answer gets arrays of its own.
     */
    static final int KEPT_CHARS = 256 * 1024;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(4 * 1024));

    private AnswerBytes() {
    }

    /** The text's UTF-8 bytes. */
    static byte[] encode(CharSequence text) {
        int length = text.length();
        Scratch scratch = SCRATCH.get();
        if (length > scratch.chars.length) {
            scratch = new Scratch(Math.max(length, Math.min(KEPT_CHARS, 2 * scratch.chars.length)));
            if (scratch.chars.length <= KEPT_CHARS) {
                SCRATCH.set(scratch);
            }
        }
        char[] chars = scratch.chars;
        byte[] bytes = scratch.bytes;
        if (text instanceof StringBuilder builder) {
            builder.getChars(0, length, chars, 0);
        } else {
            text.toString().getChars(0, length, chars, 0);
        }
        int ascii = 0;
        while (ascii < length && chars[ascii] < 0x80) {
            bytes[ascii] = (byte) chars[ascii];
            ascii++;
        }
        return ascii < length ? text.toString().getBytes(StandardCharsets.UTF_8) : Arrays.copyOf(bytes, length);
    }

    private static final class Scratch {
        final char[] chars;
        final byte[] bytes;

        Scratch(int size) {
            chars = new char[size];
            bytes = new byte[size];
        }
    }
}
