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
    void otherMessagesPass() {
        assertTrue(filter.isLoggable(new ExtLogRecord(Level.WARNING, "anything else", IdleBrokerLogFilterTest.class.getName())));
    }
}
