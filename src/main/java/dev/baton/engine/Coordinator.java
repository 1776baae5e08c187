package dev.baton.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.random.RandomGenerator;

/**
 * The coordinator: the one entry point to all task and agent state of one Baton. Each public
 * method is a short script of moves over package-private owners, each owning one structure:
 *
 * <ul>
 *   <li>{@link TaskTable}: every readable task by id (live, finished, lent back) and in id order;</li>
 *   <li>{@link Statuses}: the only writer of a task's status, with the counts it implies;</li>
 *   <li>{@link Timers}: scheduled starts and lease expiries;</li>
 *   <li>{@link AgentRegistry}: agents and their liveness; {@link Waiters}: parked long-polls;</li>
 *   <li>{@link Dispatcher}: ready deques, scorer and {@link TypeRules} (pause, caps), for pull and push;</li>
 *   <li>{@link DependencyGraph}: which dependents a task's end releases or cancels;</li>
 *   <li>{@link Counters}: totals and rates; {@link EventLog}: event numbering;
 *   {@link Snapshots}: records and views.</li>
 * </ul>
 *
 * The moves themselves (a status change and everything it implies) are {@link Lifecycle}'s;
 * this class checks each call, takes the lock and says which move to make. Types' settings and
 * bulk actions enter through {@link #flow()}, under the same lock.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Concurrency.</b> One lock ({@link EngineLock}) over all owners; none of them is
 *   thread-safe or knows the others. A method enters through {@link EngineLock#change} when it
 *   may move something, through {@link EngineLock#read} when it only looks. Nothing under the
 *   lock blocks, does I/O or calls foreign code, except {@link EventSink#accept}, which must only
 *   enqueue; parked long-polls are answered after the unlock.</li>
 *   <li><b>Time.</b> The engine reads no clock. Each call passes {@code now} (epoch millis); the
 *   lock keeps the latest one, and time never runs backwards.</li>
 *   <li><b>Where a task lives.</b> Every task is in the table; a PENDING one also in exactly one
 *   ready deque, a SCHEDULED one in the start timers, a running one in the lease timers and its
 *   agent's active set, a WAITING one in its unfinished dependencies' dependent lists.</li>
 *   <li><b>Order.</b> Every change appends an event with the next {@code seq} while the lock is
 *   held, so the sink sees changes in exactly the order they happened.</li>
 * </ul>
 */
public final class Coordinator {

    private final EngineConfig config;
    private final Ids ids;
    private final TaskTable tasks;
    private final Waiters waiters = new Waiters();
    private final EngineLock lock;
    private final Statuses statuses = new Statuses();
    private final Counters counters = new Counters();
    private final Timers timers = new Timers();
    private final AgentRegistry agents = new AgentRegistry();
    private final EventLog events;
    private final Dispatcher dispatcher;
    private final DependencyGraph graph;
    private final Lifecycle lifecycle;
    private final LeaseChecks leases;
    private final TypeRules rules;
    private final FlowControl flow;

    public Coordinator(EngineConfig config, EventSink sink, RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.events = new EventLog(Objects.requireNonNull(sink, "sink"));
        this.ids = new Ids(Objects.requireNonNull(random, "random"));
        this.tasks = new TaskTable(config.finishedCacheSize(), config.retentionMillis());
        this.lock = new EngineLock(tasks::advance, waiters::flush);
        this.rules = new TypeRules(config);
        this.dispatcher = new Dispatcher(config, rules, waiters, new Scorer(config.weights()), statuses, this::assign);
        this.graph = new DependencyGraph(tasks, config.maxDependencies());
        this.lifecycle = new Lifecycle(config, rules, random, ids, lock, tasks, statuses, counters, timers, agents,
                dispatcher, graph, events);
        this.leases = new LeaseChecks(lock, tasks, agents, lifecycle);
        this.flow = new FlowControl(config, lock, tasks, statuses, dispatcher, rules, lifecycle, events, graph);
    }

    public EngineConfig config() {
        return config;
    }

    /** Task types' runtime settings and bulk actions. */
    public FlowControl flow() {
        return flow;
    }

    // ---------------------------------------------------------------------------------------
    // Tasks

    /**
     * Submit one task. Refuses with {@link InvalidRequestException} (bad spec, unknown dependency),
     * {@link ConflictException} {@code id_conflict} (same id, other body) or
     * {@link BackpressureException} (too much queued).
     */
    public SubmitResult submit(TaskSpec spec, long now) {
        return lock.change(now, () -> {
            Specs.validate(spec);
            Task existing = spec.id() == null ? null : tasks.find(spec.id());
            if (existing != null) {
                if (!existing.spec.equals(spec)) {
                    throw new ConflictException("id_conflict",
                            "task '" + spec.id() + "' exists with a different body; use a new id");
                }
                return new SubmitResult(lifecycle.view(existing), false, events.seq());
            }
            List<Task> parents = graph.parentsOf(spec);
            int queued = statuses.queued();
            if (queued >= config.maxQueued()) {
                throw new BackpressureException("too many queued tasks (" + queued + ", limit "
                        + config.maxQueued() + "); retry later", retryAfterMillis());
            }
            Task task = lifecycle.create(spec.withId(spec.id() != null ? spec.id() : ids.next(lock.now())), parents);
            return new SubmitResult(lifecycle.view(task), true, events.seq());
        });
    }

    /**
     * Submit many tasks at once, all or nothing. Members may name each other's {@code ref} in
     * {@code depends_on} as well as ids of existing tasks. Every check runs before anything
     * changes ({@link BatchPlan}); then the members are created parents first, each settled as a
     * single submit would be. Refuses with {@link TooLargeException} past {@code max-batch},
     * {@link InvalidRequestException} naming the member at fault or the tasks on a cycle,
     * {@link ConflictException} for a reused id, {@link BackpressureException} past {@code max-queued}.
     */
    public BatchResult submitBatch(List<BatchItem> items, long now) {
        return lock.change(now, () -> {
            if (items == null || items.isEmpty()) {
                throw new InvalidRequestException("tasks", "must hold at least one task");
            }
            if (items.size() > config.maxBatch()) {
                throw new TooLargeException("a batch may hold at most " + config.maxBatch() + " tasks, this one has "
                        + items.size());
            }
            BatchPlan plan = BatchPlan.of(items, config.maxDependencies(), tasks::find, () -> ids.next(lock.now()));
            int queued = statuses.queued();
            if (queued + plan.newCount > config.maxQueued()) {
                throw new BackpressureException("the batch's " + plan.newCount + " tasks would pass the limit of "
                        + config.maxQueued() + " queued tasks (" + queued + " now); retry later", retryAfterMillis());
            }
            Task[] made = lifecycle.createAll(plan);
            List<BatchResult.Member> members = new ArrayList<>(items.size());
            for (int i = 0; i < made.length; i++) {
                members.add(new BatchResult.Member(items.get(i).ref(), made[i].id, made[i].status,
                        plan.existing[i] == null));
            }
            return new BatchResult(members, events.seq());
        });
    }

    /** The task, with its queue position while PENDING. */
    public TaskView task(String id, long now) {
        return lock.read(now, () -> lifecycle.view(tasks.require(id)));
    }

    /** A page of tasks in id order after {@code query.after()}; it looks at no more than {@link TaskQuery#SCAN_BUDGET} tasks. */
    public TaskPage list(TaskQuery query, long now) {
        return lock.read(now, () -> {
            TaskTable.Page found = tasks.page(query.after(), Math.max(1, query.limit()), TaskQuery.SCAN_BUDGET, query::matches);
            List<TaskView> page = new ArrayList<>(found.tasks().size());
            for (Task task : found.tasks()) {
                page.add(lifecycle.view(task));
            }
            return new TaskPage(page, found.nextAfter());
        });
    }

    /**
     * Cancel a task that has not ended. A running task's agent learns it from its next heartbeat
     * ({@code cancel_requested}); its slot is free at once. Cancelling a cancelled task again is a
     * harmless repeat ({@code duplicate}); a completed or failed task answers 409.
     */
    public CompletionResult cancel(String id, long now) {
        return lock.change(now, () -> {
            Task task = tasks.require(id);
            boolean repeat = task.status == TaskStatus.CANCELLED;
            if (!repeat) {
                lifecycle.cancel(task, "cancelled by request");
            }
            return new CompletionResult(lifecycle.view(task), repeat, events.seq());
        });
    }

    /** Re-queue a dead letter (a FAILED task) with fresh retries, at its original priority. */
    public CompletionResult retry(String id, long now) {
        return lock.change(now, () -> {
            Task task = tasks.require(id);
            lifecycle.retry(task);
            return new CompletionResult(lifecycle.view(task), false, events.seq());
        });
    }

    /** The ids the engine does not know (a finished one may be kept elsewhere); none: {@code List.of()}, nothing allocated. */
    public List<String> unknown(Collection<String> ids) {
        return lock.read(() -> tasks.missing(ids));
    }

    /**
     * Run {@code call} (one of this coordinator's methods) with finished tasks taken back as they
     * ended (read from where they are kept for the retention), all at once even past the finished
     * cache; those still finished then stay in the cache. Records of known, unfinished or expired
     * tasks are ignored. Taking them back changes nothing, so no event.
     */
    public <T> T withFinished(Collection<TaskRecord> records, long now, Supplier<T> call) {
        return lock.change(now, () -> {
            try {
                for (TaskRecord r : records) {
                    if (r != null && r.status().isTerminal() && tasks.find(r.id()) == null
                            && (r.completedAt() == null || r.completedAt() + config.retentionMillis() > lock.now())) {
                        tasks.lend(Snapshots.rebuild(r));
                    }
                }
                return call.get();
            } finally {
                tasks.returnLent();
            }
        });
    }

    // ---------------------------------------------------------------------------------------
    // Agents

    /** Register a new agent or update one; its history is kept across updates. */
    public AgentView registerAgent(AgentSpec spec, long now) {
        return lock.change(now, () -> {
            Specs.validate(spec);
            Agent agent = agents.get(spec.id());
            if (agent == null) {
                agent = new Agent(spec, lock.now());
                agents.add(agent);
            } else {
                waiters.endAll(agent); // parked under the old capabilities: the agent polls again
                agent.update(spec);
                AgentRegistry.seen(agent, lock.now());
            }
            events.agent(EventType.AGENT_REGISTERED, agent, lock.now());
            return Snapshots.view(agent);
        });
    }

    public AgentView agent(String id, long now) {
        return lock.read(now, () -> Snapshots.view(agents.require(id)));
    }

    public List<AgentView> agents(long now) {
        return lock.read(now, () -> agents.all().stream().map(Snapshots::view).collect(Collectors.toCollection(ArrayList::new)));
    }

    /**
     * The agent leaves. Tasks it was running go back to the front of their deques (a run that
     * ended without success: {@code attempt} + 1, but not counted as an expiry); its parked claims
     * are answered empty.
     */
    public AgentView removeAgent(String id, long now) {
        return lock.change(now, () -> {
            Agent agent = agents.require(id);
            waiters.endAll(agent);
            lifecycle.agentLeft(agent);
            return Snapshots.view(agent);
        });
    }

    // ---------------------------------------------------------------------------------------
    // Claims

    /** Claim up to {@code max} tasks now; an empty list when there is nothing for this agent. */
    public List<ClaimedTask> claim(String agentId, int max, long now) {
        return lock.change(now, () -> dispatcher.pull(seenAgent(agentId), max, lock.now()));
    }

    /**
     * Claim, or park a long-poll when there is nothing to hand out. Work that becomes ready
     * later is pushed to the best parked agent (one per task, no thundering herd) and completes
     * its {@link PendingClaim#result()}. The caller must eventually call {@link #endWait}.
     */
    public ClaimAttempt claimOrWait(String agentId, int max, long now) {
        return lock.change(now, () -> {
            Agent agent = seenAgent(agentId);
            List<ClaimedTask> claimed = dispatcher.pull(agent, max, lock.now());
            if (!claimed.isEmpty()) {
                return new ClaimAttempt(claimed, null);
            }
            PendingClaim pending = new PendingClaim(agent, Math.max(1, max));
            waiters.park(pending);
            return new ClaimAttempt(List.of(), pending);
        });
    }

    /** Shutting down: answer every parked long-poll empty, so no claim holds the server up. */
    public void endAllWaits(long now) {
        lock.change(now, () -> agents.all().forEach(waiters::endAll));
    }

    /** The long-poll's time is up or its client went away: answer it empty if still parked. */
    public void endWait(PendingClaim pending, long now) {
        lock.change(now, () -> waiters.endEmpty(pending, lock.now()));
    }

    // ---------------------------------------------------------------------------------------
    // Running tasks

    /**
     * Extend the lease and record progress. The first heartbeat moves ASSIGNED to IN_PROGRESS. A
     * task cancelled while running answers {@code cancelRequested}; a stale or expired lease is
     * refused with {@code lease_expired}.
     */
    public HeartbeatResult heartbeat(String taskId, String leaseId, Integer progress, String message, long now) {
        return heartbeat(taskId, leaseId, progress, message, now, LeaseHolderCheck.ANYONE);
    }

    /** {@link #heartbeat(String, String, Integer, String, long)}, refused unless {@code holder} accepts the lease's agent. */
    public HeartbeatResult heartbeat(String taskId, String leaseId, Integer progress, String message, long now,
            LeaseHolderCheck holder) {
        return lock.change(now, () -> {
            if (progress != null && (progress < 0 || progress > 100)) {
                throw new InvalidRequestException("progress", "must be between 0 and 100, was " + progress);
            }
            Task task = leases.leased(taskId, leaseId, holder);
            if (task.status == TaskStatus.CANCELLED) {
                return new HeartbeatResult(task.leaseExpiresAt, true, lifecycle.view(task));
            }
            LeaseChecks.requireRunning(task);
            lifecycle.heartbeat(task, progress, message);
            return new HeartbeatResult(task.leaseExpiresAt, false, lifecycle.view(task));
        });
    }

    /** Complete a running task. The same call again with the same lease answers {@code duplicate}. */
    public CompletionResult complete(String taskId, String leaseId, String result, long now) {
        return complete(taskId, leaseId, result, now, LeaseHolderCheck.ANYONE);
    }

    /** Runs {@code calls} (this coordinator's own methods, e.g. many completions) in one entry of the lock. */
    public <T> T together(long now, Supplier<T> calls) {
        return lock.change(now, calls);
    }

    /** {@link #complete(String, String, String, long)}, refused unless {@code holder} accepts the lease's agent. */
    public CompletionResult complete(String taskId, String leaseId, String result, long now, LeaseHolderCheck holder) {
        return lock.change(now, () -> {
            Task task = tasks.require(taskId);
            boolean repeat = LeaseChecks.repeats(task, leaseId, true, holder);
            if (!repeat) {
                LeaseChecks.requireRunning(leases.leased(taskId, leaseId, holder));
                lifecycle.complete(task, leaseId, result);
            }
            return new CompletionResult(lifecycle.view(task), repeat, events.seq());
        });
    }

    /**
     * Fail a running task. A retryable failure with retries left waits as SCHEDULED for its
     * backoff, then returns (one level lower unless configured otherwise); otherwise the task is
     * FAILED, a dead letter. The same call again with the same lease answers {@code duplicate}.
     */
    public CompletionResult fail(String taskId, String leaseId, String error, boolean retryable, long now) {
        return fail(taskId, leaseId, error, retryable, now, LeaseHolderCheck.ANYONE);
    }

    /** {@link #fail(String, String, String, boolean, long)}, refused unless {@code holder} accepts the lease's agent. */
    public CompletionResult fail(String taskId, String leaseId, String error, boolean retryable, long now,
            LeaseHolderCheck holder) {
        return lock.change(now, () -> {
            Task task = tasks.require(taskId);
            boolean repeat = LeaseChecks.repeats(task, leaseId, false, holder);
            if (!repeat) {
                LeaseChecks.requireRunning(leases.leased(taskId, leaseId, holder));
                lifecycle.fail(task, leaseId, error, retryable);
            }
            return new CompletionResult(lifecycle.view(task), repeat, events.seq());
        });
    }

    // ---------------------------------------------------------------------------------------
    // Persistence

    /** A consistent copy of the whole state, for a full checkpoint. */
    public EngineState state() {
        return lock.read(() -> new EngineState(tasks.all().stream().map(Snapshots::record).collect(Collectors.toCollection(
                ArrayList::new)), agentRecordsLocked(), rules.changed(), flow.schedules().recordsLocked(), events.seq(),
                flow.limitsLocked()));
    }

    /** Every agent with its history, for a checkpoint. */
    public List<AgentRecord> agentRecords() {
        return lock.read(this::agentRecordsLocked);
    }

    private List<AgentRecord> agentRecordsLocked() {
        return agents.all().stream().map(Snapshots::record).collect(Collectors.toCollection(ArrayList::new));
    }

    /**
     * Rebuild an empty engine from recovered records: types' settings, deques in their original
     * ready order, the graph, timers, and leases with a fresh clock (a whole lease to call again).
     * Then settle what the records left half-done (a waiting task whose last dependency ended as
     * it crashed is released or cancelled now, with new events). Numbering continues after
     * {@code state.seq()}.
     */
    public void restore(EngineState state, long now) {
        lock.change(now, () -> {
            if (tasks.liveCount() != 0 || !agents.isEmpty() || events.seq() != 0) {
                throw new IllegalStateException("restore needs an empty engine");
            }
            lifecycle.restore(state);
            flow.schedules().restore(state.schedules());
        });
    }

    // ---------------------------------------------------------------------------------------
    // Timers and figures

    /** Start scheduled tasks that are due, expire leases that ran out, mark silent agents lost. */
    public long tick(long now) {
        return lock.change(now, (Supplier<Long>) lifecycle::tick);
    }

    public EngineStats stats(long now) {
        return lock.read(now, () -> counters.stats(dispatcher.ready(), statuses, agents.size(), agents.load(),
                events.seq(), lock.now(), rules, dispatcher.limits()));
    }

    public long lastSeq() {
        return lock.read(events::seq);
    }

    // ---------------------------------------------------------------------------------------
    // Checks (under the lock)

    /** The dispatcher's hand-over, made before {@link #lifecycle} exists. */
    private ClaimedTask assign(Task task, Agent agent) {
        return lifecycle.assign(task, agent);
    }

    private Agent seenAgent(String agentId) {
        Agent agent = agents.require(agentId);
        AgentRegistry.seen(agent, lock.now());
        return agent;
    }

    private long retryAfterMillis() {
        return counters.retryAfterMillis(statuses.queued(), config.maxQueued(), lock.now());
    }

    // ---------------------------------------------------------------------------------------
    // For the invariant checker in the test tree (EngineInvariants), which reads under the lock.

    <T> T inspect(Function<Parts, T> reader) {
        return lock.read(() -> reader.apply(new Parts(tasks, statuses, timers, agents, dispatcher.ready(), graph)));
    }

    /** The owners, for the invariant checker. */
    record Parts(TaskTable tasks, Statuses statuses, Timers timers, AgentRegistry agents, ReadyQueues ready,
            DependencyGraph graph) {
    }
}
