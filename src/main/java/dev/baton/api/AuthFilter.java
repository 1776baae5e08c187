package dev.baton.api;

import dev.baton.config.BatonConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bearer-token roles for {@code /v1}. With no token configured the API is open (and Baton
 * listens on loopback by default). Otherwise a call without a known token is 401, and a known
 * token of the wrong role is 403: producers submit, cancel and retry tasks; agents register and
 * run tasks; both may read; the admin token may do everything.
 */
@Singleton
public class AuthFilter {

    enum Role { PRODUCER, AGENT, ADMIN, READER }

    /** A proxy: filters are built at static init, before runtime configuration exists. */
    @Inject
    Instance<BatonConfig> config;

    private volatile BatonConfig.Auth auth;

    @ServerRequestFilter
    public Optional<RestResponse<ErrorBody>> authenticate(ContainerRequestContext request) {
        return check(request.getMethod(), request.getUriInfo().getPath(), request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .map(Refusal::response);
    }

    /** The refusal of a call, if it is refused; for the JAX-RS filter and the event routes alike. */
    Optional<Refusal> check(String method, String path, String header) {
        BatonConfig.Auth auth = this.auth;
        if (auth == null) {
            auth = config.get().auth();
            this.auth = auth;
        }
        if (auth.producerToken().isEmpty() && auth.agentToken().isEmpty() && auth.adminToken().isEmpty()) {
            return Optional.empty();
        }
        if (!path.startsWith("/v1/")) {
            return Optional.empty();
        }
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (token == null) {
            return deny(401, "unauthorized", "this call needs an Authorization: Bearer <token> header");
        }
        Role caller = matches(auth.adminToken(), token) ? Role.ADMIN
                : matches(auth.producerToken(), token) ? Role.PRODUCER
                : matches(auth.agentToken(), token) ? Role.AGENT : null;
        if (caller == null) {
            return deny(401, "unauthorized", "the bearer token is not a known token");
        }
        Role needed = needed(method, path);
        if (caller == Role.ADMIN || needed == Role.READER || needed == caller) {
            return Optional.empty();
        }
        return deny(403, "forbidden", "a " + caller.name().toLowerCase() + " token may not call "
                + method + " " + path + " (needs the " + needed.name().toLowerCase() + " token)");
    }

    static Role needed(String method, String path) {
        if (HttpMethod.GET.equals(method)) {
            return Role.READER;
        }
        if (path.startsWith("/v1/agents/")) {
            return Role.AGENT;
        }
        if (path.endsWith("/heartbeat") || path.endsWith("/complete") || path.endsWith("/fail")) {
            return Role.AGENT;
        }
        return Role.PRODUCER;
    }

    private static boolean matches(Optional<String> configured, String token) {
        return configured.isPresent() && MessageDigest.isEqual(
                configured.get().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Refusal> deny(int status, String code, String message) {
        return Optional.of(new Refusal(status, new ErrorBody(code, message)));
    }
}
