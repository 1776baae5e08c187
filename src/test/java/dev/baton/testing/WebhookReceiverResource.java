package dev.baton.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A {@link WebhookReceiver} for a {@code @QuarkusTest}, with short webhook retries (backoff 300 ms
 * then 600 ms, 3 attempts) and the task type {@value #HOOKED_TYPE} given a webhook at {@code /type}
 * on the receiver. The allowed hosts and the secret are the test profile's (application.properties).
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final String HOOKED_TYPE = "hooked";
    public static final long FIRST_BACKOFF_MILLIS = 300;

    private static volatile WebhookReceiver receiver;

    @Override
    public Map<String, String> start() {
        receiver = WebhookReceiver.start();
        return Map.of(
                "baton.webhooks.backoff", FIRST_BACKOFF_MILLIS + "ms,600ms",
                "baton.webhooks.max-attempts", "3",
                "baton.webhooks.timeout", "5s",
                "baton.types.\"" + HOOKED_TYPE + "\".webhook", receiver.url("/type"));
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.close();
            receiver = null;
        }
    }

    public static WebhookReceiver receiver() {
        WebhookReceiver current = receiver;
        if (current == null) {
            throw new IllegalStateException("WebhookReceiverResource is not started for this test");
        }
        return current;
    }
}
