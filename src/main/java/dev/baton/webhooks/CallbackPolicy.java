package dev.baton.webhooks;

import dev.baton.engine.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which URLs Baton may call back: {@code http} or {@code https}, absolute, without credentials, on
 * a host of {@code baton.webhooks.allowed-hosts} (an exact name, or {@code *.domain} for any name
 * under that domain, not the domain itself). An empty list allows none. A task's
 * {@code callback_url} outside it is a 400 at submit; a type's configured webhook outside it stops
 * the start.
 */
public final class CallbackPolicy {

    public static final int MAX_URL_CHARS = 2048;

    private final List<String> allowedHosts;

    public CallbackPolicy(List<String> allowedHosts) {
        this.allowedHosts = allowedHosts.stream().map(host -> host.trim().toLowerCase(Locale.ROOT))
                .filter(host -> !host.isEmpty()).toList();
    }

    /** Refuses {@code url} with a 400 naming {@code field} unless Baton may call it; null passes (no callback). */
    public void check(String field, String url) {
        String problem = problem(url);
        if (problem != null) {
            throw new InvalidRequestException(field, problem);
        }
    }

    /** Why Baton may not call {@code url}, or null when it may (or when it is null). */
    public String problem(String url) {
        if (url == null) {
            return null;
        }
        if (url.isEmpty() || url.length() > MAX_URL_CHARS) {
            return "must be an http(s) URL of 1 to " + MAX_URL_CHARS + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an absolute http or https URL";
        }
        if (uri.getHost() == null) {
            return "must name a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry credentials";
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!allowed(host)) {
            return allowedHosts.isEmpty()
                    ? "no callback host is allowed (baton.webhooks.allowed-hosts is empty)"
                    : "host " + host + " is not in baton.webhooks.allowed-hosts";
        }
        return null;
    }

    private boolean allowed(String host) {
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
                return true;
            }
        }
        return false;
    }
}
