package dev.baton.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.baton.store.RefusedStartException;
import io.quarkus.runtime.QuarkusBindException;
import io.smallrye.config.ConfigValidationException;

/**
 * The one-line reasons a failed start can be explained by: each bad setting named with its value
 * and a valid example ({@code baton.lease-ttl=banana is not a duration; use e.g. 30s, 250ms, 24h}),
 * a {@link RefusedStartException}'s message, an HTTP port in use. Empty when the failure is none of
 * these (a bug, say), so that it keeps its stack trace.
 */
final class StartupRefusal {

    /** SmallRye's wording for a value its converter refused. */
    private static final Pattern NOT_CONVERTED = Pattern.compile(
            "The config property (\\S+) with the config value \"(.*)\" threw an Exception whilst being converted (.*)",
            Pattern.DOTALL);
    private static final Pattern ENUM_VALUES = Pattern.compile("allowed values: (\\S+)");
    /** A constraint's wording without the value: "baton.max-batch must be greater than 0" ({@link BatonConfigValidator} names it). */
    private static final Pattern CONSTRAINT = Pattern.compile("(baton\\.[^\\s=]+) (must .*)", Pattern.DOTALL);

    private StartupRefusal() {
    }

    static List<String> reasons(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigValidationException invalid) {
                List<String> reasons = new ArrayList<>();
                for (int i = 0; i < invalid.getProblemCount(); i++) {
                    reasons.add(explain(invalid.getProblem(i).getMessage()));
                }
                return reasons;
            }
            if (cause instanceof RefusedStartException refused) {
                return List.of(refused.getMessage());
            }
            if (cause instanceof QuarkusBindException bind) {
                return List.of("Port " + bind.getPort() + " on " + bind.getHost() + " is in use by another process: "
                        + "stop it, or start Baton with another quarkus.http.port");
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return List.of();
    }

    /** One problem of a failed configuration validation, as one line. */
    static String explain(String problem) {
        Matcher notConverted = NOT_CONVERTED.matcher(problem);
        if (notConverted.find()) {
            String property = notConverted.group(1);
            String value = notConverted.group(2);
            return property + "=" + value + " " + expected(value, notConverted.group(3));
        }
        Matcher constraint = CONSTRAINT.matcher(problem.strip());
        if (constraint.matches()) {
            String property = constraint.group(1);
            return currentValue(property).map(value -> property + "=" + value).orElse(property)
                    + " " + constraint.group(2);
        }
        return problem.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String expected(String value, String converterMessage) {
        if (converterMessage.contains("Invalid duration")) {
            return value.contains(",")
                    ? "is not a comma-separated list of durations; use e.g. 10s,30s,60s"
                    : "is not a duration; use e.g. 30s, 250ms, 24h";
        }
        Matcher allowed = ENUM_VALUES.matcher(converterMessage);
        if (allowed.find()) {
            return "is not one of " + allowed.group(1).replace(",", ", ") + "; use e.g. "
                    + allowed.group(1).split(",")[0];
        }
        if (converterMessage.contains("Expected an integer value") || converterMessage.contains("Expected a long value")) {
            return "is not a whole number; use e.g. 100";
        }
        if (converterMessage.contains("Expected true or false")) {
            return "is not true or false; use e.g. true";
        }
        if (converterMessage.contains("Expected a double value") || converterMessage.contains("Expected a float value")) {
            return "is not a number; use e.g. 2.5";
        }
        return "is not valid: " + converterMessage.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The value a constraint refused, when the configuration can still be read. */
    private static Optional<String> currentValue(String property) {
        try {
            return ConfigProvider.getConfig().getOptionalValue(property, String.class);
        } catch (RuntimeException unavailable) {
            return Optional.empty();
        }
    }
}
