package dev.baton.engine;

import java.util.random.RandomGenerator;

/**
 * Server-made task ids: 26 characters of Crockford base32, 48 bits of milliseconds then 80 bits
 * that start random each millisecond and grow within it (the ULID layout), so ids sort by
 * creation time and never repeat inside one coordinator. Within a millisecond they step up by a
 * random amount rather than by one, so that their {@link String#hashCode}s spread.
 *
 * <p>Also the rules for every name a client gives: task ids, agent ids, batch refs and task types
 * are 1 to {@link #MAX_ID_LENGTH} characters of {@code A-Z a-z 0-9 . _ : -} and neither {@code .}
 * nor {@code ..} (they travel in URL paths, Redis keys and channel names as they are); free text
 * is valid Unicode (no lone UTF-16 surrogates) of bounded length.
 */
public final class Ids {

    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_DESCRIPTION_CHARS = 10_000;
    /** A heartbeat's {@code message}. */
    public static final int MAX_MESSAGE_CHARS = 1_000;
    /** A failure's {@code error}. */
    public static final int MAX_ERROR_CHARS = 10_000;
    public static final int MAX_CAPABILITIES = 100;
    public static final int MAX_LABELS = 64;
    public static final int MAX_LABEL_KEY_CHARS = 128;
    public static final int MAX_LABEL_VALUE_CHARS = 1_024;
    public static final String ID_RULE = "1 to " + MAX_ID_LENGTH + " characters of A-Z a-z 0-9 . _ : - (not . or ..)";

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final RandomGenerator random;
    private long lastMillis = -1;
    private long high; // 16 bits used
    private long low;

    Ids(RandomGenerator random) {
        this.random = random;
    }

    String next(long nowMillis) {
        if (nowMillis > lastMillis) {
            lastMillis = nowMillis;
            high = random.nextLong() & 0x7FFFL; // leave headroom so counting up cannot overflow
            low = random.nextLong();
        } else {
            // A random step, not 1: ids one apart differ in their last digits only, and Java's String
            // hash maps pairs of them onto one value (31 times a digit plus the next, over an
            // alphabet that spans 42 code points), so the ids of one batch shared hash codes (10,000
            // made in one millisecond had 6,248) and the maps keyed by id chained them. Still
            // increasing, so ids sort as they were made; 2^32 ids in one millisecond before it carries.
            long before = low;
            low += 1 + (random.nextLong() >>> 32);
            if (Long.compareUnsigned(low, before) < 0) {
                high++;
            }
        }
        char[] out = new char[26];
        long time = lastMillis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits: 16 from high, 64 from low, as 16 base32 digits
        long lo = low;
        long hi = high;
        for (int i = 25; i >= 10; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | ((hi & 31) << 59);
            hi >>>= 5;
        }
        return new String(out);
    }

    String lease() {
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    /**
     * {@code value} when it is a valid id (task, agent, batch ref or task type); otherwise a 400 naming
     * {@code field}. Null is refused too: callers that allow an absent id check for null first.
     */
    public static String requireValid(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException(field, "is required: " + ID_RULE);
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidRequestException(field, "is " + value.length() + " characters long; an id is " + ID_RULE);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isIdChar(c)) {
                throw new InvalidRequestException(field, "has " + describe(c) + " at position " + i + "; an id is " + ID_RULE);
            }
        }
        if (value.equals(".") || value.equals("..")) {
            throw new InvalidRequestException(field, "must not be '" + value + "'; an id is " + ID_RULE);
        }
        return value;
    }

    /**
     * {@code value} when it is a valid key ({@code rate_key}, {@code concurrency_key}, a limit's key
     * pattern): 1 to {@link #MAX_ID_LENGTH} characters of valid Unicode without control characters;
     * otherwise a 400 naming {@code field}. Null is refused too.
     */
    public static String requireKey(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException(field, "is required: 1 to " + MAX_ID_LENGTH + " characters without control characters");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidRequestException(field, "is " + value.length() + " characters long, more than the limit of "
                    + MAX_ID_LENGTH);
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidRequestException(field, "has the control character " + describe(value.charAt(i))
                        + " at position " + i);
            }
        }
        requireText(field, value, MAX_ID_LENGTH);
        return value;
    }

    /** {@code value} (null allowed) when it is valid Unicode of at most {@code maxChars} characters; otherwise a 400. */
    public static String requireText(String field, String value, int maxChars) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxChars) {
            throw new InvalidRequestException(field, "is " + value.length() + " characters long, more than the limit of " + maxChars);
        }
        int bad = loneSurrogate(value);
        if (bad >= 0) {
            throw new InvalidRequestException(field, "is not valid Unicode: a lone UTF-16 surrogate at position " + bad);
        }
        return value;
    }

    /** The index of the first lone UTF-16 surrogate in {@code value}, or -1 when it is valid Unicode. */
    public static int loneSurrogate(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isIdChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == ':' || c == '-';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
