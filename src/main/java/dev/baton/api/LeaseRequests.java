package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.engine.Ids;
import dev.baton.engine.InvalidRequestException;

/** Bodies of the calls an agent makes while it holds a lease. */
public final class LeaseRequests {

    private LeaseRequests() {
    }

    public record Heartbeat(String leaseId, Integer progress, String message) {
        String checkedMessage() {
            return Ids.requireText("message", message, Ids.MAX_MESSAGE_CHARS);
        }
    }

    public record Complete(String leaseId, JsonNode result) {
        String resultJson() {
            Requests.validUnicode("result", result);
            return result == null || result.isNull() ? null : result.toString();
        }
    }

    public record Fail(String leaseId, String error, Boolean retryable) {
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
