package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** Only SmallRye's warning about the idle broker channel alone is held back. */
class IdleBrokerLogFilterTest {

    private final IdleBrokerLogFilter filter = new IdleBrokerLogFilter();

    private static ExtLogRecord warning(String components) {
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, "SRMSG00207: Some components are not connected to either "
                + "downstream consumers or upstream producers:%s", ExtLogRecord.FormatStyle.PRINTF, IdleBrokerLogFilterTest.class.getName());
        record.setParameters(new Object[] {components});
        return record;
    }

    @Test
    void theIdleBrokerChannelAloneIsNoWarning() {
        assertFalse(filter.isLoggable(warning("\n\t- Emitter{channel:'baton-events-out'} has no downstream\n")));
    }

    @Test
    void anyOtherUnconnectedComponentIsStillWarnedAbout() {
        assertTrue(filter.isLoggable(warning("\n\t- Emitter{channel:'baton-events-out'} has no downstream\n"
                + "\t- IncomingConnector{channel:'orders'} has no downstream\n")));
        assertTrue(filter.isLoggable(warning("\n\t- Emitter{channel:'other'} has no downstream\n")));
    }

    private static ExtLogRecord error(String logger, String message) {
        ExtLogRecord record = new ExtLogRecord(Level.SEVERE, message, IdleBrokerLogFilterTest.class.getName());
        record.setLoggerName(logger);
        return record;
    }

    @Test
    void theMqttClientRefusingOneMoreInFlightEventIsNoError() {
        String client = "io.vertx.mqtt.impl.MqttClientImpl";
        assertFalse(filter.isLoggable(error(client, "Attempt to exceed the limit of 10 inflight messages")));
        assertTrue(filter.isLoggable(error(client, "Connection refused")));
        assertTrue(filter.isLoggable(error("somewhere.else", "Attempt to exceed the limit of 10 inflight messages")),
                "the same words from elsewhere are not held back");
    }

    @Test
    void theRedisClientsGaugeRegisteredAgainIsNoWarning() {
        String registry = "io.micrometer.core.instrument.MeterRegistry";
        String again = "This Gauge has been already registered (MeterId{name='redis.queue.size', tags=[tag(clientName=<default>),"
                + "tag(clientType=redis)]}), the registration will be ignored.";
        assertFalse(filter.isLoggable(error(registry, again)));
        assertTrue(filter.isLoggable(error(registry, again.replace("'redis.queue.size'", "'baton.tasks'"))),
                "the same warning about another meter passes");
        assertTrue(filter.isLoggable(error("somewhere.else", again)), "the same words from elsewhere pass");
    }

    @Test
    void otherMessagesPass() {
        assertTrue(filter.isLoggable(new ExtLogRecord(Level.WARNING, "anything else", IdleBrokerLogFilterTest.class.getName())));
    }
}
