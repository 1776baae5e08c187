package dev.baton.config;

import dev.baton.store.RefusedStartException;
import dev.baton.webhooks.CallbackPolicy;
import dev.baton.webhooks.Webhooks;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Webhooks from {@link BatonConfig.Webhooks}: the allow-list the API checks callbacks against,
 * and the deliverer the store's outbox feeds. A setting that cannot work stops the start: allowed
 * hosts without a secret, a type's webhook off the allow-list.
 */
@Singleton
public class WebhooksProducer {

    @Produces
    @Singleton
    CallbackPolicy callbackPolicy(BatonConfig config) {
        return new CallbackPolicy(config.webhooks().allowedHosts().orElse(List.of()));
    }

    @Produces
    @Singleton
    Webhooks webhooks(BatonConfig config, CallbackPolicy policy, Webhooks.Bodies bodies, Clock clock, MeterRegistry registry) {
        BatonConfig.Webhooks own = config.webhooks();
        boolean anyHost = !own.allowedHosts().orElse(List.of()).isEmpty();
        if (anyHost && own.secret().filter(secret -> !secret.isBlank()).isEmpty()) {
            refuse("baton.webhooks.secret is not set: Baton signs every webhook with it; set it, "
                    + "or unset baton.webhooks.allowed-hosts to send none");
        }
        Map<String, String> byType = new HashMap<>();
        config.types().forEach((type, settings) -> settings.webhook().ifPresent(url -> {
            String problem = policy.problem(url);
            if (problem != null) {
                refuse("baton.types.\"" + type + "\".webhook " + problem);
            }
            byType.put(type, url);
        }));
        return new Webhooks(new Webhooks.Settings(own.secret().orElse(""),
                own.backoff().stream().map(Duration::toMillis).toList(), own.maxAttempts(), own.maxAge().toMillis(),
                own.timeout().toMillis(), own.maxConcurrent()), byType, bodies, clock, registry);
    }

    private static void refuse(String reason) {
        throw new UncheckedIOException(new RefusedStartException(reason));
    }
}
