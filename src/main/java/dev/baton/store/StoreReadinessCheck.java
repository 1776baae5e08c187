package dev.baton.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Readiness "store": DOWN while recovering, waiting for the writer lease, or while journal writes fail. */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {

    @Inject
    Store store;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder answer = HealthCheckResponse.named("store").status(store.ready());
        store.stats().forEach(answer::withData);
        if (!store.ready()) {
            String problem = store.problem();
            answer.withData("problem", problem == null ? "not ready" : problem);
        }
        return answer.build();
    }
}
