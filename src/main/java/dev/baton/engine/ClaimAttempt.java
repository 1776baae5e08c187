package dev.baton.engine;

import java.util.List;

/**
 * The answer to {@link Coordinator#claimOrWait}: tasks at once, or a claim parked until work
 * arrives or the caller gives up.
 */
public record ClaimAttempt(List<ClaimedTask> tasks, PendingClaim pending) {

    public boolean parked() {
        return pending != null;
    }
}
