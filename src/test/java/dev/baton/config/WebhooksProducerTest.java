package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.webhooks.CallbackPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Webhook settings that cannot work stop the start, in one line that shows neither the secret nor a URL. */
class WebhooksProducerTest {

    private static final List<String> HOSTS = List.of("hooks.example.com");
    private static final CallbackPolicy POLICY = new CallbackPolicy(HOSTS);

    @Test
    void allowedHostsNeedASecret() {
        assertEquals(Optional.of("baton.webhooks.secret is not set: Baton signs every webhook with it; set it, "
                + "or unset baton.webhooks.allowed-hosts to send none"),
                WebhooksProducer.refusal(POLICY, HOSTS, Optional.of(" "), Map.of()));
        assertEquals(Optional.empty(), WebhooksProducer.refusal(new CallbackPolicy(List.of()), List.of(), Optional.empty(), Map.of()),
                "no hosts, no webhooks: no secret needed");
    }

    @Test
    void aTypeWebhookMustBeOnTheAllowList() {
        assertEquals(Optional.of("baton.types.\"report\".webhook host other.example.com is not in baton.webhooks.allowed-hosts"),
                WebhooksProducer.refusal(POLICY, HOSTS, Optional.of("k"), Map.of("report", "https://other.example.com/x?token=t")));
        assertEquals(Optional.empty(),
                WebhooksProducer.refusal(POLICY, HOSTS, Optional.of("k"), Map.of("report", "https://hooks.example.com/x")));
    }
}
