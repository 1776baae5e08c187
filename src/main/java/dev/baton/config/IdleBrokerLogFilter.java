package dev.baton.config;

import dev.baton.events.BrokerChannel;
import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps SmallRye's start-up warning SRMSG00207 ("not connected to either downstream consumers or
 * upstream producers") out of the console when the only component it names is the broker channel
 * {@value BrokerChannel#CHANNEL}: that channel is idle by design until a connector is configured
 * (README, "Brokers"), so the warning would greet every default start with a non-problem. Any other
 * unconnected component still gets the warning.
 *
 * <p>Also holds back the MQTT client's ERROR "Attempt to exceed the limit of N inflight messages":
 * it is the connector refusing one more event while its in-flight window is full, which the broker
 * channel answers by offering the event again (nothing is lost) and reports itself, once as a WARN
 * when refusals start and once when events flow again; at 1,000 events/s the client would log it
 * hundreds of times a second.
 */
@LoggingFilter(name = "baton-idle-broker")
public final class IdleBrokerLogFilter implements Filter {

    private static final String WARNING = "SRMSG00207";
    private static final String MQTT_CLIENT = "io.vertx.mqtt.impl.MqttClientImpl";
    private static final String WINDOW_FULL = "Attempt to exceed the limit of";

    @Override
    public boolean isLoggable(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (text != null && text.startsWith(WINDOW_FULL) && MQTT_CLIENT.equals(record.getLoggerName())) {
            return false;
        }
        if (text == null || !text.startsWith(WARNING)) {
            return true;
        }
        return text.lines().skip(1).map(String::strip).filter(line -> !line.isEmpty())
                .anyMatch(line -> !line.contains("'" + BrokerChannel.CHANNEL + "'"));
    }
}
