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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
        Map<String, String> byType = new TreeMap<>();
        config.types().forEach((type, settings) -> settings.webhook().ifPresent(url -> byType.put(type, url)));
        refusal(policy, own.allowedHosts().orElse(List.of()), own.secret(), byType).ifPresent(reason -> {
            throw new UncheckedIOException(new RefusedStartException(reason));
        });
        return new Webhooks(new Webhooks.Settings(own.secret().orElse(""),
                own.backoff().stream().map(Duration::toMillis).toList(), own.maxAttempts(), own.maxAge().toMillis(),
                own.timeout().toMillis(), own.maxConcurrent()), byType, bodies, clock, registry);
    }

    /** Why these webhook settings cannot work (in one line, never showing the secret or a URL), if they cannot. */
    static Optional<String> refusal(CallbackPolicy policy, List<String> allowedHosts, Optional<String> secret,
            Map<String, String> typeWebhooks) {
        if (!allowedHosts.isEmpty() && secret.filter(value -> !value.isBlank()).isEmpty()) {
            return Optional.of("baton.webhooks.secret is not set: Baton signs every webhook with it; set it, "
                    + "or unset baton.webhooks.allowed-hosts to send none");
        }
        for (Map.Entry<String, String> webhook : typeWebhooks.entrySet()) {
            String problem = policy.problem(webhook.getValue());
            if (problem != null) {
                return Optional.of("baton.types.\"" + webhook.getKey() + "\".webhook " + problem);
            }
        }
        return Optional.empty();
    }
}
