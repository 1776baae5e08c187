package dev.baton.api;

import io.vertx.core.http.HttpConnection;

/**
 * An absolute URI as Vert.x Web's {@code absoluteURI()} writes it when forwarded headers are not
 * taken: {@code http} or {@code https}, {@code ://}, the {@code Host} header's name, its port unless
 * it is the scheme's default (80, 443), then the path. Only for a plain {@code Host}
 * ({@link #plainHost}); {@link HotRoutes} keeps the last one per event loop, with the connection
 * and the {@code Host} it was written for.
 */
record LocationBase(HttpConnection connection, String host, String uri) {

    private static final int MAX_HOST_CHARS = 255;

    /** Letters, digits, dots and hyphens, then optionally {@code :} and one to five digits. */
    static boolean plainHost(String host) {
        if (host == null || host.isEmpty() || host.length() > MAX_HOST_CHARS) {
            return false;
        }
        int colon = host.indexOf(':');
        int nameEnd = colon < 0 ? host.length() : colon;
        if (nameEnd == 0) {
            return false;
        }
        for (int i = 0; i < nameEnd; i++) {
            char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                return false;
            }
        }
        if (colon < 0) {
            return true;
        }
        int digits = host.length() - colon - 1;
        if (digits < 1 || digits > 5) {
            return false;
        }
        for (int i = colon + 1; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The absolute URI of {@code path} on a plain {@code host} ({@link #plainHost}). */
    static String uri(boolean ssl, String host, String path) {
        String scheme = ssl ? "https" : "http";
        int colon = host.indexOf(':');
        if (colon < 0) {
            return scheme + "://" + host + path;
        }
        int port = Integer.parseInt(host, colon + 1, host.length(), 10);
        boolean defaultPort = ssl ? port == 443 : port == 80;
        return scheme + "://" + host.substring(0, colon) + (defaultPort ? "" : ":" + port) + path;
    }
}
