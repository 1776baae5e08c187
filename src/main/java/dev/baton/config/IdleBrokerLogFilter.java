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
 */
@LoggingFilter(name = "baton-idle-broker")
public final class IdleBrokerLogFilter implements Filter {

    private static final String WARNING = "SRMSG00207";

    @Override
    public boolean isLoggable(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (text == null || !text.startsWith(WARNING)) {
            return true;
        }
        return text.lines().skip(1).map(String::strip).filter(line -> !line.isEmpty())
                .anyMatch(line -> !line.contains("'" + BrokerChannel.CHANNEL + "'"));
    }
}
