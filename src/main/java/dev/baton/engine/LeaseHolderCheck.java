package dev.baton.engine;

/**
 * Who may use a lease. Heartbeat, complete and fail call it with the agent the lease belongs to,
 * under the engine's lock and before anything changes; it refuses by throwing, and the call then
 * changes nothing.
 */
@FunctionalInterface
public interface LeaseHolderCheck {

    /** No check: whoever quotes the lease id may use it. */
    LeaseHolderCheck ANYONE = (taskId, agentId) -> { };

    void check(String taskId, String agentId);
}
