package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.baton.store.DataDirInUseException;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;

/** The problems below are SmallRye Config's own wording, as a bad -D setting produces it. */
class StartupRefusalTest {

    private static String converted(String property, String value, String converterMessage) {
        return "java.lang.IllegalArgumentException: SRCFG00039: The config property " + property
                + " with the config value \"" + value + "\" threw an Exception whilst being converted " + converterMessage;
    }

    @Test
    void aDurationNamesThePropertyTheValueAndExamples() {
        assertEquals("baton.lease-ttl=banana is not a duration; use e.g. 30s, 250ms, 24h",
                StartupRefusal.explain(converted("baton.lease-ttl", "banana", "Invalid duration: banana")));
        assertEquals("baton.retry.backoff=10s,x is not a comma-separated list of durations; use e.g. 10s,30s,60s",
                StartupRefusal.explain(converted("baton.retry.backoff", "10s,x", "Invalid duration: x")));
    }

    @Test
    void anEnumListsItsValues() {
        assertEquals("baton.durability=fast is not one of checkpoint, journal; use e.g. checkpoint",
                StartupRefusal.explain(converted("baton.durability", "fast", "SRCFG00049: Cannot convert fast to enum "
                        + "class dev.baton.config.BatonConfig$Durability, allowed values: checkpoint,journal")));
    }

    @Test
    void numbersSayWhatKind() {
        assertEquals("baton.max-queued=abc is not a whole number; use e.g. 100",
                StartupRefusal.explain(converted("baton.max-queued", "abc", "SRCFG00029: Expected an integer value, got \"abc\"")));
        assertEquals("baton.finished-cache-size=1.5 is not a whole number; use e.g. 100",
                StartupRefusal.explain(converted("baton.finished-cache-size", "1.5", "SRCFG00030: Expected a long value, got \"1.5\"")));
        assertEquals("baton.scoring.load=heavy is not a number; use e.g. 2.5",
                StartupRefusal.explain(converted("baton.scoring.load", "heavy", "SRCFG00031: Expected a double value, got \"heavy\"")));
    }

    @Test
    void aBooleanIsTrueOrFalse() {
        assertEquals("baton.demote-on-retry=maybe is not true or false; use e.g. true",
                StartupRefusal.explain(converted("baton.demote-on-retry", "maybe", "Expected true or false, got \"maybe\"")));
    }

    @Test
    void aConstraintKeepsItsWordingOnOneLine() {
        assertEquals("baton.max-batch must be greater than 0", StartupRefusal.explain("baton.max-batch must be greater than 0"));
    }

    @Test
    void everyProblemOfAValidationIsOneLineAndOtherFailuresAreLeftToTheirStackTrace() {
        ConfigValidationException invalid = new ConfigValidationException(new Problem[] {
                new Problem(converted("baton.lease-ttl", "banana", "Invalid duration: banana")),
                new Problem("baton.max-batch must be greater than 0") });

        assertEquals(List.of("baton.lease-ttl=banana is not a duration; use e.g. 30s, 250ms, 24h",
                "baton.max-batch must be greater than 0"),
                StartupRefusal.reasons(new RuntimeException("Failed to start quarkus", invalid)));
        assertEquals(List.of(), StartupRefusal.reasons(new IllegalStateException("a bug")));
    }

    @Test
    void aDataDirInUseIsItsOwnMessage() {
        DataDirInUseException inUse = new DataDirInUseException(Path.of("/srv/baton"), "pid 42 on host h");

        assertEquals(List.of(inUse.getMessage()),
                StartupRefusal.reasons(new RuntimeException(new UncheckedIOException("Cannot start", inUse))));
    }
}
