package dev.baton.engine;

import java.util.List;
import java.util.random.RandomGenerator;

/** The coordinator: public surface first; the implementation lands in the next commits. */
public final class Coordinator {

    public Coordinator(EngineConfig config, EventSink sink, RandomGenerator random) {
        throw new UnsupportedOperationException();
    }

    public EngineConfig config() { throw new UnsupportedOperationException(); }

    /** Submit one task. Throws InvalidRequestException (400), ConflictException id_conflict (409), BackpressureException (429). */
    public SubmitResult submit(TaskSpec spec, long now) { throw new UnsupportedOperationException(); }

    /** NotFoundException when unknown. */
    public TaskView task(String id, long now) { throw new UnsupportedOperationException(); }

    public TaskPage list(TaskQuery query, long now) { throw new UnsupportedOperationException(); }

    /** Cancel a non-terminal task; ConflictException when already finished. */
    public CompletionResult cancel(String id, long now) { throw new UnsupportedOperationException(); }

    /** Re-queue a dead letter (FAILED); ConflictException otherwise. */
    public CompletionResult retry(String id, long now) { throw new UnsupportedOperationException(); }

    /** Register or update (idempotent). InvalidRequestException for bad specs. */
    public AgentView registerAgent(AgentSpec spec, long now) { throw new UnsupportedOperationException(); }

    public AgentView agent(String id, long now) { throw new UnsupportedOperationException(); }

    public List<AgentView> agents(long now) { throw new UnsupportedOperationException(); }

    /** The agent leaves: its running tasks go back to their queues. */
    public AgentView removeAgent(String id, long now) { throw new UnsupportedOperationException(); }

    /** Claim up to max tasks now; empty list when none. NotFoundException for unknown agent. */
    public List<ClaimedTask> claim(String agentId, int max, long now) { throw new UnsupportedOperationException(); }

    /** Claim, or park a long-poll that work will be pushed to. */
    public ClaimAttempt claimOrWait(String agentId, int max, long now) { throw new UnsupportedOperationException(); }

    /** The long-poll's time is up (or its client went away): answer it empty if still parked. */
    public void endWait(PendingClaim pending, long now) { throw new UnsupportedOperationException(); }

    public HeartbeatResult heartbeat(String taskId, String leaseId, Integer progress, String message, long now) { throw new UnsupportedOperationException(); }

    public CompletionResult complete(String taskId, String leaseId, String result, long now) { throw new UnsupportedOperationException(); }

    public CompletionResult fail(String taskId, String leaseId, String error, boolean retryable, long now) { throw new UnsupportedOperationException(); }

    /** Timers: scheduled tasks due, expired leases, lost agents. Call often (every ~50 ms). */
    public void tick(long now) { throw new UnsupportedOperationException(); }

    public EngineStats stats(long now) { throw new UnsupportedOperationException(); }

    public long lastSeq() { throw new UnsupportedOperationException(); }
}
