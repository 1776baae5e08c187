package dev.baton.config;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.jboss.logging.Logger;

import dev.baton.store.RefusedStartException;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Secure by default: Baton listening beyond loopback ({@code quarkus.http.host}) with no token set
 * would hand its API to anyone on the network, so such a start is refused with one line, before
 * the store starts and before anything is served (an embedded Redis already launched is stopped with
 * the failed start). {@code baton.auth.allow-open=true} runs it open deliberately: then a warning
 * at start, and the liveness check "auth" says {@code auth: open} on /q/health for as long as it runs.
 */
@Liveness
@Singleton
public class OpenAccess implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(OpenAccess.class);

    @Inject
    BatonConfig config;

    @ConfigProperty(name = "quarkus.http.host")
    String host;

    /** Before {@link StoreLifecycle} (default priority) starts the store. */
    void check(@Observes @Priority(10) StartupEvent event) {
        refusal(host, hasTokens(config.auth()), config.auth().allowOpen()).ifPresent(reason -> {
            throw new UncheckedIOException(new RefusedStartException(reason));
        });
        if (!hasTokens(config.auth()) && !isLoopback(host)) {
            LOG.warnf("Baton listens on %s with no token (baton.auth.allow-open=true): anyone who reaches it may "
                    + "submit, claim and cancel tasks", host);
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("auth").up()
                .withData("auth", hasTokens(config.auth()) ? "tokens" : "open")
                .withData("host", host)
                .build();
    }

    /** The one-line refusal of listening on {@code host}, or empty when that start may go on. */
    static Optional<String> refusal(String host, boolean tokens, boolean allowOpen) {
        if (tokens || allowOpen || isLoopback(host)) {
            return Optional.empty();
        }
        return Optional.of("quarkus.http.host=" + host + " listens beyond loopback with no token set, so anyone who "
                + "reaches it could submit, claim and cancel tasks: set baton.auth.admin-token (or producer, agent "
                + "and viewer tokens), listen on 127.0.0.1, or set baton.auth.allow-open=true to run open deliberately");
    }

    /** True for a loopback address or a name that resolves only to loopback addresses. */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false; // cannot be shown to be loopback: treated as reachable
        }
    }

    static boolean hasTokens(BatonConfig.Auth auth) {
        return auth.adminToken().isPresent() || auth.producerToken().isPresent() || auth.agentToken().isPresent()
                || auth.viewerToken().isPresent() || !auth.agentTokens().isEmpty();
    }
}
