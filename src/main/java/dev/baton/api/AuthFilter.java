package dev.baton.api;

import dev.baton.config.BatonConfig;
import dev.baton.engine.ConflictException;
import dev.baton.engine.LeaseHolderCheck;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bearer-token roles. With no token configured the API is open (and Baton listens on loopback by
 * default). Otherwise every call outside {@code /q/} needs a known token (401 without one), and a
 * known token of the wrong role is 403: producers submit, cancel and retry tasks; agents register
 * and run tasks; all may read; the viewer token may only read; the admin token may do everything,
 * and alone may change task types' settings, key limits and schedules and run bulk actions.
 *
 * <p>The shared {@code agent-token} trusts its holder with any agent id. A bound agent token
 * ({@code baton.auth.agent-tokens.<name>}) acts only as the agents whose id matches its glob: it may
 * register, update, remove and claim as those agents (checked here, from the path), and heartbeat,
 * complete or fail only leases those agents hold (checked by the engine through {@link #leaseHolder}).
 * Paths reach these checks canonical: {@link CanonicalPaths} refuses any other first.
 */
@Singleton
public class AuthFilter {

    enum Role { PRODUCER, AGENT, ADMIN, VIEWER, READER }

    private static final String PUBLIC_PREFIX = "/q/";
    private static final String AGENTS_PREFIX = "/v1/agents/";

    /** A proxy: filters are built at static init, before runtime configuration exists. */
    @Inject
    Instance<BatonConfig> config;

    private volatile Tokens tokens;

    /** A proxy too, for the same reason. */
    @Inject
    Instance<UiSessions> sessions;

    @ServerRequestFilter
    public Optional<RestResponse<ErrorBody>> authenticate(ContainerRequestContext request) {
        jakarta.ws.rs.core.Cookie cookie = request.getCookies().get(UiSessions.COOKIE);
        return check(request.getMethod(), request.getUriInfo().getPath(), request.getHeaderString(HttpHeaders.AUTHORIZATION),
                cookie == null ? null : cookie.getValue())
                .map(Refusal::response);
    }

    /**
     * The refusal of a call, if it is refused; for the JAX-RS filter and the event routes alike.
     * Without an Authorization header a dashboard session ({@code session}, the cookie's value)
     * stands for the token it was opened with.
     */
    Optional<Refusal> check(String method, String path, String header, String session) {
        Tokens tokens = tokens();
        if (tokens.open() || path.startsWith(PUBLIC_PREFIX) || path.equals(UiSessions.PATH)) {
            return Optional.empty();
        }
        String token = bearer(header);
        Caller caller;
        if (token == null) {
            caller = session == null ? null : sessions.get().find(session);
            if (caller == null) {
                return deny(401, session == null ? "this call needs an Authorization: Bearer <token> header"
                        : "the dashboard session has expired or is unknown; sign in again");
            }
        } else {
            caller = tokens.find(token);
        }
        if (caller == null) {
            return deny(401, "the bearer token is not a known token");
        }
        Role needed = needed(method, path);
        if (caller.role != Role.ADMIN && needed != Role.READER && needed != caller.role) {
            return deny(403, "a " + caller.role.name().toLowerCase() + " token may not call " + method + " " + path
                    + (caller.role == Role.VIEWER ? " (the viewer token only reads)" : " (needs the " + needed.name().toLowerCase() + " token)"));
        }
        if (needed == Role.AGENT && path.startsWith(AGENTS_PREFIX)) {
            String rest = path.substring(AGENTS_PREFIX.length());
            int slash = rest.indexOf('/');
            String agentId = slash < 0 ? rest : rest.substring(0, slash);
            if (!caller.mayActAs(agentId)) {
                return deny(403, caller.refusal(agentId));
            }
        }
        return Optional.empty();
    }

    /**
     * The check the engine makes on a lease's agent for a heartbeat, complete or fail: a bound agent
     * token must match it (403), and an {@code agent_id} the body names must be it (409
     * {@code lease_not_yours}).
     */
    LeaseHolderCheck leaseHolder(String header, String claimedAgent) {
        Tokens tokens = tokens();
        String token = bearer(header);
        Caller caller = tokens.open() || token == null ? null : tokens.find(token);
        if (caller == null && claimedAgent == null) {
            return LeaseHolderCheck.ANYONE;
        }
        return (taskId, agentId) -> {
            if (caller != null && !caller.mayActAs(agentId)) {
                throw new Forbidden(caller.refusal(agentId) + " (task '" + taskId + "' is leased to it)");
            }
            if (claimedAgent != null && !claimedAgent.equals(agentId)) {
                throw new ConflictException("lease_not_yours", "the lease of task '" + taskId
                        + "' is held by another agent, not by '" + claimedAgent + "'");
            }
        };
    }

    static Role needed(String method, String path) {
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            return Role.READER;
        }
        if (path.startsWith(AGENTS_PREFIX)) {
            return Role.AGENT;
        }
        if (path.startsWith("/v1/types/") || path.startsWith("/v1/limits/") || path.equals("/v1/tasks/bulk")
                || path.startsWith("/v1/schedules")) {
            return Role.ADMIN; // flow control: settings, limits, schedules and actions over many tasks
        }
        if (path.endsWith("/heartbeat") || path.endsWith("/complete") || path.endsWith("/fail")) {
            return Role.AGENT;
        }
        return Role.PRODUCER;
    }

    /** A lease used by an agent its token may not act as. */
    static final class Forbidden extends RuntimeException {
        Forbidden(String message) {
            super(message, null, false, false);
        }
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> forbidden(Forbidden e) {
        return ErrorMapper.refusal(e).response();
    }

    /** True when no token is configured: the API is open. */
    boolean open() {
        return tokens().open();
    }

    /** Who a token speaks for, or null for an unknown one. */
    Caller caller(String token) {
        return tokens().find(token);
    }

    private Tokens tokens() {
        Tokens current = this.tokens;
        if (current == null) {
            current = Tokens.of(config.get().auth());
            this.tokens = current;
        }
        return current;
    }

    private static String bearer(String header) {
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }

    private static Optional<Refusal> deny(int status, String message) {
        return Optional.of(new Refusal(status, new ErrorBody(status == 401 ? "unauthorized" : "forbidden", message)));
    }

    /** Who a token speaks for; {@code agents} limits the agent ids it acts as (null: any). */
    record Caller(Role role, String name, String glob, Pattern agents) {

        boolean mayActAs(String agentId) {
            return agents == null || agentId != null && agents.matcher(agentId).matches();
        }

        String refusal(String agentId) {
            return "the agent token '" + name + "' may act only as agents matching '" + glob + "', not as agent '" + agentId + "'";
        }
    }

    /** The configured tokens; compared in constant time. */
    private record Tokens(List<byte[]> secrets, List<Caller> callers) {

        static Tokens of(BatonConfig.Auth auth) {
            List<byte[]> secrets = new ArrayList<>();
            List<Caller> callers = new ArrayList<>();
            add(secrets, callers, auth.adminToken(), new Caller(Role.ADMIN, "admin-token", null, null));
            add(secrets, callers, auth.producerToken(), new Caller(Role.PRODUCER, "producer-token", null, null));
            add(secrets, callers, auth.agentToken(), new Caller(Role.AGENT, "agent-token", null, null));
            for (Map.Entry<String, BatonConfig.Auth.AgentToken> bound : auth.agentTokens().entrySet()) {
                String glob = bound.getValue().agents();
                add(secrets, callers, Optional.of(bound.getValue().token()),
                        new Caller(Role.AGENT, bound.getKey(), glob, glob(glob)));
            }
            add(secrets, callers, auth.viewerToken(), new Caller(Role.VIEWER, "viewer-token", null, null));
            return new Tokens(secrets, callers);
        }

        private static void add(List<byte[]> secrets, List<Caller> callers, Optional<String> token, Caller caller) {
            if (token.isPresent()) {
                secrets.add(token.get().getBytes(StandardCharsets.UTF_8));
                callers.add(caller);
            }
        }

        boolean open() {
            return secrets.isEmpty();
        }

        Caller find(String token) {
            byte[] given = token.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < secrets.size(); i++) {
                if (MessageDigest.isEqual(secrets.get(i), given)) {
                    return callers.get(i);
                }
            }
            return null;
        }
    }

    /** {@code *} any run of characters, {@code ?} one character, everything else itself. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
