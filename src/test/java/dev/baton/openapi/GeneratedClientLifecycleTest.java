package dev.baton.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.baton.client.ApiClient;
import dev.baton.client.ApiException;
import dev.baton.client.ApiResponse;
import dev.baton.client.api.AgentsApi;
import dev.baton.client.api.LeasesApi;
import dev.baton.client.api.OperationsApi;
import dev.baton.client.api.TasksApi;
import dev.baton.client.model.AgentJson;
import dev.baton.client.model.AgentRequest;
import dev.baton.client.model.Batch;
import dev.baton.client.model.BatchJson;
import dev.baton.client.model.BatchRequest;
import dev.baton.client.model.ClaimedTaskJson;
import dev.baton.client.model.Complete;
import dev.baton.client.model.ErrorBody;
import dev.baton.client.model.Fail;
import dev.baton.client.model.Heartbeat;
import dev.baton.client.model.HeartbeatJson;
import dev.baton.client.model.Outcome;
import dev.baton.client.model.Priority;
import dev.baton.client.model.Stats;
import dev.baton.client.model.SubmitTaskRequest;
import dev.baton.client.model.TaskJson;
import dev.baton.client.model.TaskStatus;
import dev.baton.testing.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A whole lifecycle through the Java client that openapi-generator makes at build time from the
 * served document (src/test/openapi/baton.json, held equal to /q/openapi by OpenApiDocumentTest).
 * The client is strict: a field the document does not name fails the read.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class GeneratedClientLifecycleTest {

    @TestHTTPResource("/")
    URI baton;

    private ApiClient client;
    private TasksApi tasks;
    private AgentsApi agents;
    private LeasesApi leases;
    private OperationsApi operations;

    @BeforeEach
    void client() {
        client = new ApiClient();
        client.updateBaseUri(baton.toString().replaceAll("/$", ""));
        client.getObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        tasks = new TasksApi(client);
        agents = new AgentsApi(client);
        leases = new LeasesApi(client);
        operations = new OperationsApi(client);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aWholeLifecycle() throws Exception {
        String type = unique("gen");
        String agent = unique("agent");

        AgentJson registered = agents.registerAgent(agent, new AgentRequest().capabilities(List.of(type)).maxConcurrency(2)
                .labels(Map.of("zone", "a")));
        assertEquals(2, registered.getMaxConcurrency());
        assertEquals(agent, agents.getAgent(agent).getId());

        ApiResponse<TaskJson> created = tasks.submitTaskWithHttpInfo(new SubmitTaskRequest().type(type)
                .priority(Priority.HIGH).payload(Map.of("repo", "baton", "n", 3)));
        assertEquals(201, created.getStatusCode());
        String id = created.getData().getId();
        assertTrue(created.getHeaders().get("location").get(0).endsWith("/v1/tasks/" + id));
        TaskJson read = tasks.getTask(id);
        assertEquals(TaskStatus.PENDING, read.getStatus());
        assertEquals("baton", read.getPayload().get("repo"));
        assertEquals(0, read.getQueuePosition());
        assertEquals(List.of(id), tasks.listTasks(null, null, null, null, 10, null, TaskStatus.PENDING, type).getTasks().stream()
                .map(TaskJson::getId).toList());

        Batch claimed = agents.claim(agent, 1, 0L);
        ClaimedTaskJson work = claimed.getTasks().get(0);
        assertEquals(id, work.getId());
        HeartbeatJson beat = leases.heartbeat(id, new Heartbeat().leaseId(work.getLeaseId()).progress(50).message("half"));
        assertEquals(TaskStatus.IN_PROGRESS.getValue(), beat.getStatus().getValue());
        assertFalse(beat.getCancelRequested());
        Complete done = new Complete().leaseId(work.getLeaseId()).result(Map.of("ok", true));
        Outcome completed = leases.complete(id, done);
        assertEquals(TaskStatus.COMPLETED, completed.getStatus());
        assertFalse(completed.getDuplicate());
        assertTrue(leases.complete(id, done).getDuplicate());
        assertEquals(Map.of("ok", true), tasks.getTask(id).getResult());

        // a dead letter, retried
        String doomed = tasks.submitTask(new SubmitTaskRequest().type(type)).getId();
        String lease = agents.claim(agent, 1, 0L).getTasks().get(0).getLeaseId();
        assertEquals(TaskStatus.FAILED, leases.fail(doomed, new Fail().leaseId(lease).error("disk full").retryable(false)).getStatus());
        assertEquals(List.of(doomed), tasks.listTasks(null, null, null, null, null, null, TaskStatus.FAILED, type).getTasks().stream()
                .map(TaskJson::getId).toList());
        assertEquals(TaskStatus.PENDING, tasks.retryTask(doomed).getStatus());
        assertEquals(TaskStatus.CANCELLED, tasks.cancelTask(doomed).getStatus());

        // a batch whose members name each other
        BatchJson batch = tasks.submitBatch(new BatchRequest().tasks(List.of(
                new SubmitTaskRequest().ref("build").type(type),
                new SubmitTaskRequest().ref("test").type(type).dependsOn(List.of("build")))));
        assertEquals(List.of("build", "test"), batch.getTasks().stream().map(m -> m.getRef()).toList());
        String build = batch.getTasks().get(0).getId();
        TaskJson test = tasks.getTask(batch.getTasks().get(1).getId());
        assertEquals(TaskStatus.WAITING, test.getStatus());
        assertEquals(List.of(build), test.getWaitingOn());

        Stats stats = operations.stats();
        assertTrue(stats.getPending() >= 1, "pending " + stats.getPending());
        assertTrue(agents.listAgents().stream().anyMatch(a -> a.getId().equals(agent)));
        assertEquals(agent, agents.removeAgent(agent).getId());

        // nothing to claim: 204, an empty answer
        String idle = unique("idle");
        agents.registerAgent(idle, new AgentRequest().capabilities(List.of(unique("nothing"))));
        assertNull(agents.claim(idle, null, null));

        // refusals arrive as the client's exception with the error body
        assertError(404, "agent_not_found", () -> agents.getAgent(agent));
        assertError(404, "task_not_found", () -> tasks.getTask(unique("none")));
        assertError(409, "id_conflict", () -> tasks.submitTask(new SubmitTaskRequest().id(id).type("other")));
        assertError(409, "lease_expired", () -> leases.heartbeat(build, new Heartbeat().leaseId("stale")));
        assertError(400, "invalid_request", () -> tasks.submitTask(new SubmitTaskRequest().description("no type")));
        assertError(400, "invalid_request", () -> agents.claim(idle, 0, null));
    }

    private void assertError(int status, String code, Executable call) throws Exception {
        ApiException refused = assertThrows(ApiException.class, call);
        assertEquals(status, refused.getCode(), refused.getResponseBody());
        ErrorBody body = client.getObjectMapper().readValue(refused.getResponseBody(), ErrorBody.class);
        assertEquals(code, body.getError(), body.getMessage());
        assertNotNull(body.getMessage());
    }
}
