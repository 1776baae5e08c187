package dev.baton.api;

import dev.baton.store.Store;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Until recovery has rebuilt the engine from Redis (and again while shutting down), {@code /v1}
 * answers 503 with {@code Retry-After}: a call served from a half-recovered engine could
 * contradict what was acknowledged before the restart.
 */
public class ServingFilter {

    /** A proxy: filters are built at static init, before the store exists. */
    @Inject
    Instance<Store> store;

    @ServerRequestFilter(priority = 500)
    public Optional<RestResponse<ErrorBody>> gate(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/v1/") || store.get().serving()) {
            return Optional.empty();
        }
        String problem = store.get().problem();
        return Optional.of(ErrorBody.builder(503, "not_ready", "Baton is not serving yet: "
                + (problem == null ? "starting or stopping" : problem)).header("Retry-After", "1").build());
    }
}
