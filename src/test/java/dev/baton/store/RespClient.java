package dev.baton.store;

import java.io.IOException;

/**
 * The store's minimal RESP client, opened to tests outside this package that look at what Baton
 * wrote into Redis (keys of docs/redis.md). Replies: String, Long, List, or null.
 */
public final class RespClient {

    private static final int TIMEOUT_MILLIS = 2_000;

    private RespClient() {
    }

    public static Object call(int port, String... command) throws IOException {
        return Resp.call(port, TIMEOUT_MILLIS, command);
    }
}
