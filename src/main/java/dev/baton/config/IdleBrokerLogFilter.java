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
 *
 * <p>And Micrometer's WARN "This Gauge has been already registered (MeterId{name='redis.…" that
 * greeted the first load of every run: the Vert.x metrics of the Redis client register their
 * gauges again when the client's pool opens another connection to the same Redis. The first
 * registration stands and counts for all of them; the warning says nothing an operator can act
 * on. Micrometer's other warnings still pass.
 */
@LoggingFilter(name = "baton-idle-broker")
public final class IdleBrokerLogFilter implements Filter {

    private static final String WARNING = "SRMSG00207";
    private static final String MQTT_CLIENT = "io.vertx.mqtt.impl.MqttClientImpl";
    private static final String WINDOW_FULL = "Attempt to exceed the limit of";
    private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    private static final String REDIS_GAUGE_AGAIN = "This Gauge has been already registered (MeterId{name='redis.";

    @Override
    public boolean isLoggable(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (text != null && text.startsWith(WINDOW_FULL) && MQTT_CLIENT.equals(record.getLoggerName())) {
            return false;
        }
        if (text != null && text.startsWith(REDIS_GAUGE_AGAIN) && METER_REGISTRY.equals(record.getLoggerName())) {
            return false;
        }
        if (text == null || !text.startsWith(WARNING)) {
            return true;
        }
        return text.lines().skip(1).map(String::strip).filter(line -> !line.isEmpty())
                .anyMatch(line -> !line.contains("'" + BrokerChannel.CHANNEL + "'"));
    }
}
