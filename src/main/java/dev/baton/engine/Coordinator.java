package dev.baton.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The coordinator: all task and agent state of one Baton, and every move of it.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Concurrency.</b> One writer: every public method takes {@link #lock}, does
 *   microseconds of in-memory work and returns a snapshot. Nothing inside the lock blocks, does
 *   I/O or calls foreign code, except {@link EventSink#accept}, which must only enqueue. Long-poll
 *   futures are completed after the lock is released ({@link #flushAnswers}), so their
 *   continuations never run under it.</li>
 *   <li><b>Time.</b> The engine reads no clock. Each call passes {@code now} (epoch millis);
 *   the coordinator keeps the latest one and never lets time run backwards.</li>
 *   <li><b>Where a task lives.</b> Live tasks are in {@link #live}; PENDING ones also in exactly
 *   one ready deque ({@link ReadyQueues}), SCHEDULED ones in {@link #scheduled}, running ones in
 *   {@link #leases} and their agent's active set, WAITING ones in their dependencies'
 *   dependent lists. Terminal tasks move to {@link FinishedTasks}. {@link #index} orders all
 *   readable tasks by id for paging.</li>
 *   <li><b>Timers.</b> Scheduled starts and lease expiries sit in two heaps of {@link Due}
 *   entries that are voided, not removed ({@link Task#timerStamp}); heartbeats extend a lease
 *   without touching the heap, and an entry found early is pushed back at the new expiry.</li>
 *   <li><b>Order.</b> Every change appends an event with the next {@code seq} while the lock is
 *   held, so the sink sees changes in exactly the order they happened.</li>
 * </ul>
 */
public final class Coordinator {

    private final EngineConfig config;
    private final EventSink sink;
    private final RandomGenerator random;
    private final Ids ids;
    private final Scorer scorer;
    private final ReentrantLock lock = new ReentrantLock();

    private final Map<String, Task> live = new HashMap<>();
    private final NavigableMap<String, Task> index = new TreeMap<>();
    private final FinishedTasks finished;
    /** Finished tasks taken back for one call ({@link #withFinished}), before they join the cache. */
    private final Map<String, Task> lent = new HashMap<>();
    private final ReadyQueues ready;
    private final PriorityQueue<Due> scheduled = new PriorityQueue<>();
    private final PriorityQueue<Due> leases = new PriorityQueue<>();
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final Map<String, int[]> runningByType = new HashMap<>();

    /** Parked long-polls by the task types their agent serves exactly; general agents apart. */
    private final Map<String, Set<PendingClaim>> waitersByType = new HashMap<>();
    private final Set<PendingClaim> generalWaiters = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<PendingClaim> answered = new ConcurrentLinkedQueue<>();

    private long now;
    private long seq;
    private long readySeq;
    /** Lease timer entries voided since the last sweep. */
    private long voidLeaseTimers;
    private static final int VOID_TIMER_SLACK = 1024;
    private int waiting;
    private int running;
    private long submittedTotal;
    private long completedTotal;
    private long failedTotal;
    private long expiredTotal;
    private long cancelledTotal;
    private final RateWindow completions = new RateWindow();
    private final RateWindow failures = new RateWindow();

    public Coordinator(EngineConfig config, EventSink sink, RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.random = Objects.requireNonNull(random, "random");
        this.ids = new Ids(random);
        this.scorer = new Scorer(config.weights());
        this.ready = new ReadyQueues(config.priorityAgingMillis());
        this.finished = new FinishedTasks(config.finishedCacheSize(), config.retentionMillis(), index);
    }

    public EngineConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------
    // Tasks

    /**
     * Submit one task. Refuses with {@link InvalidRequestException} (bad spec, unknown dependency),
     * {@link ConflictException} {@code id_conflict} (same id, other body) or
     * {@link BackpressureException} (too much queued).
     */
    public SubmitResult submit(TaskSpec spec, long now) {
        lock.lock();
        try {
            advance(now);
            validate(spec);
            if (spec.id() != null) {
                Task existing = find(spec.id());
                if (existing != null) {
                    if (!existing.spec.equals(spec)) {
                        throw new ConflictException("id_conflict",
                                "task '" + spec.id() + "' exists with a different body; use a new id");
                    }
                    return new SubmitResult(view(existing), false, seq);
                }
            }
            List<Task> parents = dependencies(spec);
            int queued = queuedCount();
            if (queued >= config.maxQueued()) {
                throw new BackpressureException("too many queued tasks (" + queued + ", limit "
                        + config.maxQueued() + "); retry later", retryAfterMillis());
            }
            String id = spec.id() != null ? spec.id() : ids.next(this.now);
            Task task = create(spec.withId(id), parents);
            return new SubmitResult(view(task), true, seq);
        } finally {
            unlockAndFlush();
        }
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
        lock.lock();
        try {
            advance(now);
            if (items == null || items.isEmpty()) {
                throw new InvalidRequestException("tasks", "must hold at least one task");
            }
            if (items.size() > config.maxBatch()) {
                throw new TooLargeException("a batch may hold at most " + config.maxBatch() + " tasks, this one has "
                        + items.size());
            }
            BatchPlan plan = BatchPlan.of(items, config.maxDependencies(), this::find, () -> ids.next(this.now));
            int queued = queuedCount();
            if (queued + plan.newCount > config.maxQueued()) {
                throw new BackpressureException("the batch's " + plan.newCount + " tasks would pass the limit of "
                        + config.maxQueued() + " queued tasks (" + queued + " now); retry later", retryAfterMillis());
            }
            Task[] tasks = new Task[items.size()];
            for (int i : plan.order) {
                if (plan.existing[i] != null) {
                    tasks[i] = plan.existing[i];
                    continue;
                }
                List<Task> parents = new ArrayList<>(plan.outsideParents.get(i));
                for (int j : plan.insideParents[i]) {
                    parents.add(tasks[j]);
                }
                tasks[i] = create(plan.specs[i], parents);
            }
            List<BatchResult.Member> members = new ArrayList<>(items.size());
            for (int i = 0; i < tasks.length; i++) {
                members.add(new BatchResult.Member(items.get(i).ref(), tasks[i].id, tasks[i].status,
                        plan.existing[i] == null));
            }
            return new BatchResult(members, seq);
        } finally {
            unlockAndFlush();
        }
    }

    /** A new task with its final id, settled against its (already found) parents. */
    private Task create(TaskSpec spec, List<Task> parents) {
        Task task = new Task(spec.id(), spec, spec.maxRetries() != null ? spec.maxRetries()
                : config.retryPolicy(spec.type()).maxRetries(), now);
        live.put(task.id, task);
        index.put(task.id, task);
        submittedTotal++;
        settle(task, parents);
        return task;
    }

    /** The task, with its queue position while PENDING. */
    public TaskView task(String id, long now) {
        lock.lock();
        try {
            advance(now);
            return view(require(id));
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * A page of tasks in id order after {@code query.after()}. Filters are applied while walking
     * the id index, so a selective filter over many tasks walks far; this is an operator's call,
     * not a hot path.
     */
    public TaskPage list(TaskQuery query, long now) {
        lock.lock();
        try {
            advance(now);
            int limit = Math.max(1, query.limit());
            NavigableMap<String, Task> from = query.after() == null ? index : index.tailMap(query.after(), false);
            List<TaskView> page = new ArrayList<>(Math.min(limit, 128));
            String last = null;
            boolean more = false;
            for (Task task : from.values()) {
                if (!matches(task, query)) {
                    continue;
                }
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(view(task));
                last = task.id;
            }
            return new TaskPage(page, more ? last : null);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Cancel a task that has not ended. A running task's agent learns it from its next heartbeat
     * ({@code cancel_requested}); its slot is free at once. Cancelling a cancelled task again is a
     * harmless repeat ({@code duplicate}); a completed or failed task answers 409.
     */
    public CompletionResult cancel(String id, long now) {
        lock.lock();
        try {
            advance(now);
            Task task = require(id);
            if (task.status == TaskStatus.CANCELLED) {
                return new CompletionResult(view(task), true, seq);
            }
            Transitions.check(id, task.status, TaskStatus.CANCELLED);
            cancelTask(task, "cancelled by request");
            return new CompletionResult(view(task), false, seq);
        } finally {
            unlockAndFlush();
        }
    }

    /** Re-queue a dead letter (a FAILED task) with fresh retries, at its original priority. */
    public CompletionResult retry(String id, long now) {
        lock.lock();
        try {
            advance(now);
            Task task = require(id);
            Transitions.check(id, task.status, TaskStatus.PENDING);
            finished.remove(id);
            live.put(id, task);
            task.failures = 0;
            task.expiries = 0;
            task.error = null;
            task.completedAt = null;
            task.level = task.spec.priority();
            task.runAt = null;
            forgetRun(task);
            enqueue(task, EventType.QUEUED);
            return new CompletionResult(view(task), false, seq);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * The ids among {@code ids} that the engine does not know (neither live nor in its finished
     * cache): a finished task past the cache may still be kept elsewhere for the retention.
     */
    public List<String> unknown(Collection<String> ids) {
        lock.lock();
        try {
            List<String> unknown = new ArrayList<>();
            for (String id : ids) {
                if (id != null && find(id) == null) {
                    unknown.add(id);
                }
            }
            return unknown;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Run {@code call} (one of this coordinator's methods) with finished tasks taken back, as they
     * were when they ended (read back from where they are kept for the retention): submit,
     * complete, fail, cancel, retry and {@code depends_on} treat them as any finished task, all of
     * them at once even when they outnumber the finished cache. Afterwards those still finished
     * stay in the cache like other finished tasks. Records of tasks the engine knows, of tasks
     * that have not ended or that ended longer than the retention ago are ignored; taking them
     * back changes nothing, so no event.
     */
    public <T> T withFinished(Collection<TaskRecord> records, long now, Supplier<T> call) {
        lock.lock();
        try {
            advance(now);
            for (TaskRecord r : records) {
                if (r == null || !r.status().isTerminal() || find(r.id()) != null
                        || r.completedAt() != null && r.completedAt() + config.retentionMillis() <= this.now) {
                    continue;
                }
                Task task = rebuild(r);
                index.put(task.id, task);
                lent.put(task.id, task);
            }
            return call.get();
        } finally {
            for (Task task : lent.values()) {
                if (task.status.isTerminal() && !live.containsKey(task.id)) {
                    finished.put(task);
                }
            }
            lent.clear();
            unlockAndFlush();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Agents

    /** Register a new agent or update one; its history is kept across updates. */
    public AgentView registerAgent(AgentSpec spec, long now) {
        lock.lock();
        try {
            advance(now);
            validate(spec);
            Agent agent = agents.get(spec.id());
            if (agent == null) {
                agent = new Agent(spec, this.now);
                agents.put(spec.id(), agent);
            } else {
                // parked claims were indexed under the old capabilities: answer them, the agent polls again
                endParked(agent);
                agent.update(spec);
                seen(agent);
            }
            emitAgent(EventType.AGENT_REGISTERED, agent);
            return view(agent);
        } finally {
            unlockAndFlush();
        }
    }

    public AgentView agent(String id, long now) {
        lock.lock();
        try {
            advance(now);
            return view(requireAgent(id));
        } finally {
            unlockAndFlush();
        }
    }

    public List<AgentView> agents(long now) {
        lock.lock();
        try {
            advance(now);
            List<AgentView> views = new ArrayList<>(agents.size());
            for (Agent agent : agents.values()) {
                views.add(view(agent));
            }
            return views;
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * The agent leaves. Tasks it was running go back to the front of their deques (a run that
     * ended without success: {@code attempt} + 1, but not counted as an expiry); its parked claims
     * are answered empty.
     */
    public AgentView removeAgent(String id, long now) {
        lock.lock();
        try {
            advance(now);
            Agent agent = requireAgent(id);
            endParked(agent);
            Set<String> freedTypes = new LinkedHashSet<>();
            for (Task task : new ArrayList<>(agent.active)) {
                endRun(task);
                task.attempt++;
                freedTypes.add(task.type());
                requeueFront(task, EventType.REQUEUED, agent.id);
            }
            agents.remove(id);
            for (String type : freedTypes) {
                afterSlotFreed(type, null);
            }
            emitAgent(EventType.AGENT_LEFT, agent);
            return view(agent);
        } finally {
            unlockAndFlush();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Claims

    /** Claim up to {@code max} tasks now; an empty list when there is nothing for this agent. */
    public List<ClaimedTask> claim(String agentId, int max, long now) {
        lock.lock();
        try {
            advance(now);
            Agent agent = requireAgent(agentId);
            seen(agent);
            return pull(agent, max);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Claim, or park a long-poll when there is nothing to hand out. Work that becomes ready
     * later is pushed to the best parked agent (one per task, no thundering herd) and completes
     * its {@link PendingClaim#result()}. The caller must eventually call {@link #endWait}.
     */
    public ClaimAttempt claimOrWait(String agentId, int max, long now) {
        lock.lock();
        try {
            advance(now);
            Agent agent = requireAgent(agentId);
            seen(agent);
            List<ClaimedTask> tasks = pull(agent, max);
            if (!tasks.isEmpty()) {
                return new ClaimAttempt(tasks, null);
            }
            PendingClaim pending = new PendingClaim(agent.id, Math.max(1, max));
            park(agent, pending);
            return new ClaimAttempt(List.of(), pending);
        } finally {
            unlockAndFlush();
        }
    }

    /** Shutting down: answer every parked long-poll empty, so no claim holds the server up. */
    public void endAllWaits(long now) {
        lock.lock();
        try {
            advance(now);
            for (Agent agent : agents.values()) {
                endParked(agent);
            }
        } finally {
            unlockAndFlush();
        }
    }

    /** The long-poll's time is up or its client went away: answer it empty if still parked. */
    public void endWait(PendingClaim pending, long now) {
        lock.lock();
        try {
            advance(now);
            if (!pending.done) {
                unpark(pending);
                answer(pending, List.of());
            }
        } finally {
            unlockAndFlush();
        }
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
        lock.lock();
        try {
            advance(now);
            if (progress != null && (progress < 0 || progress > 100)) {
                throw new InvalidRequestException("progress", "must be between 0 and 100, was " + progress);
            }
            Task task = require(taskId);
            requireLease(task, leaseId);
            holder.check(task.id, task.assignedAgent);
            Agent agent = agents.get(task.assignedAgent);
            if (agent != null) {
                seen(agent);
            }
            if (task.status == TaskStatus.CANCELLED) {
                return new HeartbeatResult(task.leaseExpiresAt, true, view(task));
            }
            requireRunning(task);
            task.leaseExpiresAt = this.now + config.leaseTtlMillis();
            if (task.status == TaskStatus.ASSIGNED) {
                Transitions.check(task.id, task.status, TaskStatus.IN_PROGRESS);
                task.status = TaskStatus.IN_PROGRESS;
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
            return new HeartbeatResult(task.leaseExpiresAt, false, view(task));
        } finally {
            unlockAndFlush();
        }
    }

    /** Complete a running task. The same call again with the same lease answers {@code duplicate}. */
    public CompletionResult complete(String taskId, String leaseId, String result, long now) {
        return complete(taskId, leaseId, result, now, LeaseHolderCheck.ANYONE);
    }

    /** {@link #complete(String, String, String, long)}, refused unless {@code holder} accepts the lease's agent. */
    public CompletionResult complete(String taskId, String leaseId, String result, long now, LeaseHolderCheck holder) {
        lock.lock();
        try {
            advance(now);
            Task task = require(taskId);
            if (task.endedByComplete && leaseId != null && leaseId.equals(task.endedLeaseId)) {
                checkHolder(holder, task);
                return new CompletionResult(view(task), true, seq);
            }
            requireLease(task, leaseId);
            holder.check(task.id, task.assignedAgent);
            requireRunning(task);
            Transitions.check(task.id, task.status, TaskStatus.COMPLETED);
            Agent agent = agents.get(task.assignedAgent);
            long took = this.now - (task.startedAt == null ? this.now : task.startedAt);
            if (agent != null) {
                seen(agent);
                agent.overall.success(took);
                agent.history(task.type()).success(took);
            }
            scorer.recordCompletion(task.type(), took);
            endRun(task);
            task.endedLeaseId = leaseId;
            task.endedByComplete = true;
            task.result = result;
            task.progress = 100;
            finish(task, TaskStatus.COMPLETED, EventType.COMPLETED);
            completedTotal++;
            completions.add(this.now);
            releaseDependents(task);
            afterSlotFreed(task.type(), agent);
            return new CompletionResult(view(task), false, seq);
        } finally {
            unlockAndFlush();
        }
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
        lock.lock();
        try {
            advance(now);
            Task task = require(taskId);
            if (!task.endedByComplete && leaseId != null && leaseId.equals(task.endedLeaseId)) {
                checkHolder(holder, task);
                return new CompletionResult(view(task), true, seq);
            }
            requireLease(task, leaseId);
            holder.check(task.id, task.assignedAgent);
            requireRunning(task);
            Agent agent = agents.get(task.assignedAgent);
            if (agent != null) {
                seen(agent);
                agent.overall.failure();
                agent.history(task.type()).failure();
            }
            String agentId = task.assignedAgent;
            endRun(task);
            task.endedLeaseId = leaseId;
            task.endedByComplete = false;
            task.error = error;
            task.failures++;
            task.attempt++;
            failures.add(this.now);
            if (retryable && task.failures <= task.maxRetries) {
                scheduleRetry(task, agentId);
            } else {
                finish(task, TaskStatus.FAILED, EventType.FAILED);
                failedTotal++;
                cascadeFailure(task);
            }
            afterSlotFreed(task.type(), agent);
            return new CompletionResult(view(task), false, seq);
        } finally {
            unlockAndFlush();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Persistence

    /** A consistent copy of the whole state, for a full checkpoint. */
    public EngineState state() {
        lock.lock();
        try {
            List<TaskRecord> tasks = new ArrayList<>(index.size());
            for (Task task : index.values()) {
                tasks.add(record(task));
            }
            List<AgentRecord> agentRecords = new ArrayList<>(agents.size());
            for (Agent agent : agents.values()) {
                agentRecords.add(record(agent));
            }
            return new EngineState(tasks, agentRecords, seq);
        } finally {
            lock.unlock();
        }
    }

    /** Every agent with its history, for a checkpoint. */
    public List<AgentRecord> agentRecords() {
        lock.lock();
        try {
            List<AgentRecord> agentRecords = new ArrayList<>(agents.size());
            for (Agent agent : agents.values()) {
                agentRecords.add(record(agent));
            }
            return agentRecords;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rebuild an empty engine from recovered records: deques in their original ready order, the
     * dependency graph, timers, and leases with a fresh clock (a running task's agent gets a whole
     * lease to call again). Then settle what the records left half-done — a waiting task whose
     * last dependency ended in the same moment as the crash is released or cancelled now, with
     * new events. Event numbering continues after {@code state.seq()}.
     */
    public void restore(EngineState state, long now) {
        lock.lock();
        try {
            if (!live.isEmpty() || !agents.isEmpty() || seq != 0) {
                throw new IllegalStateException("restore needs an empty engine");
            }
            advance(now);
            seq = state.seq();
            for (AgentRecord r : state.agents()) {
                Agent agent = new Agent(r.spec(), r.registeredAt());
                agent.lastSeen = this.now;
                agent.overall.restore(r.overall());
                r.byType().forEach((type, h) -> {
                    agent.history(type).restore(h);
                    if (h.meanMillis() != null) {
                        scorer.recordCompletion(type, h.meanMillis().longValue());
                    }
                });
                agents.put(agent.id, agent);
            }
            List<Task> pending = new ArrayList<>();
            List<Task> waitingTasks = new ArrayList<>();
            for (TaskRecord r : state.tasks()) {
                Task task = rebuild(r);
                index.put(task.id, task);
                readySeq = Math.max(readySeq, task.readySeq);
                switch (task.status) {
                    case COMPLETED, FAILED, CANCELLED -> {
                        if (task.completedAt == null || task.completedAt + config.retentionMillis() > this.now) {
                            finished.put(task);
                        } else {
                            index.remove(task.id);
                        }
                        continue;
                    }
                    case PENDING -> pending.add(task);
                    case SCHEDULED -> {
                        task.timerStamp++;
                        scheduled.add(new Due(task.runAt == null ? this.now : task.runAt, task.timerStamp, task));
                    }
                    case WAITING -> {
                        waitingTasks.add(task);
                        waiting++;
                    }
                    case ASSIGNED, IN_PROGRESS -> {
                        task.leaseExpiresAt = this.now + config.leaseTtlMillis();
                        task.timerStamp++;
                        leases.add(new Due(task.leaseExpiresAt, task.timerStamp, task));
                        Agent agent = agents.get(task.assignedAgent);
                        if (agent != null) {
                            agent.active.add(task);
                        }
                        runningByType.computeIfAbsent(task.type(), t -> new int[1])[0]++;
                        running++;
                    }
                }
                live.put(task.id, task);
                if (task.status == TaskStatus.COMPLETED) {
                    completedTotal++;
                }
            }
            pending.sort(java.util.Comparator.comparingLong(t -> t.readySeq));
            for (Task task : pending) {
                ready.addLast(task);
            }
            for (Task task : waitingTasks) {
                resettle(task);
            }
            submittedTotal = live.size();
        } finally {
            unlockAndFlush();
        }
    }

    private Task rebuild(TaskRecord r) {
        Task task = new Task(r.id(), r.spec(), r.maxRetries(), r.createdAt());
        task.status = r.status();
        task.level = r.level();
        task.runAt = r.runAt();
        task.attempt = r.attempt();
        task.failures = r.failures();
        task.expiries = r.expiries();
        task.progress = r.progress();
        task.message = r.message();
        task.result = r.result();
        task.error = r.error();
        task.startedAt = r.startedAt();
        task.completedAt = r.completedAt();
        task.leaseId = r.leaseId();
        task.assignedAgent = r.assignedAgent();
        task.cancelRequested = r.cancelRequested();
        task.endedLeaseId = r.endedLeaseId();
        task.endedByComplete = r.endedByComplete();
        task.readyAt = r.readyAt();
        task.readySeq = r.readySeq();
        return task;
    }

    /** A recovered waiting task: count its open dependencies again; release or cancel it if none are left. */
    private void resettle(Task task) {
        int unfinished = 0;
        Task failedParent = null;
        for (String id : task.spec.dependsOn()) {
            Task parent = find(id);
            if (parent == null || parent.status == TaskStatus.COMPLETED) {
                continue; // gone parents finished long ago: they cannot hold the task back
            }
            if (parent.status == TaskStatus.FAILED || parent.status == TaskStatus.CANCELLED) {
                if (!task.spec.runOnDependencyFailure() && failedParent == null) {
                    failedParent = parent;
                }
                continue;
            }
            unfinished++;
            parent.addDependent(task);
        }
        task.unfinishedDependencies = unfinished;
        if (failedParent != null) {
            cancelTask(task, "dependency " + failedParent.id + " " + failedParent.status);
        } else if (unfinished == 0) {
            waiting--;
            enqueue(task, EventType.RELEASED);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Timers

    /** Start scheduled tasks that are due, expire leases that ran out, mark silent agents lost. */
    public void tick(long now) {
        lock.lock();
        try {
            advance(now);
            long t = this.now;
            for (Due due = scheduled.peek(); due != null && due.at() <= t; due = scheduled.peek()) {
                scheduled.poll();
                Task task = due.task();
                if (due.valid() && task.status == TaskStatus.SCHEDULED) {
                    enqueue(task, EventType.QUEUED);
                }
            }
            for (Due due = leases.peek(); due != null && due.at() <= t; due = leases.peek()) {
                leases.poll();
                Task task = due.task();
                if (!due.valid() || !task.status.isRunning()) {
                    continue;
                }
                if (task.leaseExpiresAt > t) {
                    leases.add(new Due(task.leaseExpiresAt, task.timerStamp, task)); // extended meanwhile
                } else {
                    expire(task);
                }
            }
            for (Agent agent : agents.values()) {
                if (!agent.parked.isEmpty()) {
                    agent.lastSeen = t; // an agent waiting in a long-poll is alive
                } else if (!agent.lost && t - agent.lastSeen >= config.agentTtlMillis()) {
                    agent.lost = true;
                    emitAgent(EventType.AGENT_LOST, agent);
                }
            }
            finished.cleanUp();
        } finally {
            unlockAndFlush();
        }
    }

    public EngineStats stats(long now) {
        lock.lock();
        try {
            advance(now);
            Map<Priority, Integer> depth = new EnumMap<>(Priority.class);
            Map<Priority, Map<String, Integer>> depthByType = new EnumMap<>(Priority.class);
            for (Priority p : Priority.values()) {
                depth.put(p, ready.depth(p));
                depthByType.put(p, ready.depthByType(p));
            }
            int lost = 0;
            long slots = 0;
            long busy = 0;
            for (Agent agent : agents.values()) {
                if (agent.lost) {
                    lost++;
                } else {
                    slots += agent.spec.maxConcurrency();
                    busy += agent.active.size();
                }
            }
            long done = completions.total(this.now);
            long failed = failures.total(this.now);
            return new EngineStats(depth, depthByType, ready.size(), running, waiting, scheduledCount(),
                    agents.size(), lost, parkedCount(), submittedTotal, completedTotal, failedTotal, expiredTotal,
                    cancelledTotal, completions.perSecond(this.now),
                    done + failed == 0 ? 0.0 : failed / (double) (done + failed),
                    slots == 0 ? 0.0 : busy / (double) slots, seq);
        } finally {
            unlockAndFlush();
        }
    }

    /** Lease timer entries held, void ones included: for tests of the sweep. */
    int leaseTimers() {
        lock.lock();
        try {
            return leases.size();
        } finally {
            lock.unlock();
        }
    }

    public long lastSeq() {
        lock.lock();
        try {
            return seq;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Moves (all called with the lock held)

    private void advance(long now) {
        if (now > this.now) {
            this.now = now;
            finished.advance(now);
        }
    }

    /** Where a task goes once nothing holds it back: to a parked agent, else to its deque. */
    private void makeReady(Task task, boolean front) {
        if (!atRunningCap(task.type())) {
            PendingClaim waiter = bestWaiter(task);
            if (waiter != null) {
                Agent agent = agents.get(waiter.agentId);
                deliver(waiter, List.of(assign(task, agent)));
                return;
            }
        }
        if (front) {
            ready.addFirst(task);
        } else {
            ready.addLast(task);
        }
    }

    private List<ClaimedTask> pull(Agent agent, int max) {
        int wanted = Math.min(Math.max(1, max), agent.freeSlots());
        if (wanted <= 0) {
            return List.of();
        }
        List<ClaimedTask> claimed = new ArrayList<>(wanted);
        Iterable<String> types = agent.general ? null : agent.spec.capabilities();
        while (claimed.size() < wanted) {
            Task task = ready.best(types, type -> !atRunningCap(type), t -> scorer.score(t, agent), now);
            if (task == null) {
                break;
            }
            ready.remove(task);
            claimed.add(assign(task, agent));
        }
        return claimed;
    }

    private ClaimedTask assign(Task task, Agent agent) {
        Transitions.check(task.id, task.status, TaskStatus.ASSIGNED);
        task.status = TaskStatus.ASSIGNED;
        task.assignedAgent = agent.id;
        task.leaseId = ids.lease();
        task.leaseExpiresAt = now + config.leaseTtlMillis();
        task.startedAt = now;
        task.cancelRequested = false;
        task.progress = 0;
        task.message = null;
        task.timerStamp++;
        leases.add(new Due(task.leaseExpiresAt, task.timerStamp, task));
        agent.active.add(task);
        runningByType.computeIfAbsent(task.type(), t -> new int[1])[0]++;
        running++;
        emit(EventType.ASSIGNED, task, agent.id);
        return new ClaimedTask(view(task), task.leaseId, task.leaseExpiresAt);
    }

    /** The run ends: the lease, the agent's slot and the type's running count are given back. */
    private void endRun(Task task) {
        Agent agent = agents.get(task.assignedAgent);
        if (agent != null) {
            agent.active.remove(task);
        }
        runningByType.get(task.type())[0]--;
        running--;
        task.timerStamp++;
        task.leaseId = null;
        voidLeaseTimers++;
        if (voidLeaseTimers > 2L * running + VOID_TIMER_SLACK) {
            // a void entry pins its finished task until its time comes (a whole lease-ttl):
            // sweep them out once they outnumber the live ones, O(n) amortised over n runs
            leases.removeIf(due -> !due.valid());
            voidLeaseTimers = 0;
        }
    }

    private void expire(Task task) {
        Agent agent = agents.get(task.assignedAgent);
        if (agent != null) {
            agent.overall.failure();
            agent.history(task.type()).failure();
        }
        String agentId = task.assignedAgent;
        endRun(task);
        task.expiries++;
        task.attempt++;
        expiredTotal++;
        if (task.expiries >= config.maxExpiries()) {
            task.error = "poison pill: lease expired " + task.expiries + " times";
            finish(task, TaskStatus.FAILED, EventType.FAILED);
            failedTotal++;
            failures.add(now);
            cascadeFailure(task);
        } else {
            requeueFront(task, EventType.EXPIRED, agentId);
        }
        afterSlotFreed(task.type(), agent);
    }

    private void scheduleRetry(Task task, String agentId) {
        Transitions.check(task.id, task.status, TaskStatus.SCHEDULED);
        RetryPolicy policy = config.retryPolicy(task.type());
        long base = policy.backoffBefore(task.failures);
        double jitter = config.jitter() <= 0 ? 0 : (random.nextDouble() * 2 - 1) * config.jitter();
        long delay = Math.max(0, Math.round(base * (1 + jitter)));
        if (config.demoteOnRetry()) {
            task.level = task.level.lower();
        }
        forgetRun(task);
        task.status = TaskStatus.SCHEDULED;
        task.runAt = now + delay;
        task.timerStamp++;
        scheduled.add(new Due(task.runAt, task.timerStamp, task));
        emit(EventType.RETRYING, task, agentId);
    }

    private void cancelTask(Task task, String reason) {
        String agentId = null;
        switch (task.status) {
            case PENDING -> ready.remove(task);
            case SCHEDULED -> task.timerStamp++;
            case WAITING -> waiting--;
            case ASSIGNED, IN_PROGRESS -> {
                agentId = task.assignedAgent;
                String lease = task.leaseId;
                endRun(task);
                task.leaseId = lease; // kept so the agent's next heartbeat hears cancel_requested
                task.cancelRequested = true;
            }
            case COMPLETED, FAILED, CANCELLED -> throw new IllegalTransitionException(task.id, task.status, TaskStatus.CANCELLED);
        }
        task.error = reason;
        finish(task, TaskStatus.CANCELLED, EventType.CANCELLED);
        cancelledTotal++;
        cascadeFailure(task);
        if (agentId != null) {
            afterSlotFreed(task.type(), agents.get(agentId));
        }
    }

    private void finish(Task task, TaskStatus status, EventType event) {
        Transitions.check(task.id, task.status, status);
        String agentId = task.assignedAgent;
        task.status = status;
        task.completedAt = now;
        task.timerStamp++;
        live.remove(task.id);
        finished.put(task);
        emit(event, task, agentId);
    }

    /** A slot or a type's running cap came free: feed parked claims that can use it. */
    private void afterSlotFreed(String type, Agent agent) {
        if (agent != null && !agent.parked.isEmpty() && agent.freeSlots() > 0) {
            PendingClaim pending = agent.parked.iterator().next();
            List<ClaimedTask> tasks = pull(agent, pending.max);
            if (!tasks.isEmpty()) {
                deliver(pending, tasks);
            }
        }
        if (config.policy(type).maxRunning() != null) {
            feedWaiters(type);
        }
    }

    /** Hand queued tasks of {@code type} to parked claims while the type's cap allows. */
    private void feedWaiters(String type) {
        List<String> types = List.of(type);
        while (!atRunningCap(type)) {
            Task head = ready.best(types, t -> true, t -> 0, now);
            if (head == null) {
                return;
            }
            PendingClaim waiter = bestWaiter(head);
            if (waiter == null) {
                return;
            }
            ready.remove(head);
            deliver(waiter, List.of(assign(head, agents.get(waiter.agentId))));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Dependencies

    private List<Task> dependencies(TaskSpec spec) {
        List<String> ids = spec.dependsOn();
        if (ids.isEmpty()) {
            return List.of();
        }
        if (ids.size() > config.maxDependencies()) {
            throw new InvalidRequestException("depends_on", "has " + ids.size() + " ids, more than the limit of "
                    + config.maxDependencies());
        }
        List<Task> parents = new ArrayList<>(ids.size());
        List<String> unknown = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                continue;
            }
            Task parent = find(id);
            if (parent == null) {
                unknown.add(id);
            } else {
                parents.add(parent);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("depends_on", "unknown task ids " + unknown);
        }
        if (spec.id() != null && seen.contains(spec.id())) {
            throw new InvalidRequestException("depends_on", "task '" + spec.id() + "' cannot depend on itself");
        }
        return parents;
    }

    /**
     * Settle a new task and announce it: WAITING while some dependency is unfinished, cancelled at
     * once if one already failed (unless it runs on failure), else SCHEDULED or ready.
     */
    private void settle(Task task, List<Task> parents) {
        Task failedParent = null;
        int unfinished = 0;
        for (Task parent : parents) {
            switch (parent.status) {
                case COMPLETED -> { }
                case FAILED, CANCELLED -> {
                    if (!task.spec.runOnDependencyFailure() && failedParent == null) {
                        failedParent = parent;
                    }
                }
                case WAITING, SCHEDULED, PENDING, ASSIGNED, IN_PROGRESS -> unfinished++;
            }
        }
        if (failedParent != null) {
            task.status = TaskStatus.WAITING;
            waiting++;
            emit(EventType.SUBMITTED, task, null);
            cancelTask(task, "dependency " + failedParent.id + " " + failedParent.status);
        } else if (unfinished > 0) {
            for (Task parent : parents) {
                if (!parent.status.isTerminal()) {
                    parent.addDependent(task);
                }
            }
            task.unfinishedDependencies = unfinished;
            task.status = TaskStatus.WAITING;
            waiting++;
            emit(EventType.SUBMITTED, task, null);
            emit(EventType.WAITING, task, null);
        } else {
            enqueue(task, EventType.SUBMITTED);
        }
    }

    /** The task may run: SCHEDULED if its {@code run_at} is ahead, else ready. One event says so. */
    private void enqueue(Task task, EventType event) {
        if (task.runAt != null && task.runAt > now) {
            Transitions.check(task.id, task.status, TaskStatus.SCHEDULED);
            task.status = TaskStatus.SCHEDULED;
            task.timerStamp++;
            scheduled.add(new Due(task.runAt, task.timerStamp, task));
            emit(event, task, null);
        } else {
            if (task.status != TaskStatus.PENDING) {
                Transitions.check(task.id, task.status, TaskStatus.PENDING);
            }
            task.status = TaskStatus.PENDING;
            task.readyAt = now;
            task.readySeq = ++readySeq; // before the event, so the journal keeps the ready order
            emit(event, task, null);
            makeReady(task, false);
        }
    }

    /**
     * A task waiting for its next run has no agent, start or progress: the ended run's agent is in
     * its event, and the error of a failed run stays readable until the next one ends.
     */
    private static void forgetRun(Task task) {
        task.assignedAgent = null;
        task.startedAt = null;
        task.progress = 0;
    }

    /** A run ended without the task's fault: back to the front of its deque, keeping its age. */
    private void requeueFront(Task task, EventType event, String agentId) {
        Transitions.check(task.id, task.status, TaskStatus.PENDING);
        forgetRun(task);
        task.status = TaskStatus.PENDING;
        emit(event, task, agentId);
        makeReady(task, true);
    }

    private void releaseDependents(Task parent) {
        List<Task> dependents = parent.dependents;
        parent.dependents = null;
        if (dependents == null) {
            return;
        }
        for (Task dependent : dependents) {
            if (dependent.status == TaskStatus.WAITING && --dependent.unfinishedDependencies == 0) {
                waiting--;
                enqueue(dependent, EventType.RELEASED);
            }
        }
    }

    /**
     * {@code parent} ended FAILED or CANCELLED: cancel its waiting dependents transitively (an
     * explicit stack, so a long chain cannot overflow the call stack), except those that run on
     * dependency failure, which count it as done.
     */
    private void cascadeFailure(Task parent) {
        ArrayDeque<Task> ended = new ArrayDeque<>();
        ended.push(parent);
        while (!ended.isEmpty()) {
            Task p = ended.pop();
            List<Task> dependents = p.dependents;
            p.dependents = null;
            if (dependents == null) {
                continue;
            }
            for (Task dependent : dependents) {
                if (dependent.status != TaskStatus.WAITING) {
                    continue;
                }
                if (dependent.spec.runOnDependencyFailure()) {
                    if (--dependent.unfinishedDependencies == 0) {
                        waiting--;
                        enqueue(dependent, EventType.RELEASED);
                    }
                } else {
                    waiting--;
                    dependent.unfinishedDependencies = 0;
                    dependent.error = "dependency " + p.id + " " + p.status;
                    finish(dependent, TaskStatus.CANCELLED, EventType.CANCELLED);
                    cancelledTotal++;
                    ended.push(dependent);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Long-poll bookkeeping

    private void park(Agent agent, PendingClaim pending) {
        agent.parked.add(pending);
        if (agent.general) {
            generalWaiters.add(pending);
        } else {
            for (String type : agent.spec.capabilities()) {
                waitersByType.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(pending);
            }
        }
    }

    private void unpark(PendingClaim pending) {
        Agent agent = agents.get(pending.agentId);
        if (agent != null) {
            agent.parked.remove(pending);
            if (!agent.general) {
                for (String type : agent.spec.capabilities()) {
                    Set<PendingClaim> set = waitersByType.get(type);
                    if (set != null) {
                        set.remove(pending);
                    }
                }
            }
        }
        generalWaiters.remove(pending);
    }

    private void endParked(Agent agent) {
        for (PendingClaim pending : new ArrayList<>(agent.parked)) {
            unpark(pending);
            answer(pending, List.of());
        }
    }

    /** The parked claim whose agent scores best for {@code task}; ties to the longest waiting. */
    private PendingClaim bestWaiter(Task task) {
        PendingClaim best = null;
        double bestScore = 0;
        Set<PendingClaim> exact = waitersByType.get(task.type());
        if (exact != null) {
            for (PendingClaim pending : exact) {
                Agent agent = agents.get(pending.agentId);
                if (agent.freeSlots() > 0) {
                    double s = scorer.score(task, agent);
                    if (best == null || s > bestScore) {
                        best = pending;
                        bestScore = s;
                    }
                }
            }
        }
        for (PendingClaim pending : generalWaiters) {
            Agent agent = agents.get(pending.agentId);
            if (agent.freeSlots() > 0) {
                double s = scorer.score(task, agent);
                if (best == null || s > bestScore) {
                    best = pending;
                    bestScore = s;
                }
            }
        }
        return best;
    }

    private void deliver(PendingClaim pending, List<ClaimedTask> tasks) {
        unpark(pending);
        answer(pending, tasks);
    }

    private void answer(PendingClaim pending, List<ClaimedTask> tasks) {
        pending.done = true;
        pending.answer = tasks;
        answered.add(pending);
    }

    private void unlockAndFlush() {
        lock.unlock();
        if (!lock.isHeldByCurrentThread()) { // a call inside withFinished: the outer one flushes
            flushAnswers();
        }
    }

    /** Complete answered long-polls outside the lock, so their continuations never run under it. */
    private void flushAnswers() {
        for (PendingClaim pending = answered.poll(); pending != null; pending = answered.poll()) {
            pending.result.complete(pending.answer);
        }
    }

    private int parkedCount() {
        int count = 0;
        for (Agent agent : agents.values()) {
            count += agent.parked.size();
        }
        return count;
    }

    // ---------------------------------------------------------------------------------------
    // Checks and lookups

    static void validate(TaskSpec spec) {
        if (spec.type() == null || spec.type().isBlank()) {
            throw new InvalidRequestException("type", "is required");
        }
        Ids.requireValid("type", spec.type());
        if (spec.id() != null) {
            Ids.requireValid("id", spec.id());
        }
        Ids.requireText("description", spec.description(), Ids.MAX_DESCRIPTION_CHARS);
        for (int i = 0; i < spec.dependsOn().size(); i++) {
            Ids.requireValid("depends_on[" + i + "]", spec.dependsOn().get(i));
        }
        if (spec.maxRetries() != null && spec.maxRetries() < 0) {
            throw new InvalidRequestException("max_retries", "must be 0 or more, was " + spec.maxRetries());
        }
    }

    private static void validate(AgentSpec spec) {
        Ids.requireValid("id", spec.id());
        if (spec.capabilities().isEmpty()) {
            throw new InvalidRequestException("capabilities", "must name at least one task type (or \"general\")");
        }
        if (spec.capabilities().size() > Ids.MAX_CAPABILITIES) {
            throw new InvalidRequestException("capabilities", "has " + spec.capabilities().size()
                    + " types, more than the limit of " + Ids.MAX_CAPABILITIES);
        }
        for (String capability : spec.capabilities()) {
            Ids.requireValid("capabilities", capability);
        }
        if (spec.labels().size() > Ids.MAX_LABELS) {
            throw new InvalidRequestException("labels", "has " + spec.labels().size() + " entries, more than the limit of " + Ids.MAX_LABELS);
        }
        for (Map.Entry<String, String> label : spec.labels().entrySet()) {
            Ids.requireText("labels", label.getKey(), Ids.MAX_LABEL_KEY_CHARS);
            if (label.getKey().isEmpty()) {
                throw new InvalidRequestException("labels", "must not have an empty key");
            }
            Ids.requireText("labels." + label.getKey(), label.getValue(), Ids.MAX_LABEL_VALUE_CHARS);
        }
        if (spec.maxConcurrency() < 1) {
            throw new InvalidRequestException("max_concurrency", "must be at least 1, was " + spec.maxConcurrency());
        }
    }

    private void requireLease(Task task, String leaseId) {
        if (leaseId == null || !leaseId.equals(task.leaseId)) {
            throw ConflictException.leaseExpired(task.id, leaseId);
        }
        if (task.status.isRunning() && task.leaseExpiresAt <= now) {
            expire(task); // late: the lease ran out before the reaper got to it
            throw ConflictException.leaseExpired(task.id, leaseId);
        }
    }

    /** A repeated complete or fail is answered only to the agent that ended the run, when it is still known. */
    private static void checkHolder(LeaseHolderCheck holder, Task task) {
        if (task.assignedAgent != null) {
            holder.check(task.id, task.assignedAgent);
        }
    }

    private static void requireRunning(Task task) {
        if (task.status == TaskStatus.CANCELLED) {
            throw new ConflictException("task_cancelled", "task '" + task.id + "' was cancelled");
        }
        if (!task.status.isRunning()) {
            throw new ConflictException("illegal_transition", "task '" + task.id + "' is " + task.status + ", not running");
        }
    }

    private Task find(String id) {
        Task task = live.get(id);
        if (task == null) {
            task = finished.get(id);
        }
        return task != null || lent.isEmpty() ? task : lent.get(id);
    }

    private Task require(String id) {
        Task task = id == null ? null : find(id);
        if (task == null) {
            throw NotFoundException.task(id);
        }
        return task;
    }

    private Agent requireAgent(String id) {
        Agent agent = id == null ? null : agents.get(id);
        if (agent == null) {
            throw NotFoundException.agent(id);
        }
        return agent;
    }

    private void seen(Agent agent) {
        agent.lastSeen = now;
        agent.lost = false;
    }

    private boolean atRunningCap(String type) {
        Integer cap = config.policy(type).maxRunning();
        if (cap == null) {
            return false;
        }
        int[] count = runningByType.get(type);
        return count != null && count[0] >= cap;
    }

    private int queuedCount() {
        return ready.size() + scheduledCount() + waiting;
    }

    private int scheduledCount() {
        return live.size() - ready.size() - waiting - running;
    }

    private long retryAfterMillis() {
        double rate = completions.perSecond(now);
        if (rate <= 0) {
            return 1_000;
        }
        long excess = queuedCount() - config.maxQueued() + 1L;
        return Math.max(1_000, Math.min(60_000, Math.round(excess / rate * 1000)));
    }

    private static boolean matches(Task task, TaskQuery query) {
        return (query.status() == null || task.status == query.status())
                && (query.type() == null || query.type().equals(task.type()))
                && (query.agent() == null || query.agent().equals(task.assignedAgent));
    }

    // ---------------------------------------------------------------------------------------
    // Events and snapshots

    private void emit(EventType type, Task task, String agentId) {
        sink.accept(new TaskEvent(++seq, type, task.id, task.type(), task.level, task.status,
                agentId != null ? agentId : task.assignedAgent, task.progress, task.message != null ? task.message : task.error,
                now, record(task), null));
    }

    private void emitAgent(EventType type, Agent agent) {
        sink.accept(new TaskEvent(++seq, type, null, null, null, null, agent.id, null, null, now, null,
                type == EventType.AGENT_REGISTERED ? record(agent) : null));
    }

    private static TaskRecord record(Task t) {
        return new TaskRecord(t.spec, t.maxRetries, t.createdAt, t.status, t.level, t.runAt, t.attempt, t.failures,
                t.expiries, t.progress, t.message, t.result, t.error, t.startedAt, t.completedAt, t.leaseId,
                t.assignedAgent, t.cancelRequested, t.endedLeaseId, t.endedByComplete, t.readyAt, t.readySeq);
    }

    private static AgentRecord record(Agent a) {
        Map<String, AgentView.History> byType = new HashMap<>();
        a.byType.forEach((type, h) -> byType.put(type, h.view()));
        return new AgentRecord(a.spec, a.registeredAt, a.lastSeen, a.overall.view(), byType);
    }

    private TaskView view(Task task) {
        Integer position = task.status == TaskStatus.PENDING && task.queue != null
                ? ready.positionOf(task) : null;
        return new TaskView(task.id, task.type(), task.spec.description(), task.spec.priority(), task.level,
                task.spec.payload(), task.spec.dependsOn(), waitingOn(task), task.spec.runOnDependencyFailure(),
                task.status, task.assignedAgent, task.attempt, task.maxRetries, task.failures, task.expiries,
                task.progress, task.message, task.result, task.error, task.runAt, task.createdAt, task.startedAt,
                task.completedAt, position, task.status.isRunning() ? task.leaseExpiresAt : null, task.cancelRequested,
                task.readyAt == 0 ? null : task.readyAt);
    }

    private List<String> waitingOn(Task task) {
        if (task.status != TaskStatus.WAITING || task.spec.dependsOn().isEmpty()) {
            return List.of();
        }
        List<String> open = new ArrayList<>();
        for (String id : task.spec.dependsOn()) {
            Task parent = find(id);
            if (parent != null && !parent.status.isTerminal() && !open.contains(id)) {
                open.add(id);
            }
        }
        return open;
    }

    private AgentView view(Agent agent) {
        List<String> active = new ArrayList<>(agent.active.size());
        for (Task task : agent.active) {
            active.add(task.id);
        }
        Map<String, AgentView.History> byType = new HashMap<>();
        agent.byType.forEach((type, h) -> byType.put(type, h.view()));
        return new AgentView(agent.id, agent.spec.capabilities(), agent.spec.maxConcurrency(), agent.spec.labels(),
                agent.registeredAt, agent.lastSeen, agent.lost, Collections.unmodifiableList(active),
                agent.parked.size(), agent.overall.view(), byType);
    }

    // ---------------------------------------------------------------------------------------
    // For tests: the invariants, checked after every engine test.

    /** Throws {@link IllegalStateException} naming the first broken invariant. */
    public void checkInvariants() {
        lock.lock();
        try {
            Set<Task> queued = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Task task : ready.all()) {
                state(queued.add(task), "task " + task.id + " sits in two deques");
                state(task.status == TaskStatus.PENDING, "queued task " + task.id + " is " + task.status);
                state(live.get(task.id) == task, "queued task " + task.id + " is not live");
            }
            int pendingNow = 0;
            int runningNow = 0;
            int waitingNow = 0;
            Map<String, Integer> runningTypes = new HashMap<>();
            for (Task task : live.values()) {
                state(!task.status.isTerminal(), "live task " + task.id + " is " + task.status);
                state(index.get(task.id) == task, "live task " + task.id + " is not indexed");
                switch (task.status) {
                    case PENDING -> {
                        pendingNow++;
                        state(queued.contains(task), "pending task " + task.id + " is in no deque");
                    }
                    case ASSIGNED, IN_PROGRESS -> {
                        runningNow++;
                        runningTypes.merge(task.type(), 1, Integer::sum);
                        state(task.leaseId != null, "running task " + task.id + " has no lease");
                        Agent agent = agents.get(task.assignedAgent);
                        state(agent == null || agent.active.contains(task),
                                "running task " + task.id + " is not active on its agent");
                    }
                    case WAITING -> {
                        waitingNow++;
                        state(task.unfinishedDependencies > 0, "waiting task " + task.id + " has no unfinished dependency");
                        state(task.queue == null, "waiting task " + task.id + " is queued");
                        checkWaiting(task);
                    }
                    case SCHEDULED -> state(task.queue == null && task.runAt != null,
                            "scheduled task " + task.id + " is queued or has no run_at");
                    case COMPLETED, FAILED, CANCELLED -> { }
                }
            }
            state(pendingNow == ready.size(), "deques hold " + ready.size() + " tasks, " + pendingNow + " are PENDING");
            state(runningNow == running, "running counter " + running + " but " + runningNow + " running");
            state(waitingNow == waiting, "waiting counter " + waiting + " but " + waitingNow + " waiting");
            for (Map.Entry<String, int[]> e : runningByType.entrySet()) {
                state(e.getValue()[0] == runningTypes.getOrDefault(e.getKey(), 0),
                        "running count of type " + e.getKey() + " is " + e.getValue()[0]);
            }
            for (Agent agent : agents.values()) {
                for (Task task : agent.active) {
                    state(task.status.isRunning() && agent.id.equals(task.assignedAgent),
                            "agent " + agent.id + " holds " + task.id + " which is " + task.status);
                }
                for (PendingClaim pending : agent.parked) {
                    state(!pending.done, "agent " + agent.id + " has an answered claim still parked");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waiting ⇔ some dependency unfinished, counted exactly, each of them knowing this dependent. */
    private void checkWaiting(Task task) {
        int open = 0;
        for (String id : task.spec.dependsOn()) {
            Task parent = find(id);
            state(parent != null, "waiting task " + task.id + " depends on " + id + ", which is gone");
            boolean ended = parent.status == TaskStatus.FAILED || parent.status == TaskStatus.CANCELLED;
            state(!ended || task.spec.runOnDependencyFailure(),
                    "waiting task " + task.id + " still waits on " + id + ", which is " + parent.status);
            if (parent.status != TaskStatus.COMPLETED && !ended) {
                open++;
                state(parent.dependents != null && parent.dependents.contains(task),
                        "unfinished " + id + " does not know its dependent " + task.id);
            }
        }
        state(open == task.unfinishedDependencies, "waiting task " + task.id + " counts "
                + task.unfinishedDependencies + " unfinished dependencies, " + open + " are");
        state(!onCycle(task, new java.util.HashSet<>(), new java.util.HashSet<>()),
                "waiting task " + task.id + " is on a dependency cycle");
    }

    private boolean onCycle(Task task, Set<Task> path, Set<Task> cleared) {
        if (cleared.contains(task)) {
            return false;
        }
        if (!path.add(task)) {
            return true;
        }
        for (String id : task.spec.dependsOn()) {
            Task parent = find(id);
            if (parent != null && parent.status == TaskStatus.WAITING && onCycle(parent, path, cleared)) {
                return true;
            }
        }
        path.remove(task);
        cleared.add(task);
        return false;
    }

    private static void state(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
