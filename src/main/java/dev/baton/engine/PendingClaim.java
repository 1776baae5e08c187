package dev.baton.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A long-poll claim waiting for work. The coordinator completes {@link #result()} with the tasks
 * it pushes to this agent, or with an empty list when {@link Coordinator#endWait} is called first.
 * The future is completed outside the coordinator's lock.
 */
public final class PendingClaim {

    final Agent agent;
    final int max;
    final CompletableFuture<List<ClaimedTask>> result = new CompletableFuture<>();
    /** Set under the coordinator's lock once the claim is answered (tasks or timeout). */
    boolean done;
    List<ClaimedTask> answer;

    PendingClaim(Agent agent, int max) {
        this.agent = agent;
        this.max = max;
    }

    public String agentId() {
        return agent.id;
    }

    public CompletableFuture<List<ClaimedTask>> result() {
        return result;
    }
}
