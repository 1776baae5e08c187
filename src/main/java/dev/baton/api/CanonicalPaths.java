package dev.baton.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Refuses, with 400 {@code invalid_path}, every request whose path is not canonical, before any
 * route and any check sees it: Vert.x matches routes on a normalised path while the checks read the
 * path as sent, so {@code //v1/events} once reached the event stream unauthenticated. Refused: a path
 * not starting with {@code /}, an empty segment ({@code //}), a malformed percent escape, and, as
 * sent or percent-encoded, a segment of dots ({@code .}, {@code ..}), a slash inside a segment
 * ({@code %2F}), a backslash, a {@code ;} and a control character. Guessing what such a path means
 * is how the two readings drift apart; a client that sends one has a bug to fix.
 */
@ApplicationScoped
public class CanonicalPaths {

    private static final int SHOWN_CHARS = 200;

    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String path = ctx.request().path();
        String problem = problem(path);
        if (problem == null) {
            ctx.next();
            return;
        }
        String shown = path == null ? "" : path.length() > SHOWN_CHARS ? path.substring(0, SHOWN_CHARS) + "..." : path;
        ErrorBody body = new ErrorBody("invalid_path", "the path '" + shown + "' is not canonical: " + problem);
        try {
            ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What is wrong with a raw (undecoded) request path, or null when it is canonical. */
    static String problem(String path) {
        return path != null && plain(path) ? null : closer(path);
    }

    /** {@link #problem}, looking at each segment. */
    static String closer(String path) {
        if (path == null || !path.startsWith("/")) {
            return "it must start with '/'";
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int s = 0; s < segments.length; s++) {
            String segment = decoded(segments[s]);
            if (segment == null) {
                return "it has a malformed percent escape";
            }
            if (segment.isEmpty() && s < segments.length - 1) {
                return "it has an empty segment ('//')";
            }
            if (!segment.isEmpty() && segment.chars().allMatch(c -> c == '.')) {
                return "it has a segment of dots ('" + segments[s] + "')";
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c == '/' || c == '\\' || c == ';' || c < ' ' || c == 0x7f) {
                    return "it has " + (c < ' ' || c == 0x7f ? "a control character" : "a '" + c + "'")
                            + (segments[s].indexOf('%') >= 0 ? " (percent-encoded)" : "") + " in a segment";
                }
            }
        }
        return null;
    }

    /**
     * A path of letters, digits and {@code - _ . ~ :} between single slashes, no segment only dots
     * (the last may be empty): canonical at a glance, without splitting it (every call's path).
     */
    static boolean plain(String path) {
        int length = path.length();
        if (length == 0 || path.charAt(0) != '/') {
            return false;
        }
        int segmentStart = 1;
        boolean onlyDots = true;
        for (int i = 1; i <= length; i++) {
            char c = i < length ? path.charAt(i) : '/';
            if (c == '/') {
                if (i == segmentStart ? i < length : onlyDots) {
                    return false;
                }
                segmentStart = i + 1;
                onlyDots = true;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '~' || c == ':') {
                onlyDots = false;
            } else if (c != '.') {
                return false;
            }
        }
        return true;
    }

    /** The segment with its percent escapes decoded (each byte as one char), or null if one is malformed. */
    private static String decoded(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder out = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int value = i + 2 < segment.length() ? hex(segment.charAt(i + 1), segment.charAt(i + 2)) : -1;
            if (value < 0) {
                return null;
            }
            out.append((char) value);
            i += 2;
        }
        return out.toString();
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
