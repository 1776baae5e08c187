package dev.baton.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.baton.crash.History.Kind;

/** The checker on hand-made histories: it finds what it must find, and forgives what it may. */
class QueueCheckerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final History history = new History();

    @Test
    void aCleanHistoryIsValid() {
        submit("a", 201);
        String lease = claim("a");
        complete("a", lease, 200);
        submit("b", 201);
        cancel("b", 200);

        QueueChecker.Result result = check(Map.of("a", "COMPLETED", "b", "CANCELLED"), Set.of("a", "b"));

        assertTrue(result.valid(), result.summary());
        assertEquals(2, result.submitsOk());
        assertEquals(1, result.completesOk());
        assertEquals(1, result.cancelsOk());
        assertEquals(0, result.duplicates());
    }

    @Test
    void anAcknowledgedSubmitThatIsGoneIsLost() {
        submit("a", 201);

        QueueChecker.Result result = check(Map.of(), Set.of());

        assertFalse(result.valid());
        assertEquals(1, result.lost());
    }

    @Test
    void anUnknownSubmitMayOrMayNotHaveHappened() {
        history.invoke("p", Kind.SUBMIT, "a", null).unanswered();
        history.invoke("p", Kind.SUBMIT, "b", null).unanswered();

        QueueChecker.Result result = check(Map.of("a", "PENDING"), Set.of("a"));

        assertTrue(result.valid(), result.summary());
        assertEquals(2, result.submitsUnknown());
        assertEquals(1, result.unknownSubmitsApplied());
    }

    @Test
    void anAcknowledgedCompleteOrCancelThatWasUndoneIsLost() {
        submit("a", 201);
        complete("a", claim("a"), 200);
        submit("b", 201);
        cancel("b", 200);

        QueueChecker.Result result = check(Map.of("a", "PENDING", "b", "PENDING"), Set.of("a", "b"));

        assertEquals(2, result.lost(), result.anomalies().toString());
    }

    @Test
    void handingOutAgainAfterAnAcknowledgedCompleteIsLostEvenIfCompletedAgain() {
        submit("a", 201);
        complete("a", claim("a"), 200);
        complete("a", claim("a"), 200);

        QueueChecker.Result result = check(Map.of("a", "COMPLETED"), Set.of("a"));

        assertEquals(1, result.lost(), result.anomalies().toString());
    }

    @Test
    void runningTwiceAfterAnUnknownCompleteIsADuplicateNotALoss() {
        submit("a", 201);
        String first = claim("a");
        history.invoke("w1", Kind.COMPLETE, "a", first).unanswered();
        complete("a", claim("a"), 200);

        QueueChecker.Result result = check(Map.of("a", "COMPLETED"), Set.of("a"));

        assertTrue(result.valid(), result.anomalies().toString());
        assertEquals(1, result.duplicates());
        assertEquals(1, result.redelivered());
    }

    @Test
    void aTaskNobodySubmittedIsUnexpected() {
        submit("a", 201);

        QueueChecker.Result result = check(Map.of("a", "PENDING", "ghost", "PENDING"), Set.of("a", "ghost"));

        assertFalse(result.valid());
        assertEquals(1, result.unexpected());
    }

    @Test
    void aDefinitelyRefusedCompleteProvesNothing() {
        submit("a", 201);
        complete("a", claim("a"), 409);

        QueueChecker.Result result = check(Map.of("a", "PENDING"), Set.of("a"));

        assertTrue(result.valid(), result.anomalies().toString());
        assertEquals(0, result.completesOk());
    }

    @Test
    void anAcknowledgedFailStandsUnlessRetriedLater() {
        submit("a", 201);
        fail("a", claim("a"), 200);
        submit("b", 201);
        fail("b", claim("b"), 200);
        history.invoke("p", Kind.RETRY, "b", null).unanswered();

        QueueChecker.Result result = check(Map.of("a", "PENDING", "b", "COMPLETED"), Set.of("a", "b"));

        assertEquals(1, result.lost(), result.anomalies().toString());
        assertTrue(result.anomalies().get(0).contains("fail of a"), result.anomalies().toString());
    }

    @Test
    void anAcknowledgedRetryMustNotLeaveTheTaskFailed() {
        submit("a", 201);
        fail("a", claim("a"), 200);
        history.invoke("p", Kind.RETRY, "a", null).answered(reply(200, "{}"));

        assertEquals(1, check(Map.of("a", "FAILED"), Set.of("a")).lost());
        assertEquals(0, check(Map.of("a", "COMPLETED"), Set.of("a")).lost());
    }

    private void fail(String id, String lease, int status) {
        history.invoke("w", Kind.FAIL, id, lease).answered(reply(status, "{}"));
    }

    private QueueChecker.Result check(Map<String, String> finalStatus, Set<String> listed) {
        return QueueChecker.check(history.ops(), finalStatus, listed);
    }

    private void submit(String id, int status) {
        history.invoke("p", Kind.SUBMIT, id, null).answered(reply(status, "{}"));
    }

    private String claim(String id) {
        String lease = "lease-" + history.size();
        history.invoke("w", Kind.CLAIM, null, null)
                .answered(reply(200, "{\"tasks\":[{\"id\":\"" + id + "\",\"lease_id\":\"" + lease + "\"}]}"));
        return lease;
    }

    private void complete(String id, String lease, int status) {
        history.invoke("w", Kind.COMPLETE, id, lease).answered(reply(status, "{}"));
    }

    private void cancel(String id, int status) {
        history.invoke("p", Kind.CANCEL, id, null).answered(reply(status, "{}"));
    }

    private static BatonClient.Reply reply(int status, String body) {
        try {
            return new BatonClient.Reply(status, JSON.readTree(body));
        } catch (Exception e) {
            throw new IllegalArgumentException(body, e);
        }
    }
}
