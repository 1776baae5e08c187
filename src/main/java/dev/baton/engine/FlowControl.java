package dev.baton.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Flow control, the operator's side of the engine: task types' runtime settings (pause, running
 * cap, retry policy) and bulk actions over many tasks. The second entry point beside
 * {@link Coordinator}, reached through {@link Coordinator#flow()}: it enters the same lock and
 * works on the same owners, so a change here is ordered with every other change by its events.
 */
public final class FlowControl {

    /** A bulk call's limit when it names none. */
    public static final int DEFAULT_BULK_LIMIT = 1_000;
    static final int MAX_BACKOFF_STEPS = 100;
    static final long MAX_BACKOFF_MILLIS = 30L * 24 * 3_600_000;

    private final EngineConfig config;
    private final EngineLock lock;
    private final TaskTable tasks;
    private final Statuses statuses;
    private final Dispatcher dispatcher;
    private final TypeRules rules;
    private final Lifecycle lifecycle;
    private final EventLog events;
    private final ScheduleControl schedules;

    FlowControl(EngineConfig config, EngineLock lock, TaskTable tasks, Statuses statuses, Dispatcher dispatcher,
            TypeRules rules, Lifecycle lifecycle, EventLog events, DependencyGraph graph) {
        this.config = config;
        this.lock = lock;
        this.tasks = tasks;
        this.statuses = statuses;
        this.dispatcher = dispatcher;
        this.rules = rules;
        this.lifecycle = lifecycle;
        this.events = events;
        this.schedules = new ScheduleControl(config, lock, tasks, statuses, graph, lifecycle, events);
    }

    /** Recurring tasks. */
    public ScheduleControl schedules() {
        return schedules;
    }

    // ---------------------------------------------------------------------------------------
    // Task types

    /**
     * Replace the runtime settings of a type (null fields: the configured value). A paused type's
     * tasks stay queued and keep their places; claims skip them until it resumes. A new
     * {@code max_running} applies at once; {@code max_retries} to tasks submitted from now on,
     * {@code backoff} to the next retry, {@code adaptive} at once (an adaptive cap already in place
     * keeps where it got to, inside the new bounds). Parked claims that a resume or a higher cap
     * lets through are fed at once. Settings equal to the present ones change nothing and add no event.
     */
    public TypeUpdate setType(TypeSettings settings, long now) {
        return lock.change(now, () -> {
            validate(settings);
            TypeSettings before = rules.changed(settings.type());
            boolean same = settings.isEmpty() ? before == null : settings.equals(before);
            if (!same) {
                rules.set(settings, lock.now());
                events.type(settings, lock.now());
                dispatcher.feedWaiters(settings.type(), lock.now());
            }
            return new TypeUpdate(view(settings.type(), dispatcher.ready().depthByType()), events.seq());
        });
    }

    /** Every known type (configured, set at runtime, queued now or ever run), in name order. */
    public List<TypeView> types(long now) {
        return lock.read(now, () -> {
            Map<String, Integer> pending = dispatcher.ready().depthByType();
            Set<String> known = new TreeSet<>(rules.named());
            known.addAll(pending.keySet());
            known.addAll(statuses.runningByType().keySet());
            List<TypeView> views = new ArrayList<>(known.size());
            for (String type : known) {
                views.add(view(type, pending));
            }
            return views;
        });
    }

    public TypeView type(String type, long now) {
        return lock.read(now, () -> view(Ids.requireValid("type", type), dispatcher.ready().depthByType()));
    }

    /** Every type's runtime settings, for a checkpoint. */
    public List<TypeSettings> typeSettings() {
        return lock.read(rules::changed);
    }

    private TypeView view(String type, Map<String, Integer> pending) {
        TypeRules.Rule rule = rules.of(type);
        return new TypeView(type, rule.paused(), rule.maxRunning(), rule.retry().maxRetries(),
                rule.retry().backoffMillis(), rules.changed(type), pending.getOrDefault(type, 0), statuses.running(type),
                rule.adaptive() == null ? null : rule.adaptive().view());
    }

    private static void validate(TypeSettings settings) {
        Ids.requireValid("type", settings.type());
        if (settings.maxRunning() != null && settings.maxRunning() < 1) {
            throw new InvalidRequestException("max_running", "must be at least 1, was " + settings.maxRunning()
                    + " (to stop handing out a type, pause it)");
        }
        if (settings.maxRetries() != null && settings.maxRetries() < 0) {
            throw new InvalidRequestException("max_retries", "must be 0 or more, was " + settings.maxRetries());
        }
        List<Long> backoff = settings.backoffMillis();
        if (backoff != null) {
            if (backoff.isEmpty() || backoff.size() > MAX_BACKOFF_STEPS) {
                throw new InvalidRequestException("backoff", "must hold 1 to " + MAX_BACKOFF_STEPS + " durations, held "
                        + backoff.size());
            }
            for (Long wait : backoff) {
                if (wait == null || wait < 0 || wait > MAX_BACKOFF_MILLIS) {
                    throw new InvalidRequestException("backoff", "each wait must be between 0 and 30 days, was " + wait);
                }
            }
        }
        if (settings.adaptive() != null) {
            settings.adaptive().validate();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Key limits

    /** Keys listed per limit in {@link #limits}. */
    public static final int MAX_KEYS_LISTED = 1_000;

    /**
     * Replace the runtime limit of a key or key pattern (null fields: the configured value). Every
     * key in use is resolved again at once: tasks held on a budget that grew go back to their
     * lanes, lanes of a key whose cap rose rejoin their rings, and parked claims are fed. An
     * {@code adaptive} cap gives each key its own, starting at the ceiling; a key that had one keeps
     * where it got to, inside the new bounds. A limit equal to the present one changes nothing and
     * adds no event.
     */
    public LimitUpdate setLimit(LimitSettings settings, long now) {
        return lock.change(now, () -> {
            validate(settings);
            return changeLimit(settings);
        });
    }

    /** Remove the runtime limit of a key pattern: its configured limit, if any, applies again. */
    public LimitUpdate removeLimit(String key, long now) {
        return lock.change(now, () -> changeLimit(new LimitSettings(Ids.requireKey("key", key), null, null, null, null)));
    }

    /** Every limit in effect, in key order, with the keys it governs now. */
    public List<LimitView> limits(long now) {
        return lock.read(now, () -> dispatcher.limits().views(lock.now(), MAX_KEYS_LISTED));
    }

    /** The runtime limits, for a checkpoint. */
    public List<LimitSettings> limitSettings() {
        return lock.read(this::limitsLocked);
    }

    /** The runtime limits; the caller holds the lock. */
    List<LimitSettings> limitsLocked() {
        return dispatcher.limits().patterns().changed();
    }

    private LimitUpdate changeLimit(LimitSettings settings) {
        KeyLimits limits = dispatcher.limits();
        LimitSettings before = limits.patterns().runtime(settings.key());
        boolean same = settings.isEmpty() ? before == null : settings.equals(before);
        if (!same) {
            limits.set(settings, lock.now());
            LimitSettings now = limits.patterns().effective(settings.key());
            events.limit(settings, now == null ? "removed" : now.summary(), lock.now());
            dispatcher.feedFreed(lock.now());
        }
        LimitView view = null;
        for (LimitView v : limits.views(lock.now(), MAX_KEYS_LISTED)) {
            if (v.limit().key().equals(settings.key())) {
                view = v;
            }
        }
        return new LimitUpdate(settings.key(), view, events.seq());
    }

    private static void validate(LimitSettings settings) {
        Ids.requireKey("key", settings.key());
        if (settings.rate() == null) {
            if (settings.windowMillis() != null || settings.burst() != null) {
                throw new InvalidRequestException("rate", "is required with window and burst");
            }
            if (!settings.limitsConcurrency()) {
                throw new InvalidRequestException("rate", "or max_running or adaptive is required: a limit must limit"
                        + " something");
            }
        } else {
            requireBetween("rate", settings.rate(), 1, LimitSettings.MAX_RATE);
            if (settings.windowMillis() == null) {
                throw new InvalidRequestException("window", "is required with rate, e.g. \"1m\"");
            }
            requireBetween("window", settings.windowMillis(), 1, LimitSettings.MAX_WINDOW_MILLIS);
            if (settings.burst() != null) {
                requireBetween("burst", settings.burst(), 1, LimitSettings.MAX_RATE);
            }
        }
        if (settings.maxRunning() != null) {
            requireBetween("max_running", settings.maxRunning(), 1, Integer.MAX_VALUE);
        }
        if (settings.adaptive() != null) {
            settings.adaptive().validate();
        }
    }

    private static void requireBetween(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidRequestException(field, "must be between " + min + " and " + max + ", was " + value);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Bulk actions

    /**
     * Cancel (tasks not ended) or retry (FAILED tasks) every task the filter matches, in id order,
     * up to the request's limit; one event per task touched, as the single calls make. A cancelled
     * parent also cancels its dependents, as a single cancel does; they are not counted as touched.
     * Only the tasks the engine holds are seen: live ones, and finished ones in its cache.
     */
    public BulkResult bulk(BulkRequest request, long now) {
        return lock.change(now, () -> {
            validate(request);
            long createdBy = request.olderThanMillis() == null ? Long.MAX_VALUE : lock.now() - request.olderThanMillis();
            List<Task> matched = tasks.matching(null, Integer.MAX_VALUE - 1, task -> applies(request.action(), task)
                    && matches(request, task, createdBy));
            int touched = 0;
            if (!request.dryRun()) {
                for (int i = 0; i < matched.size() && touched < request.limit(); i++) {
                    Task task = matched.get(i);
                    if (!applies(request.action(), task)) {
                        continue; // a dependent an earlier cancel already cancelled
                    }
                    switch (request.action()) {
                        case CANCEL -> lifecycle.cancel(task, "cancelled by a bulk action");
                        case RETRY -> lifecycle.retry(task);
                    }
                    touched++;
                }
            }
            return new BulkResult(request.action(), request.dryRun(), matched.size(), touched,
                    matched.size() - touched, events.seq());
        });
    }

    private void validate(BulkRequest request) {
        if (request.action() == null) {
            throw new InvalidRequestException("action", "is required: \"cancel\" or \"retry\"");
        }
        if (request.filterIsEmpty() && !request.all()) {
            throw new InvalidRequestException("filter", "names nothing (status, type, agent, priority, rate_key,"
                    + " concurrency_key, older_than); to act on every task, send \"all\": true");
        }
        if (request.rateKey() != null) {
            Ids.requireKey("filter.rate_key", request.rateKey());
        }
        if (request.concurrencyKey() != null) {
            Ids.requireKey("filter.concurrency_key", request.concurrencyKey());
        }
        if (request.limit() < 1 || request.limit() > config.maxBatch()) {
            throw new InvalidRequestException("limit", "must be between 1 and " + config.maxBatch() + ", was "
                    + request.limit());
        }
        if (request.olderThanMillis() != null && request.olderThanMillis() < 0) {
            throw new InvalidRequestException("older_than", "must not be negative");
        }
    }

    private static boolean applies(BulkRequest.Action action, Task task) {
        return switch (action) {
            case CANCEL -> !task.status.isTerminal();
            case RETRY -> task.status == TaskStatus.FAILED;
        };
    }

    private static boolean matches(BulkRequest request, Task task, long createdBy) {
        return (request.status() == null || task.status == request.status())
                && (request.type() == null || request.type().equals(task.type()))
                && (request.agent() == null || request.agent().equals(task.assignedAgent))
                && (request.priority() == null || request.priority() == task.spec.priority())
                && (request.rateKey() == null || request.rateKey().equals(task.spec.rateKey()))
                && (request.concurrencyKey() == null || request.concurrencyKey().equals(task.spec.concurrencyKey()))
                && task.createdAt <= createdBy;
    }
}
