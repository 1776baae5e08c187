package dev.baton.config;

import dev.baton.engine.Coordinator;
import dev.baton.store.Store;
import java.time.Clock;
import org.jboss.logging.Logger;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The store's loops: recovery, then the journal writer and the checkpointer; stopped last of
 * {@link BackgroundLoops} on shutdown (still before the Redis client and the embedded Redis go away): the gate closes, the journal's backlog and a final
 * checkpoint are written.
 */
@Singleton
public class StoreLifecycle implements BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(StoreLifecycle.class);
    private static final int EXIT_CODE_SIGTERM = 143;

    @Inject
    Store store;

    @Inject
    Coordinator coordinator;

    @Inject
    Clock clock;

    @Override
    public String name() {
        return "store (recovery, journal, checkpoints)";
    }

    @Override
    public void start() {
        store.start();
    }

    /**
     * Graceful shutdown: a second SIGTERM exits at once; parked long-polls are answered empty;
     * the store closes the API's gate, writes the journal's backlog and a final checkpoint.
     * Quarkus meanwhile lets in-flight calls finish ({@code quarkus.shutdown.timeout}).
     */
    @Override
    public void stop() {
        haltOnSecondSigterm();
        coordinator.endAllWaits(clock.millis());
        store.stop();
    }

    private static void haltOnSecondSigterm() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                LOG.warn("second SIGTERM: exiting without waiting for the shutdown to finish");
                Runtime.getRuntime().halt(EXIT_CODE_SIGTERM);
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // a runtime without signal handling (some native images): shutdown still ends by
            // quarkus.shutdown.timeout and the store's bounded waits, only a second SIGTERM is ignored
            LOG.infof("a second SIGTERM cannot cut the shutdown short here (%s); it ends within the shutdown timeout",
                    e.toString());
        }
    }
}
