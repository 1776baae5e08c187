package dev.baton.api;

import dev.baton.config.BatonConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's sessions: a random id (the HttpOnly cookie's value) standing for the token a
 * person signed in with, until {@code baton.ui.session-expiry}. Held in memory: a restart signs
 * everyone out. Expired sessions are dropped when met and whenever one is opened.
 */
@Singleton
public class UiSessions {

    static final String COOKIE = "baton_session";
    static final String PATH = "/ui/session";
    private static final int ID_BYTES = 32;

    private record Session(AuthFilter.Caller caller, long expiresAt) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    @Inject
    Clock clock;

    @Inject
    BatonConfig config;

    /** A new session for {@code caller}; its id. */
    String open(AuthFilter.Caller caller) {
        long now = clock.millis();
        sessions.values().removeIf(s -> s.expiresAt() <= now);
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(id, new Session(caller, now + expiryMillis()));
        return id;
    }

    long expiryMillis() {
        return config.ui().sessionExpiry().toMillis();
    }

    /** Who a live session speaks for, or null (unknown or expired). */
    AuthFilter.Caller find(String id) {
        Session session = sessions.get(id);
        if (session == null) {
            return null;
        }
        if (session.expiresAt() <= clock.millis()) {
            sessions.remove(id);
            return null;
        }
        return session.caller();
    }

    void close(String id) {
        sessions.remove(id);
    }
}
