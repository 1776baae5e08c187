package dev.baton.config;

import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Baton's entry point: Quarkus as usual, except that a start refused for a reason a person can fix
 * (a bad setting, a data directory in use, a port taken) ends with one line per reason on stderr and
 * exit status 1, not a stack trace. Any other start-up failure is logged with its stack trace, as
 * Quarkus would.
 *
 * <p>Implementation note. Quarkus calls the exit handler after the failed application was stopped.
 * Stopping an application whose start failed before Vert.x was up makes the SmallRye MQTT
 * connector's shutdown observer fail, and ArC logs that with ~60 lines of stack trace before the
 * handler runs; {@link #STOP_NOISE} drops exactly that record (it says nothing about the cause).
 */
@QuarkusMain
public final class BatonMain {

    private static final Logger ARC = Logger.getLogger("io.quarkus.arc.impl");

    /** The @Destroyed observer failure of an application stopped before Vert.x started; anything else passes. */
    static final Filter STOP_NOISE = BatonMain::isLoggable;

    public static void main(String... args) {
        ARC.setFilter(STOP_NOISE);
        Quarkus.run(Baton.class, BatonMain::exit, args);
    }

    /** Runs until Baton is asked to stop. */
    public static final class Baton implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }

    private static void exit(Integer status, Throwable failure) {
        if (failure != null) {
            List<String> reasons = StartupRefusal.reasons(failure);
            if (reasons.isEmpty()) {
                org.jboss.logging.Logger.getLogger(BatonMain.class).error("Failed to start Baton", failure);
            } else {
                reasons.forEach(System.err::println);
                System.err.flush();
            }
        }
        ApplicationLifecycleManager.getDefaultExitCodeHandler().accept(status, null);
    }

    private static boolean isLoggable(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (message == null || !message.contains("@Destroyed(ApplicationScoped.class)")) {
            return true;
        }
        for (Throwable cause = record.getThrown(); cause != null; cause = cause.getCause()) {
            if (String.valueOf(cause.getMessage()).contains("not initialized yet")) {
                return false;
            }
        }
        return true;
    }
}
