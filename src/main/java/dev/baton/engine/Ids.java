package dev.baton.engine;

import java.util.random.RandomGenerator;

/**
 * Server-made task ids: 26 characters of Crockford base32, 48 bits of milliseconds then 80 bits
 * that start random each millisecond and count up within it (the ULID layout), so ids sort by
 * creation time and never repeat inside one coordinator.
 */
final class Ids {

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
        } else if (++low == 0) {
            high++;
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
}
