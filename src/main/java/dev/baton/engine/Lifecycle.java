package dev.baton.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Every move of a task through its life, each a short sequence over the owners: the status
 * change (through {@link Statuses}, the only writer), then the structures that status implies
 * (deques, timers, the agent's slots, the graph), the counters, and one event.
 *
 * <p>The coordinator has checked the call before a move starts (the task exists, the lease is
 * the current one, the caller may act); a move only fails on a bug, as an
 * {@link IllegalTransitionException}. Everything here runs under the coordinator's lock, at
 * {@link EngineLock#now()}. Not thread-safe.
 */
final class Lifecycle {

    private final EngineConfig config;
    private final TypeRules rules;
    private final RandomGenerator random;
    private final Ids ids;
    private final EngineLock lock;
    private final TaskTable tasks;
    private final Statuses statuses;
    private final Counters counters;
    private final Timers timers;
    private final AgentRegistry agents;
    private final Dispatcher dispatcher;
    private final DependencyGraph graph;
    private final EventLog events;
    /** Global order of becoming ready; ties between equal scores go to the oldest. */
    private long readySeq;

    /** What the graph decides when a task ends, carried out at once. */
    private final DependencyGraph.Outcomes outcomes = new DependencyGraph.Outcomes() {
        @Override
        public void release(Task dependent) {
            enqueue(dependent, EventType.RELEASED);
        }

        @Override
        public void cancel(Task dependent, Task cause) {
            dependent.error = "dependency " + cause.id + " " + cause.status;
            finish(dependent, TaskStatus.CANCELLED, EventType.CANCELLED);
            counters.cancelled++;
        }
    };

    Lifecycle(EngineConfig config, TypeRules rules, RandomGenerator random, Ids ids, EngineLock lock, TaskTable tasks,
            Statuses statuses, Counters counters, Timers timers, AgentRegistry agents, Dispatcher dispatcher,
            DependencyGraph graph, EventLog events) {
        this.config = config;
        this.rules = rules;
        this.random = random;
        this.ids = ids;
        this.lock = lock;
        this.tasks = tasks;
        this.statuses = statuses;
        this.counters = counters;
        this.timers = timers;
        this.agents = agents;
        this.dispatcher = dispatcher;
        this.graph = graph;
        this.events = events;
    }

    /** A new task with its final id, settled against its (already found) parents: waiting, cancelled or ready. */
    Task create(TaskSpec spec, List<Task> parents) {
        Task task = new Task(spec.id(), spec, spec.maxRetries() != null ? spec.maxRetries()
                : rules.of(spec.type()).retry().maxRetries(), lock.now());
        tasks.addLive(task);
        statuses.place(task); // WAITING until settled
        dispatcher.attach(task, lock.now());
        counters.submitted++;
        for (Task parent : parents) {
            Attempts.addDependent(parent, task.id);
        }
        Task failed = DependencyGraph.failedParent(task, parents);
        if (failed != null) {
            emit(EventType.SUBMITTED, task, null);
            cancel(task, "dependency " + failed.id + " " + failed.status);
        } else if (DependencyGraph.link(task, parents) > 0) {
            emit(EventType.SUBMITTED, task, null);
            emit(EventType.WAITING, task, null);
        } else {
            enqueue(task, EventType.SUBMITTED);
        }
        return task;
    }

    /** A batch's new members, parents first ({@link BatchPlan#order}); members that exist already are taken as they are. */
    Task[] createAll(BatchPlan plan) {
        Task[] made = new Task[plan.specs.length];
        for (int i : plan.order) {
            if (plan.existing[i] != null) {
                made[i] = plan.existing[i];
                continue;
            }
            List<Task> parents = new ArrayList<>(plan.outsideParents.get(i));
            for (int j : plan.insideParents[i]) {
                parents.add(made[j]);
            }
            made[i] = create(plan.specs[i], parents);
        }
        return made;
    }

    /** PENDING → ASSIGNED: the agent gets a lease and a slot; the dispatcher chose the pair. */
    ClaimedTask assign(Task task, Agent agent) {
        ScoreBreakdown score = dispatcher.explain(task, agent); // before the agent's load counts this task
        statuses.move(task, TaskStatus.ASSIGNED);
        task.assignedAgent = agent.id;
        task.leaseId = ids.lease();
        task.leaseExpiresAt = lock.now() + config.leaseTtlMillis();
        task.startedAt = lock.now();
        agent.lastSeen = lock.now(); // it claimed, or waited in a long-poll until now
        task.cancelRequested = false;
        task.progress = 0;
        task.message = null;
        timers.watchLease(task);
        agent.active.add(task);
        dispatcher.started(task, lock.now());
        events.task(EventType.ASSIGNED, task, agent.id, lock.now(), score);
        return new ClaimedTask(view(task), task.leaseId, task.leaseExpiresAt);
    }

    /** A heartbeat of a running task: a longer lease, the first one starts it, progress is recorded. */
    void heartbeat(Task task, Integer progress, String message) {
        task.leaseExpiresAt = lock.now() + config.leaseTtlMillis();
        if (task.status == TaskStatus.ASSIGNED) {
            statuses.move(task, TaskStatus.IN_PROGRESS);
            emit(EventType.STARTED, task, task.assignedAgent);
        }
        // a plain heartbeat changes only the lease: no event, nothing to journal
        if (progress != null && progress != task.progress || message != null && !message.equals(task.message)) {
            if (progress != null) {
                task.progress = progress;
            }
            if (message != null) {
                task.message = message;
            }
            emit(EventType.PROGRESS, task, task.assignedAgent);
        }
    }

    void complete(Task task, String leaseId, String result) {
        long startedAt = task.startedAt;
        KeySlots key = task.conc;
        Agent agent = agents.get(task.assignedAgent);
        long took = lock.now() - (task.startedAt == Task.NONE ? lock.now() : task.startedAt);
        if (agent != null) {
            agent.overall.success(took);
            agent.history(task.type()).success(took);
        }
        dispatcher.recordCompletion(task.type(), took);
        Attempts.end(task, TaskAttempt.Outcome.COMPLETED, null, lock.now());
        endRun(task);
        task.endedLeaseId = leaseId;
        task.endedByComplete = true;
        task.result = result;
        task.progress = 100;
        finish(task, TaskStatus.COMPLETED, EventType.COMPLETED);
        counters.completed(lock.now());
        DependencyGraph.completed(task, outcomes);
        adapt(task.type(), key, startedAt, false);
        dispatcher.slotFreed(task.type(), agent, lock.now());
    }

    /** A failed run: SCHEDULED for a retry after its backoff while retries are left and it may, else FAILED. */
    void fail(Task task, String leaseId, String error, boolean retryable) {
        String agentId = task.assignedAgent;
        long startedAt = task.startedAt;
        KeySlots key = task.conc;
        Attempts.end(task, TaskAttempt.Outcome.FAILED, error, lock.now());
        Agent agent = endFailedRun(task);
        task.endedLeaseId = leaseId;
        task.endedByComplete = false;
        task.error = error;
        task.failures++;
        task.attempt++;
        counters.runFailed(lock.now());
        if (retryable && task.failures <= task.maxRetries) {
            scheduleRetry(task, agentId);
        } else {
            finish(task, TaskStatus.FAILED, EventType.FAILED);
            counters.failed++;
            DependencyGraph.failed(task, outcomes);
        }
        adapt(task.type(), key, startedAt, true);
        dispatcher.slotFreed(task.type(), agent, lock.now());
    }

    /** The lease ran out: back to the front of its deque, or FAILED as a poison pill after too many expiries. */
    void expire(Task task) {
        String agentId = task.assignedAgent;
        long startedAt = task.startedAt;
        KeySlots key = task.conc;
        Attempts.end(task, TaskAttempt.Outcome.EXPIRED, "lease expired", lock.now());
        Agent agent = endFailedRun(task);
        task.expiries++;
        task.attempt++;
        counters.expired++;
        if (task.expiries >= config.maxExpiries()) {
            task.error = "poison pill: lease expired " + task.expiries + " times";
            finish(task, TaskStatus.FAILED, EventType.FAILED);
            counters.failed++;
            counters.runFailed(lock.now());
            DependencyGraph.failed(task, outcomes);
        } else {
            requeueFront(task, EventType.EXPIRED, agentId);
        }
        adapt(task.type(), key, startedAt, true);
        dispatcher.slotFreed(task.type(), agent, lock.now());
    }

    /** Any unfinished task ends CANCELLED; a running one keeps its lease id, so its agent hears of it. */
    void cancel(Task task, String reason) {
        String agentId = null;
        switch (task.status) {
            case PENDING -> dispatcher.remove(task, lock.now());
            case SCHEDULED, WAITING -> { }
            case ASSIGNED, IN_PROGRESS -> {
                agentId = task.assignedAgent;
                String lease = task.leaseId;
                Attempts.end(task, TaskAttempt.Outcome.CANCELLED, null, lock.now());
                endRun(task);
                task.leaseId = lease; // kept so the agent's next heartbeat hears cancel_requested
                task.cancelRequested = true;
            }
            case COMPLETED, FAILED, CANCELLED -> throw new IllegalTransitionException(task.id, task.status, TaskStatus.CANCELLED);
        }
        task.error = reason;
        finish(task, TaskStatus.CANCELLED, EventType.CANCELLED);
        counters.cancelled++;
        DependencyGraph.failed(task, outcomes);
        if (agentId != null) {
            dispatcher.slotFreed(task.type(), agents.get(agentId), lock.now());
        }
    }

    /** A dead letter runs again: fresh retries, its original priority. */
    void retry(Task task) {
        Transitions.check(task.id, task.status, TaskStatus.PENDING);
        Attempts.settle(task);
        tasks.revived(task);
        dispatcher.attach(task, lock.now());
        task.failures = 0;
        task.expiries = 0;
        task.error = null;
        task.completedAt = Task.NONE;
        task.level = task.spec.priority();
        task.runAt = Task.NONE;
        forgetRun(task);
        enqueue(task, EventType.QUEUED);
    }

    /** The agent left: the tasks it ran go back to the front of their deques (a run ended, not an expiry). */
    void agentLeft(Agent agent) {
        Set<String> freedTypes = new LinkedHashSet<>();
        for (Task task : new ArrayList<>(agent.active)) {
            Attempts.end(task, TaskAttempt.Outcome.RELEASED, null, lock.now());
            endRun(task);
            task.attempt++;
            freedTypes.add(task.type());
            requeueFront(task, EventType.REQUEUED, agent.id);
        }
        agents.remove(agent);
        for (String type : freedTypes) {
            dispatcher.slotFreed(type, null, lock.now());
        }
        events.agent(EventType.AGENT_LEFT, agent, lock.now());
    }

    /** Start scheduled tasks that are due, expire leases that ran out, mark silent agents lost. */
    /** Acts on what came due; answers when something may come due next ({@link Long#MAX_VALUE}: nothing may). */
    long tick() {
        long t = lock.now();
        for (Task task = timers.nextStart(t); task != null; task = timers.nextStart(t)) {
            enqueue(task, EventType.QUEUED);
        }
        for (Task task = timers.nextExpiry(t); task != null; task = timers.nextExpiry(t)) {
            expire(task);
        }
        dispatcher.releaseDue(t);
        long nextLoss = agents.sweep(t, config.agentTtlMillis(), agent -> events.agent(EventType.AGENT_LOST, agent, t));
        tasks.cleanUp();
        return Math.min(Math.min(timers.nextDue(), dispatcher.limits().nextRefill()), nextLoss);
    }

    /** Place recovered records (see {@link Coordinator#restore}). */
    void restore(EngineState state) {
        long t = lock.now();
        events.continueAfter(state.seq());
        state.types().forEach(settings -> rules.set(settings, t));
        state.limits().forEach(limit -> dispatcher.limits().set(limit, t));
        for (AgentRecord r : state.agents()) {
            agents.add(Snapshots.rebuild(r, t));
            r.byType().forEach((type, h) -> {
                if (h.meanMillis() != null) {
                    dispatcher.recordCompletion(type, h.meanMillis().longValue());
                }
            });
        }
        List<Task> queued = new ArrayList<>(state.tasks().size()); // most are, after a crash with a long queue
        List<Task> waiting = new ArrayList<>();
        List<Task> children = new ArrayList<>();
        Task[] inIdOrder = Snapshots.rebuildInIdOrder(state.tasks()); // the id index then appends, never sorts
        for (Task task : inIdOrder) {
            readySeq = Math.max(readySeq, task.readySeq);
            if (!task.spec.dependsOn().isEmpty()) {
                children.add(task); // noted while its spec is at hand: a million tasks' are not, later
            }
            switch (task.status) {
                case COMPLETED, FAILED, CANCELLED -> {
                    if (task.completedAt == Task.NONE || task.completedAt + config.retentionMillis() > t) {
                        tasks.addFinished(task);
                    }
                    continue;
                }
                case PENDING -> {
                    dispatcher.attach(task, t);
                    queued.add(task);
                }
                case SCHEDULED -> {
                    dispatcher.attach(task, t);
                    timers.startAt(task, task.runAt == Task.NONE ? t : task.runAt);
                }
                case WAITING -> {
                    dispatcher.attach(task, t);
                    waiting.add(task);
                }
                case ASSIGNED, IN_PROGRESS -> {
                    dispatcher.attach(task, t);
                    dispatcher.restoreRunning(task);
                    task.leaseExpiresAt = t + config.leaseTtlMillis(); // a whole lease to call again
                    timers.watchLease(task);
                    Agent agent = agents.get(task.assignedAgent);
                    if (agent != null) {
                        agent.active.add(task);
                    }
                }
            }
            tasks.addLive(task);
            statuses.place(task);
        }
        for (Task child : children) { // a parent's record may predate a dependent's submission
            for (String parentId : child.spec.dependsOn()) {
                Task parent = tasks.find(parentId);
                if (parent != null) {
                    Attempts.addDependent(parent, child.id);
                }
            }
        }
        queued.sort(Comparator.comparingLong(task -> task.readySeq));
        dispatcher.restoreQueued(queued, t);
        for (Task task : waiting) { // a dependency may have ended in the same moment as the crash
            List<Task> parents = graph.knownParentsOf(task);
            Task failed = DependencyGraph.failedParent(task, parents);
            if (failed != null) {
                cancel(task, "dependency " + failed.id + " " + failed.status);
            } else if (DependencyGraph.link(task, parents) == 0) {
                enqueue(task, EventType.RELEASED);
            }
        }
        counters.submitted = tasks.liveCount();
    }

    TaskView view(Task task) {
        return Snapshots.view(task, dispatcher.positionOf(task), graph.waitingOn(task),
                task.status == TaskStatus.PENDING ? KeyLimits.waitingOn(task) : null);
    }

    // ---------------------------------------------------------------------------------------

    /** The task may run: SCHEDULED if its {@code run_at} is ahead, else ready. One event says so. */
    private void enqueue(Task task, EventType event) {
        if (task.runAt != Task.NONE && task.runAt > lock.now()) {
            statuses.move(task, TaskStatus.SCHEDULED);
            timers.startAt(task, task.runAt);
            emit(event, task, null);
        } else {
            statuses.move(task, TaskStatus.PENDING);
            task.readyAt = lock.now();
            task.readySeq = ++readySeq; // before the event, so the journal keeps the ready order
            emit(event, task, null);
            dispatcher.place(task, false, lock.now());
        }
    }

    /**
     * A run of the type and concurrency key (may be null) ended (completed, failed, expired; not
     * cancelled or released): their adaptive caps, if any, learn how, and an event says so when a
     * whole cap moved. A cap that rose feeds parked claims with the run's freed slot, just after.
     */
    private void adapt(String type, KeySlots key, long startedAt, boolean failed) {
        if (startedAt == Task.NONE) {
            return;
        }
        AdaptiveLimit adaptive = rules.of(type).adaptive();
        if (adaptive != null && adaptive.runEnded(startedAt, lock.now(), failed, statuses.running(type) + 1)) {
            events.typeLimit(type, adaptive, lock.now());
        }
        if (key != null && dispatcher.limits().adapt(key, startedAt, failed, lock.now())) {
            events.keyLimit(key.key, key.adaptive, lock.now());
        }
    }

    /** A run ended without success: its agent's history learns it, and the run ends; answers the agent (or null). */
    private Agent endFailedRun(Task task) {
        Agent agent = agents.get(task.assignedAgent);
        if (agent != null) {
            agent.overall.failure();
            agent.history(task.type()).failure();
        }
        endRun(task);
        return agent;
    }

    /** The run ends: the lease and the agent's slot are given back (the status move follows). */
    private void endRun(Task task) {
        Agent agent = agents.get(task.assignedAgent);
        if (agent != null) {
            agent.active.remove(task);
        }
        task.leaseId = null;
        timers.leaseEnded(task, statuses.running());
        dispatcher.runEnded(task);
    }

    private void scheduleRetry(Task task, String agentId) {
        long base = rules.of(task.type()).retry().backoffBefore(task.failures);
        double jitter = config.jitter() <= 0 ? 0 : (random.nextDouble() * 2 - 1) * config.jitter();
        long delay = Math.max(0, Math.round(base * (1 + jitter)));
        if (config.demoteOnRetry()) {
            task.level = task.level.lower();
        }
        forgetRun(task);
        statuses.move(task, TaskStatus.SCHEDULED);
        task.runAt = lock.now() + delay;
        timers.startAt(task, task.runAt);
        emit(EventType.RETRYING, task, agentId);
    }

    /** A run ended without the task's fault: back to the front of its deque, keeping its age. */
    private void requeueFront(Task task, EventType event, String agentId) {
        forgetRun(task);
        statuses.move(task, TaskStatus.PENDING);
        emit(event, task, agentId);
        dispatcher.place(task, true, lock.now());
    }

    private void finish(Task task, TaskStatus status, EventType event) {
        String agentId = task.assignedAgent;
        statuses.move(task, status);
        task.completedAt = lock.now();
        timers.cancel(task);
        dispatcher.detach(task, lock.now());
        tasks.ended(task);
        emit(event, task, agentId);
    }

    /**
     * A task waiting for its next run has no agent, start or progress: the ended run's agent is in
     * its event, and the error of a failed run stays readable until the next one ends.
     */
    private static void forgetRun(Task task) {
        Attempts.settle(task);
        task.assignedAgent = null;
        task.startedAt = Task.NONE;
        task.progress = 0;
    }

    private void emit(EventType type, Task task, String agentId) {
        events.task(type, task, agentId, lock.now());
    }
}
