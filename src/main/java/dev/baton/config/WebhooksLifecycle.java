package dev.baton.config;

import dev.baton.webhooks.Webhooks;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** The webhook deliverer: sends once the store has recovered, stops before the store does. */
@Singleton
public class WebhooksLifecycle implements BackgroundLoop {

    @Inject
    Webhooks webhooks;

    @Override
    public String name() {
        return "webhooks";
    }

    @Override
    public void start() {
        webhooks.start();
    }

    @Override
    public void stop() {
        webhooks.stop();
    }
}
