package dev.baton.config;

import dev.baton.store.Store;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Starts the store's recovery with the app and stops it first on shutdown (before the Redis
 * client and the embedded Redis go away): the gate closes, the journal's backlog and a final
 * checkpoint are written.
 */
@Singleton
public class StoreLifecycle {

    @Inject
    Store store;

    void start(@Observes StartupEvent event) {
        store.start();
    }

    void stop(@Observes @Priority(1) ShutdownEvent event) {
        store.stop();
    }
}
