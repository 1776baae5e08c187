package dev.baton.api;

import dev.baton.engine.Ids;
import dev.baton.engine.InvalidRequestException;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Bodies of the calls an agent makes while it holds a lease. An optional {@code agent_id} names the
 * agent making the call; when given it must be the lease's agent (409 {@code lease_not_yours}).
 */
public final class LeaseRequests {

    private LeaseRequests() {
    }

    public record Heartbeat(@Schema(required = true) String leaseId,
            @Schema(minimum = "0", maximum = "100") Integer progress, String message, String agentId) {
        String checkedMessage() {
            return Ids.requireText("message", message, Ids.MAX_MESSAGE_CHARS);
        }
    }

    public record Complete(@Schema(required = true) String leaseId, @Schema(ref = "AnyValue") RawJson result, String agentId) {
        String resultJson() {
            return result == null ? null : result.checked("result");
        }
    }

    public record Fail(@Schema(required = true) String leaseId, @Schema(required = true) String error,
            @Schema(defaultValue = "true") Boolean retryable, String agentId) {
        String requireError() {
            if (error == null || error.isBlank()) {
                throw new InvalidRequestException("error", "is required: say why the task failed");
            }
            return Ids.requireText("error", error, Ids.MAX_ERROR_CHARS);
        }

        boolean isRetryable() {
            return retryable == null || retryable;
        }
    }

    /** The lease id is the agent's proof that the task is still its own: a missing one is a bad request. */
    static String requireLease(String leaseId) {
        if (leaseId == null || leaseId.isBlank()) {
            throw new InvalidRequestException("lease_id", "is required: quote the lease_id your claim returned");
        }
        return Ids.requireText("lease_id", leaseId, Ids.MAX_ID_LENGTH);
    }
}
