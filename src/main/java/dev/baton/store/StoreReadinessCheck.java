package dev.baton.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness "store": DOWN while recovering, waiting for the writer lease, or while journal writes fail. */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {

    @Inject
    Store store;

    @Override
    public HealthCheckResponse call() {
        if (store.ready()) {
            return HealthCheckResponse.named("store").up().withData("journal_backlog", store.journalBacklog()).build();
        }
        String problem = store.problem();
        return HealthCheckResponse.named("store").down().withData("problem", problem == null ? "not ready" : problem).build();
    }
}
