package dev.baton.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackgroundLoopsTest {

    private final List<String> calls = new ArrayList<>();

    private BackgroundLoop loop(String name, boolean failStart, boolean failStop) {
        return new BackgroundLoop() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() {
                calls.add("start " + name);
                if (failStart) {
                    throw new IllegalStateException(name + " cannot start");
                }
            }

            @Override
            public void stop() {
                calls.add("stop " + name);
                if (failStop) {
                    throw new IllegalStateException(name + " cannot stop");
                }
            }
        };
    }

    @Test
    void loopsStartInTheListsOrderAndStopInReverseOnce() {
        BackgroundLoops loops = new BackgroundLoops(List.of(loop("store", false, false), loop("events", false, false),
                loop("ticker", false, false)));
        loops.start();
        loops.stop();
        loops.stop();
        assertEquals(List.of("start store", "start events", "start ticker", "stop ticker", "stop events", "stop store"),
                calls);
    }

    @Test
    void aLoopThatFailedToStartIsNotStoppedAndTheOnesBeforeItAre() {
        BackgroundLoops loops = new BackgroundLoops(List.of(loop("store", false, false), loop("events", true, false),
                loop("ticker", false, false)));
        assertThrows(IllegalStateException.class, loops::start);
        loops.stop();
        assertEquals(List.of("start store", "start events", "stop store"), calls);
    }

    @Test
    void aLoopThatFailsToStopDoesNotKeepTheOthersRunning() {
        BackgroundLoops loops = new BackgroundLoops(List.of(loop("store", false, false), loop("events", false, true),
                loop("ticker", false, false)));
        loops.start();
        loops.stop();
        assertEquals(List.of("start store", "start events", "start ticker", "stop ticker", "stop events", "stop store"),
                calls);
    }

    @Test
    void theProductionOrderIsRecoveryThenWebhooksThenFanOutThenTicker() {
        BackgroundLoops loops = new BackgroundLoops(new StoreLifecycle(), new WebhooksLifecycle(), new EventsLifecycle(),
                new EngineTicker());
        assertEquals(List.of("store (recovery, journal, checkpoints)", "webhooks", "event fan-out", "engine ticker"),
                loops.names());
    }
}
