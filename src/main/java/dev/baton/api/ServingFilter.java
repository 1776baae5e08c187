package dev.baton.api;

import dev.baton.store.Store;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Until recovery has rebuilt the engine from Redis (and again while shutting down), {@code /v1}
 * answers 503 with {@code Retry-After}: a call served from a half-recovered engine could
 * contradict what was acknowledged before the restart.
 */
@Singleton
public class ServingFilter {

    /** A proxy: filters are built at static init, before the store exists. */
    @Inject
    Instance<Store> store;

    private volatile Store resolved;

    @ServerRequestFilter(priority = 500)
    public Optional<RestResponse<ErrorBody>> gate(ContainerRequestContext request) {
        return check(request.getUriInfo().getPath()).map(Refusal::response);
    }

    /** 503 with {@code Retry-After} for {@code /v1} until Baton serves; for the JAX-RS filter and the event routes alike. */
    Optional<Refusal> check(String path) {
        Store current = this.resolved;
        if (current == null) {
            current = store.get();
            this.resolved = current;
        }
        if (current.serving() || !path.startsWith("/v1/")) {
            return Optional.empty();
        }
        String problem = current.problem();
        return Optional.of(new Refusal(503, new ErrorBody("not_ready", "Baton is not serving yet: "
                + (problem == null ? "starting or stopping" : problem)), "Retry-After", "1"));
    }
}
